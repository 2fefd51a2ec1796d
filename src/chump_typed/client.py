"""The typed client: one generic executor over the endpoint table.

:meth:`Client.call` runs any :class:`~chump_typed._endpoints.Endpoint` row and returns
that row's result type; every other method is a one-line call of one row.
"""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from chump_typed import _calls, models
from chump_typed import _endpoints as ep
from chump_typed._checks import check_team_token
from chump_typed._redact import remember
from chump_typed._scrub import scrub_public
from chump_typed.errors import PushoverError, ValidationError
from chump_typed.protocol import HTTPRequest, Transport, is_async_transport

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from urllib.parse import SplitResult

    from typing_extensions import Self

    from chump_typed._bulk import SendOutcome
    from chump_typed._repair import BroadcastRepair, KeyStatus
    from chump_typed.e2ee import E2EEKey

__all__ = [
    "BASE_URL_VARIABLE",
    "DEFAULT_BASE_URL",
    "Client",
    "base_url_or_env",
    "check_base_url",
    "check_service_url",
    "check_team_token",
    "url_or_env",
]

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)

#: The version segment every base URL ends in: Pushover's API has only version 1.
API_VERSION: Final = "1"
#: Pushover's API root; the ``1`` is the API version.
DEFAULT_BASE_URL: Final = "https://api.pushover.net/1/"

_PRINTABLE_URL: Final = re.compile(r"[!-~]+")


def check_service_url(
    field: str, url: object, *, secure: str, plain: str
) -> SplitResult:
    """*url*'s parts, if it is an absolute *secure*:// URL (*plain*:// only for a
    loopback host, where the fake runs) of printable ASCII, without a query, a
    fragment or credentials; shared by the API root and the push URL.

    Only printable ASCII is accepted (write an international host name in its
    ``xn--`` form): control characters such as CR, LF or NUL could split the request
    line or a header.
    """
    from urllib.parse import urlsplit  # with the first client: out of start-up

    from chump_typed._proxy import is_loopback

    if not isinstance(url, str):
        raise TypeError(f"{field}: expected str, got a {type(url).__name__}")
    if not _PRINTABLE_URL.fullmatch(url):
        raise ValidationError(
            field,
            "must be printable ASCII without spaces (no CR, LF, NUL or other controls)",
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  # raises ValueError for a port out of range
    except ValueError as exc:
        raise ValidationError(field, f"is not a valid URL ({exc})") from None
    if parts.scheme not in (secure, plain) or not host:
        raise ValidationError(field, f"must be an absolute {secure}:// URL")
    if parts.scheme == plain and not is_loopback(host):
        raise ValidationError(
            field,
            f"must use {secure}:// (plain {plain} is only accepted for a loopback host)",
        )
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ValidationError(field, "must not carry a query or a fragment")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(field, "must not carry credentials")
    return parts


def check_base_url(base_url: str, *, field: str = "base_url") -> str:
    """Return *base_url* ending in ``/``; refuse anything but https, except on loopback
    (where the fake Pushover runs), anything with a query or credentials
    (:func:`check_service_url`), and a path that does not end in the API version.
    Errors name *field*."""
    parts = check_service_url(field, base_url, secure="https", plain="http")
    if parts.path.rstrip("/").rpartition("/")[2] != API_VERSION:
        raise ValidationError(
            field,
            f"must end in the API version, /{API_VERSION}/ (as in {DEFAULT_BASE_URL}): "
            "without it every call would fail as an unknown endpoint",
        )
    return base_url if base_url.endswith("/") else base_url + "/"


#: The environment variable a client reads its API root from when given none.
BASE_URL_VARIABLE: Final = "PUSHOVER_BASE_URL"


def url_or_env(
    url: str | None, variable: str, default: str, check: Callable[..., str]
) -> str:
    """*url*, else the environment's *variable* (``chump-typed fake`` prints it), else
    *default*; checked by *check* (an error names *variable* when the value came from
    it)."""
    if url is not None:
        return check(url)
    import os

    value = os.environ.get(variable)
    return check(value, field=variable) if value else default


def base_url_or_env(base_url: str | None) -> str:
    """*base_url*, else ``PUSHOVER_BASE_URL``, else Pushover's own (:func:`url_or_env`)."""
    return url_or_env(base_url, BASE_URL_VARIABLE, DEFAULT_BASE_URL, check_base_url)


def sync_transport(transport: Transport | None, async_twin: str) -> Transport:
    """*transport*, checked to be a sync one (a pooled
    :class:`~chump_typed.Urllib3Transport` when ``None``); *async_twin* names the
    class an async transport goes with, for the error."""
    if transport is None:
        from chump_typed._urllib3 import Urllib3Transport

        return Urllib3Transport()
    if not callable(getattr(transport, "send", None)):
        raise TypeError(
            f"transport: expected a Transport, got a {type(transport).__name__}"
        )
    if is_async_transport(transport):
        raise TypeError(
            f"transport: {type(transport).__name__} is async (its send is a "
            f"coroutine function): use it with {async_twin}"
        )
    return transport


def execute(
    transport: Transport, http_request: HTTPRequest, endpoint: ep.Endpoint[Any, Resp]
) -> Resp:
    """The sync executor: send *http_request* and decode the answer as *endpoint*'s
    result (the request was built by :func:`chump_typed._calls.http_request_for`)."""
    started = time.perf_counter()
    try:
        response = transport.send(http_request)
    except PushoverError as error:
        _calls.log_failure(http_request, started, error)
        raise
    return _calls.result_of(endpoint, http_request, response, started)


class Client:
    """A Pushover application, typed end to end.

    :param token: the application's API token (30 letters and digits).
    :param base_url: the API root; https only, except for loopback hosts. By default
        ``PUSHOVER_BASE_URL`` when it is set (``chump-typed fake`` prints it), else
        Pushover's.
    :param team_token: the Team API token, needed only by the Teams calls
        (:meth:`add_team_user`, :meth:`remove_team_user`, :meth:`team_info`,
        :meth:`revoke_team_invitation`); its format is not documented.
    :param transport: what moves the bytes; a pooled
        :class:`~chump_typed.Urllib3Transport` by default.

    Tokens never appear in the client's ``repr``, in log records or in errors.
    """

    def __init__(
        self,
        token: str,
        *,
        team_token: str | None = None,
        base_url: str | None = None,
        transport: Transport | None = None,
    ) -> None:
        self._credentials: Final = _calls.credentials(token, team_token)
        remember(self, token, team_token)
        self.base_url: Final = base_url_or_env(base_url)
        self.transport: Final[Transport] = sync_transport(transport, "AsyncClient")

    # -- The executor ------------------------------------------------------------------

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        transport: Transport | None = None,
    ) -> Self:
        """A client set up by the environment: ``PUSHOVER_TOKEN`` (required),
        ``PUSHOVER_BASE_URL`` and ``PUSHOVER_TEAM_TOKEN`` (optional); *environ*
        replaces :data:`os.environ`.

        :raises ValidationError: ``PUSHOVER_TOKEN`` is not set (the error names it),
            or a value breaks its rule.
        """
        import os

        token, team_token, base_url = _calls.settings_from_env(
            os.environ if environ is None else environ, DEFAULT_BASE_URL
        )
        return cls(token, team_token=team_token, base_url=base_url, transport=transport)

    def call(
        self,
        endpoint: ep.Endpoint[Req, Resp],
        request: Req,
        *,
        e2ee_key: E2EEKey | None = None,
    ) -> Resp:
        """Run one row of the endpoint table and return its result (a message with
        *e2ee_key* goes end-to-end encrypted: see :mod:`chump_typed.e2ee`).

        :raises ValidationError: the request does not fit the row.
        :raises APIError: Pushover rejected the request.
        :raises TransportError: no response arrived.
        :raises UnexpectedResponseError: the response could not be decoded.
        """
        return self._run(endpoint, request, e2ee_key)

    def _run(
        self,
        endpoint: ep.Endpoint[Req, Resp],
        request: Req,
        e2ee_key: E2EEKey | None = None,
    ) -> Resp:
        """What :meth:`call` does, and what each method calls directly: private, so
        not wrapped a second time by the scrubbing of tracebacks (each public method
        is already)."""
        return execute(
            self.transport,
            _calls.http_request_for(
                endpoint, request, self._credentials, self.base_url, e2ee_key
            ),
            endpoint,
        )

    # -- One method per row ------------------------------------------------------------

    def send(
        self, notification: models.Notification, *, e2ee_key: E2EEKey | None = None
    ) -> models.SendResult:
        """Send a message (``POST messages.json``); with *e2ee_key*, the recipient's
        key, end-to-end encrypted (its text only: see :mod:`chump_typed.e2ee`)."""
        return self._run(ep.SEND_MESSAGE, notification, e2ee_key=e2ee_key)

    def send_many(
        self,
        notifications: Iterable[models.Notification],
        *,
        max_in_flight: int = 2,
        e2ee_key: E2EEKey | Mapping[str, E2EEKey] | None = None,
    ) -> list[SendOutcome]:
        """Send each notification once, at most *max_in_flight* (1 or 2) at a time;
        one outcome per notification, in order; stops when the quota is spent.
        *e2ee_key*: one key for all, or each user's key (every recipient needs
        one, checked before anything is sent)."""
        from chump_typed._bulk import send_many

        return send_many(
            self, notifications, max_in_flight=max_in_flight, e2ee_key=e2ee_key
        )

    def broadcast(
        self,
        template: models.Notification,
        users: Iterable[str],
        *,
        max_in_flight: int = 2,
        e2ee_key: E2EEKey | Mapping[str, E2EEKey] | None = None,
    ) -> list[SendOutcome]:
        """Send *template* to every key in *users*, 50 recipients per request (with
        *e2ee_key*, only users who share a key in one request)."""
        from chump_typed._bulk import broadcast

        return broadcast(
            self, template, users, max_in_flight=max_in_flight, e2ee_key=e2ee_key
        )

    def repair_broadcast(
        self,
        outcomes: Sequence[SendOutcome],
        *,
        known: Mapping[str, KeyStatus] | None = None,
        max_rejections: int = 5,
        max_in_flight: int = 2,
    ) -> BroadcastRepair:
        """Find the unknown keys of a :meth:`broadcast`'s requests that Pushover
        rejected over a user key, and send those requests once more to their valid
        keys.

        Only requests rejected over a key are touched, so nobody who was sent the
        message is sent it twice. Each key is checked once with
        :meth:`validate_user`, skipping those in *known* (an earlier repair's
        ``known``); after *max_rejections* unknown keys (4xx answers, which Pushover
        punishes when repeated) no further key is checked, and the rest are reported
        ``unchecked`` and not sent.
        """
        from chump_typed._repair import repair_broadcast

        return repair_broadcast(
            self,
            outcomes,
            known=known,
            max_rejections=max_rejections,
            max_in_flight=max_in_flight,
        )

    def sounds(self) -> models.SoundList:
        """List the sounds this application may use."""
        return self._run(*_calls.sounds())

    def validate_user(
        self, user: str, device: str | None = None
    ) -> models.UserValidation:
        """Check that *user* (a user or group key) is valid and has an active device."""
        return self._run(*_calls.validate_user(user, device))

    def receipt(self, receipt: str) -> models.Receipt:
        """Poll an emergency message's receipt (no more than every 5 seconds)."""
        return self._run(*_calls.receipt(receipt))

    def cancel(self, receipt: str) -> models.CancelResult:
        """Stop an emergency message's retries."""
        return self._run(*_calls.cancel(receipt))

    def cancel_by_tag(self, tag: str) -> models.CancelByTagResult:
        """Stop the retries of every emergency message sent with *tag*."""
        return self._run(*_calls.cancel_by_tag(tag))

    def limits(self) -> models.AppLimits:
        """The account's monthly allowance; does not spend any of it."""
        return self._run(*_calls.limits())

    # -- Groups --------------------------------------------------------------------------

    def create_group(self, name: str) -> models.GroupCreateResult:
        """Create a delivery group; the result holds its new key."""
        return self._run(*_calls.create_group(name))

    def list_groups(self) -> models.GroupList:
        """The delivery groups of the application's owner."""
        return self._run(*_calls.list_groups())

    def group_info(self, group: str) -> models.GroupInfo:
        """A group's name and memberships."""
        return self._run(*_calls.group_info(group))

    def add_group_user(
        self,
        group: str,
        user: str,
        *,
        device: str | None = None,
        memo: str | None = None,
    ) -> models.GroupAddUserResult:
        """Add *user* to *group*, optionally for one device, with a memo (<= 200)."""
        return self._run(*_calls.add_group_user(group, user, device, memo))

    def remove_group_user(
        self, group: str, user: str, *, device: str | None = None
    ) -> models.GroupRemoveUserResult:
        """Remove *user* from *group* (``remove_user.json``; see
        :data:`~chump_typed._endpoints.REMOVE_GROUP_USER_LEGACY` for the older name)."""
        return self._run(*_calls.remove_group_user(group, user, device))

    def disable_group_user(
        self, group: str, user: str, *, device: str | None = None
    ) -> models.GroupDisableUserResult:
        """Pause *user*'s deliveries from *group*."""
        return self._run(*_calls.disable_group_user(group, user, device))

    def enable_group_user(
        self, group: str, user: str, *, device: str | None = None
    ) -> models.GroupEnableUserResult:
        """Resume *user*'s deliveries from *group*."""
        return self._run(*_calls.enable_group_user(group, user, device))

    def rename_group(self, group: str, name: str) -> models.GroupRenameResult:
        """Give *group* a new name."""
        return self._run(*_calls.rename_group(group, name))

    # -- Glances, subscriptions, licensing, teams ---------------------------------------

    def update_glance(self, glance: models.GlanceUpdate) -> models.GlanceResult:
        """Push data to a user's glance widget (allow >= 20 minutes between updates
        for an Apple Watch)."""
        return self._run(ep.UPDATE_GLANCE, glance)

    def migrate_subscription(
        self,
        subscription: str,
        user: str,
        *,
        device_name: str | None = None,
        sound: str | None = None,
    ) -> models.SubscriptionMigrateResult:
        """Subscribe *user* to *subscription*; send to the returned
        ``subscribed_user_key`` from then on."""
        return self._run(
            *_calls.migrate_subscription(subscription, user, device_name, sound)
        )

    def assign_license(
        self,
        *,
        user: str | None = None,
        email: str | None = None,
        os: models.LicenseOS | None = None,
    ) -> models.LicenseAssignResult:
        """Spend a licence credit on a user key or an e-mail address (exactly one).
        Never retried automatically."""
        return self._run(*_calls.assign_license(user, email, os))

    def license_credits(self) -> models.LicenseCredits:
        """The licence credits that remain."""
        return self._run(*_calls.license_credits())

    def add_team_user(
        self,
        email: str,
        *,
        name: str | None = None,
        password: str | None = None,
        instant: bool = False,
        admin: bool = False,
        group: str | None = None,
    ) -> models.TeamAddUserResult:
        """Add a user to the team (needs ``team_token``)."""
        return self._run(
            *_calls.add_team_user(email, name, password, instant, admin, group)
        )

    def remove_team_user(self, email: str) -> models.TeamRemoveUserResult:
        """Remove a user from the team (needs ``team_token``)."""
        return self._run(*_calls.remove_team_user(email))

    def team_info(self) -> models.TeamInfo:
        """The team, its users and their devices (needs ``team_token``; the endpoint
        and its answer's shape are unverified)."""
        return self._run(*_calls.team_info())

    def revoke_team_invitation(self, email: str) -> models.TeamRevokeInvitationResult:
        """Withdraw a pending invitation (needs ``team_token``; unverified endpoint)."""
        return self._run(*_calls.revoke_team_invitation(email))

    # -- Lifecycle ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the transport's pooled connections."""
        self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        # getattr: a Client whose construction failed half-way still has a repr.
        base_url = getattr(self, "base_url", None)
        return f"Client(token=<redacted>, base_url={base_url!r})"

    def __getstate__(self) -> Any:
        raise TypeError("a Client holds a connection pool and cannot be pickled")


scrub_public(globals())
