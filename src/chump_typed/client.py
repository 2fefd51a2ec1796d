"""The typed client: one generic executor over the endpoint table.

:meth:`Client.call` runs any :class:`~chump_typed._endpoints.Endpoint` row and returns
that row's result type; every other method is a one-line call of one row.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

import attrs

from chump_typed import _endpoints as ep
from chump_typed import models
from chump_typed._protocol import Transport, decode_response, encode_request
from chump_typed._redact import redact_url
from chump_typed.errors import ValidationError
from chump_typed.models import check_key

if TYPE_CHECKING:
    from collections.abc import Iterable

    from typing_extensions import Self

    from chump_typed._bulk import SendOutcome

__all__ = ["DEFAULT_BASE_URL", "Client", "check_base_url"]

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)

#: Pushover's API root; the ``1`` is the API version.
DEFAULT_BASE_URL: Final = "https://api.pushover.net/1/"

logger: Final = logging.getLogger("chump_typed")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """Return *base_url* ending in ``/``; refuse anything but https, except on loopback
    (where the fake Pushover runs), and anything with a query or credentials."""
    if not isinstance(base_url, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"base_url: expected str, got a {type(base_url).__name__}")
    if any(c in base_url for c in "\r\n\x00 "):
        raise ValidationError("base_url", "must not contain spaces, CR, LF or NUL")
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError("base_url", "must be an absolute https:// URL")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ValidationError(
            "base_url",
            "must use https:// (plain http is only accepted for a loopback host)",
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValidationError(
            "base_url", "must not carry a query, a fragment or credentials"
        )
    return base_url if base_url.endswith("/") else base_url + "/"


class Client:
    """A Pushover application, typed end to end.

    :param token: the application's API token (30 letters and digits).
    :param base_url: the API root; https only, except for loopback hosts.
    :param transport: what moves the bytes; a pooled
        :class:`~chump_typed.Urllib3Transport` by default.

    The token never appears in the client's ``repr``, in log records or in errors.
    """

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        transport: Transport | None = None,
    ) -> None:
        check_key("token", token)
        self._token = token
        self.base_url: Final = check_base_url(base_url)
        if transport is None:
            from chump_typed._urllib3 import Urllib3Transport

            transport = Urllib3Transport()
        self.transport: Final[Transport] = transport

    # -- The executor ------------------------------------------------------------------

    def call(self, endpoint: ep.Endpoint[Req, Resp], request: Req) -> Resp:
        """Run one row of the endpoint table and return its result.

        :raises ValidationError: the request does not fit the row.
        :raises APIError: Pushover rejected the request.
        :raises TransportError: no response arrived.
        :raises UnexpectedResponseError: the response could not be decoded.
        """
        if not isinstance(request, endpoint.request_type):
            raise TypeError(
                f"{endpoint.name} takes a {endpoint.request_type.__name__}, "
                f"got a {type(request).__name__}"
            )
        http_request = encode_request(
            endpoint, request, token=self._token, base_url=self.base_url
        )
        started = time.perf_counter()
        response = self.transport.send(http_request)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> HTTP %d in %.1f ms",
                http_request.method,
                redact_url(http_request.url),
                response.status,
                (time.perf_counter() - started) * 1000,
            )
        return decode_response(endpoint, http_request, response)

    # -- One method per row ------------------------------------------------------------

    def send(self, notification: models.Notification) -> models.SendResult:
        """Send a message (``POST messages.json``)."""
        return self.call(ep.SEND_MESSAGE, notification)

    def send_many(
        self, notifications: Iterable[models.Notification], *, max_in_flight: int = 2
    ) -> list[SendOutcome]:
        """Send each notification once, at most *max_in_flight* (1 or 2) at a time;
        one outcome per notification, in order; stops when the quota is spent."""
        from chump_typed._bulk import send_many

        return send_many(self, notifications, max_in_flight=max_in_flight)

    def broadcast(
        self,
        template: models.Notification,
        users: Iterable[str],
        *,
        max_in_flight: int = 2,
    ) -> list[SendOutcome]:
        """Send *template* to every key in *users*, 50 recipients per request."""
        from chump_typed._bulk import broadcast

        return broadcast(self, template, users, max_in_flight=max_in_flight)

    def sounds(self) -> models.SoundList:
        """List the sounds this application may use."""
        return self.call(ep.LIST_SOUNDS, models.SoundsRequest())

    def validate_user(
        self, user: str, device: str | None = None
    ) -> models.UserValidation:
        """Check that *user* (a user or group key) is valid and has an active device."""
        return self.call(
            ep.VALIDATE_USER, models.ValidateUserRequest(user=user, device=device)
        )

    def receipt(self, receipt: str) -> models.Receipt:
        """Poll an emergency message's receipt (no more than every 5 seconds)."""
        return self.call(ep.GET_RECEIPT, models.ReceiptRequest(receipt=receipt))

    def cancel(self, receipt: str) -> models.CancelResult:
        """Stop an emergency message's retries."""
        return self.call(ep.CANCEL_RECEIPT, models.CancelRequest(receipt=receipt))

    def cancel_by_tag(self, tag: str) -> models.CancelByTagResult:
        """Stop the retries of every emergency message sent with *tag*."""
        return self.call(ep.CANCEL_BY_TAG, models.CancelByTagRequest(tag=tag))

    def limits(self) -> models.AppLimits:
        """The account's monthly allowance; does not spend any of it."""
        return self.call(ep.GET_LIMITS, models.LimitsRequest())

    # -- Lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the transport's pooled connections."""
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client(token=<redacted>, base_url={self.base_url!r})"

    def __getstate__(self) -> Any:
        raise TypeError("a Client holds a connection pool and cannot be pickled")
