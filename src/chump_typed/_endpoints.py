"""The table of Pushover calls: one typed row per call, run by one executor.

Each row is an :class:`Endpoint` that says how a request model goes on the wire (method,
path template), which result model comes back and which :class:`Credential`
authenticates it. :meth:`chump_typed.Client.call` runs any row. This module holds the
send row, which loads at start-up; the other rows live in a row module per family
(``_endpoints_followups``, ``_endpoints_groups``, ``_endpoints_accounts``,
``_endpoints_receiving``), loaded on first use through the table that
``scripts/generate.py`` writes (``_rows``). :data:`ENDPOINTS` is derived from the rows
of those modules; adding a call is described in ``docs/design.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypeGuard, TypeVar

import attrs

from chump_typed import _rows, models
from chump_typed._scrub import scrub_public
from chump_typed.errors import APIError, ValidationError

if TYPE_CHECKING:  # the families' rows, loaded on first use (see __getattr__)
    from chump_typed._rows import *

__all__: list[str] = [
    "ACCOUNT",
    "APP",
    "ENDPOINTS",
    "SEND_EMERGENCY",
    "SEND_MESSAGE",
    "SESSION",
    "TEAM",
    "Credential",
    "Endpoint",
    "Method",
]
__all__ += _rows.__all__

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)

#: The HTTP methods Pushover's calls use.
Method = Literal["GET", "POST"]


@attrs.frozen(cache_hash=True)  # a dict key on every call
class Credential:
    """A kind of secret that authenticates calls: which parameter carries it, and
    which keyword of :class:`~chump_typed.Client` supplies it. A new kind of
    credential is a new value of this class, not a new code path.

    ``param`` is empty for ``ACCOUNT``, whose secrets (e-mail and password) are
    fields of the request itself. ``hint`` says how to get the credential, for the
    error raised when a client has none.
    """

    #: The credential's name: "app", "team", "session" or "account".
    kind: str
    #: The request parameter that carries it (empty for ACCOUNT).
    param: str
    #: The keyword of Client that supplies it.
    keyword: str
    #: What kind of call needs it, for error messages.
    needed_for: str
    #: How to get it, for the error raised when a client has none.
    hint: str = ""

    def missing(self) -> str:
        """What to do when a client lacks this credential."""
        return self.hint or f"create the client with {self.keyword}="


#: The application's API token: most calls.
APP: Final = Credential(
    kind="app", param="token", keyword="token", needed_for="an application call"
)
#: The Team API token: the Teams calls (pushover-api.md §12).
TEAM: Final = Credential(
    kind="team", param="token", keyword="team_token", needed_for="a Teams API call"
)

#: An Open Client session's secret: the receiving calls (pushover-api.md §13).
SESSION: Final = Credential(
    kind="session",
    param="secret",
    keyword="secret",
    needed_for="an Open Client call",
    hint="run it in a chump_typed.receive.Session (OpenClient().login(...))",
)
#: No stored secret: the request carries the account's e-mail and password (login).
ACCOUNT: Final = Credential(
    kind="account",
    param="",
    keyword="",
    needed_for="a login",
    hint="run it with chump_typed.receive.OpenClient().login(...)",
)


def _placeholders_of(endpoint: Endpoint[Any, Any]) -> tuple[str, ...]:
    """The ``{field}`` names in the endpoint's path template, in order."""
    if not isinstance(endpoint.path, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"path: expected str, got a {type(endpoint.path).__name__}")
    if "{" not in endpoint.path and "}" not in endpoint.path:
        return ()  # most rows: no need to import string at start-up
    import string

    try:
        parsed = list(string.Formatter().parse(endpoint.path))
    except ValueError as exc:  # a lone brace
        raise ValidationError("path", f"is not a valid path template ({exc})") from None
    return tuple(name for _, name, _, _ in parsed if name is not None)


@attrs.frozen
class Endpoint(Generic[Req, Resp]):
    """One Pushover call.

    ``path`` is relative to the base URL and may hold ``{field}`` placeholders, filled
    (percent-encoded) from the request field of that name. ``retryable`` is false for
    calls that must never be resent after a server error because each success has a
    cost. ``credential`` says which token authenticates the call. ``status_errors``
    names the error raised for an HTTP status that means something particular to
    this call (412 to a login: a 2FA code is needed); other 4xx are an
    :class:`~chump_typed.errors.APIError`. ``max_response_size`` is the largest
    decoded answer the call reads, in bytes, for a row whose answers outgrow the
    transport's cap (``None``: the transport's, 1 MiB by default); the receiving
    session sends it as the call's :class:`~chump_typed.protocol.SendOptions`.
    """

    #: The row's name, as Client's method calls it.
    name: str
    #: The HTTP method.
    method: Method
    #: The path relative to the base URL, with {field} placeholders.
    path: str
    #: The request model the call takes.
    request_type: type[Req]
    #: The result model the call returns.
    response_type: type[Resp]
    #: False for a call never resent after a server error.
    retryable: bool = True
    #: Which secret authenticates the call.
    credential: Credential = APP
    #: The error raised for an HTTP status particular to this call.
    status_errors: Mapping[int, type[APIError]] = attrs.field(
        factory=dict[int, "type[APIError]"], hash=False
    )
    #: The largest decoded answer read, in bytes (None: the transport's cap).
    max_response_size: int | None = None
    #: The request fields that fill path's placeholders, in order.
    placeholders: tuple[str, ...] = attrs.field(
        init=False, default=attrs.Factory(_placeholders_of, takes_self=True)
    )


SEND_MESSAGE: Final = Endpoint(
    "send_message", "POST", "messages.json", models.Notification, models.SendResult
)
#: The same call for an emergency: its own row, so that its answer's ``receipt`` is
#: typed ``str`` wherever the row is used (``send``'s overloads, ``call``).
SEND_EMERGENCY: Final = Endpoint(
    "send_emergency",
    "POST",
    "messages.json",
    models.EmergencyNotification,
    models.EmergencySendResult,
)


def _is_row(value: object) -> TypeGuard[Endpoint[Any, Any]]:
    return isinstance(value, Endpoint)


def _rows_of(namespace: dict[str, object]) -> tuple[Endpoint[Any, Any], ...]:
    return tuple(
        value
        for name, value in namespace.items()
        if _is_row(value) and not name.endswith("_LEGACY")
    )


def _every_row() -> tuple[Endpoint[Any, Any], ...]:
    """Every call once, in the order of Pushover's documentation: this module's rows,
    then each family's; an alias row (another path for the same call) is left out."""
    from importlib import import_module

    own = {k: v for k, v in globals().items() if k not in _rows.WHERE}  # not cached
    found = list(_rows_of(own))
    for module in _rows.MODULES:
        found += _rows_of(vars(import_module(module)))
    return tuple(found)


if TYPE_CHECKING:
    #: Every call once, in the order of Pushover's documentation (loads every family).
    ENDPOINTS: tuple[Endpoint[Any, Any], ...]
else:

    def __getattr__(name: str) -> object:
        if name == "ENDPOINTS":
            value: object = _every_row()
        elif name in _rows.WHERE:
            from importlib import import_module

            value = getattr(import_module(_rows.WHERE[name]), name)
        else:
            raise AttributeError(
                f"module 'chump_typed._endpoints' has no attribute {name!r}"
            )
        globals()[name] = value  # later lookups skip this function
        return value


scrub_public(globals())
