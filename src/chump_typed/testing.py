"""A fake Pushover for tests: in memory, over real loopback HTTP, with fault injection.

:class:`FakePushover` implements every endpoint of the Pushover API at the wire level
and applies Pushover's rules *independently* of chump_typed's own validators, so a test
against it checks the client rather than agreeing with it by construction. It records
everything it accepted. :class:`FakeTransport` plugs it into a client without sockets;
:func:`serve` puts it on ``127.0.0.1`` behind a real HTTP/1.1 server.

Zero configuration works, using the example identifiers of Pushover's documentation::

    >>> from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover
    >>> fake = FakePushover()
    >>> body = f"token={APP_TOKEN}&user={USER_KEY}&message=hello".encode()
    >>> headers = {"content-type": "application/x-www-form-urlencoded"}
    >>> fake.handle("POST", "/1/messages.json", headers, body).status
    200
    >>> [m.message for m in fake.messages]
    ['hello']

Over HTTP, with the first request failing after the server processed it::

    >>> import urllib3
    >>> from chump_typed.testing import Fault, serve
    >>> fake = FakePushover(faults=[Fault.SERVER_ERROR_HTML])
    >>> with serve(fake) as base_url, urllib3.PoolManager() as http:
    ...     first = http.request("GET", f"{base_url}sounds.json?token={APP_TOKEN}")
    ...     second = http.request("GET", f"{base_url}sounds.json?token={APP_TOKEN}")
    >>> first.status, second.status, fake.connections_opened
    (500, 200, 1)
"""

from __future__ import annotations

import binascii
import contextlib
import enum
import json
import re
import ssl
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from typing import Final, TypeAlias, cast
from urllib.parse import parse_qsl, unquote, unquote_plus, urlsplit

import attrs

from chump_typed import _fake_rules as rules
from chump_typed._fake_rules import (
    BUILTIN_SOUNDS,
    MAX_ATTACHMENT_BYTES,
    Attachment,
    Call,
    Group,
    GroupMember,
    License,
    Receipt,
    Rejection,
    SentMessage,
    TeamMember,
)
from chump_typed._fake_server import FakeServer
from chump_typed.errors import TransportError
from chump_typed.protocol import HTTPRequest, HTTPResponse

__all__ = [
    "APP_TOKEN",
    "BUILTIN_SOUNDS",
    "DEFAULT_CREDITS",
    "DEFAULT_LIMIT",
    "GROUP_KEY",
    "MAX_ATTACHMENT_BYTES",
    "SUBSCRIPTION_CODE",
    "TEAM_TOKEN",
    "USER_DEVICES",
    "USER_KEY",
    "Attachment",
    "Disconnect",
    "Exchange",
    "FakePushover",
    "FakeTransport",
    "Fault",
    "FaultStep",
    "Group",
    "GroupMember",
    "License",
    "Receipt",
    "ReceivedRequest",
    "SentMessage",
    "Slow",
    "TeamMember",
    "serve",
]

#: The application token of Pushover's documentation examples.
APP_TOKEN: Final = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
#: The user key of Pushover's documentation examples.
USER_KEY: Final = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
#: The devices the default user has.
USER_DEVICES: Final[tuple[str, ...]] = ("iphone", "droid2")
#: The group key of Pushover's documentation examples; its only member is USER_KEY.
GROUP_KEY: Final = "gznej3rKEVAvPUxu9vvNnqpmZpokzF"
#: The Team API token the fake accepts by default.
TEAM_TOKEN: Final = "tEAMtoKEN0000000000000000000te"
#: A subscription code the fake accepts by default.
SUBSCRIPTION_CODE: Final = "Example-abcd1234"
#: The default monthly message allowance.
DEFAULT_LIMIT: Final = 10_000
#: The default number of licence credits.
DEFAULT_CREDITS: Final = 10

_DEFAULT_PLATFORMS: Final = frozenset({"Android", "iOS"})


# ---------------------------------------------------------------------------- faults


class Fault(enum.Enum):
    """Something going wrong with one request, for reliability tests.

    :attr:`delivered` says whether the fake processed (and recorded) the request before
    failing: the case where resending would deliver a notification twice.
    """

    #: The connection is reset before the request is read. Not delivered.
    RESET_BEFORE_READ = "reset-before-read"
    #: The request is processed, then the connection is reset with no answer. Delivered.
    RESET_AFTER_READ = "reset-after-read"
    #: HTTP 500 with an HTML page, as a proxy would send. Not delivered.
    SERVER_ERROR_HTML = "500-html"
    #: HTTP 502 with an empty body. Not delivered.
    BAD_GATEWAY_EMPTY = "502-empty"
    #: HTTP 503 with a JSON error body. Not delivered.
    UNAVAILABLE_JSON = "503-json"
    #: The request is processed, then answered 200 with malformed JSON. Delivered.
    MALFORMED_JSON = "200-malformed-json"
    #: The request is processed; the answer announces more bytes than it sends, then
    #: the connection closes. Delivered.
    TRUNCATED_BODY = "truncated-body"
    #: HTTP 429 with the limit headers, as when the quota is spent. Not delivered.
    QUOTA_EXCEEDED = "429-quota"
    #: HTTP 400 with per-parameter errors. Not delivered.
    BAD_REQUEST = "400-bad-request"

    @property
    def delivered(self) -> bool:
        """Whether the request was processed before the failure."""
        return self in _DELIVERED

    @property
    def disconnects(self) -> bool:
        """Whether the failure is at connection level (no complete HTTP answer)."""
        return self in _DISCONNECTS


_DELIVERED: Final = frozenset(
    {Fault.RESET_AFTER_READ, Fault.MALFORMED_JSON, Fault.TRUNCATED_BODY}
)
_DISCONNECTS: Final = frozenset(
    {Fault.RESET_BEFORE_READ, Fault.RESET_AFTER_READ, Fault.TRUNCATED_BODY}
)


@attrs.frozen
class Slow:
    """Process the request normally, then wait *seconds* before answering. Delivered.

    Use it to trip a client's read timeout after the server has acted.
    """

    seconds: float = 1.0

    @property
    def delivered(self) -> bool:
        """Always true: the request is processed before the wait."""
        return True


#: One entry of a fault script: a fault, a slow answer, or None for a normal answer.
FaultStep: TypeAlias = "Fault | Slow | None"


def _json(data: object) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


_JSON_TYPE: Final = "application/json; charset=utf-8"

#: The canned answers of the faults that answer without processing the request.
_CANNED: Final[Mapping[Fault, tuple[int, str, bytes]]] = {
    Fault.SERVER_ERROR_HTML: (
        500,
        "text/html",
        b"<html><body><h1>500 Internal Server Error</h1></body></html>",
    ),
    Fault.BAD_GATEWAY_EMPTY: (502, "text/html", b""),
    Fault.UNAVAILABLE_JSON: (
        503,
        _JSON_TYPE,
        _json({"status": 0, "errors": ["service temporarily unavailable"]}),
    ),
}


# --------------------------------------------------------------------------- records


@attrs.frozen(kw_only=True)
class ReceivedRequest:
    """One request as the fake read it.

    ``path`` is as sent (still percent-encoded); ``params`` merges the query string
    and the body's text fields (file parts are not included).
    """

    method: str
    path: str
    params: Mapping[str, str] = attrs.field(hash=False)
    request: str


@attrs.frozen(kw_only=True)
class Exchange:
    """What to put on the wire for one request; the server-side view of a fault.

    ``response`` is None when the connection is reset instead. ``delay`` is how long
    to wait before answering. ``disconnect`` names a connection-level fault.
    """

    response: HTTPResponse | None
    delay: float = 0.0
    disconnect: Fault | None = None


class Disconnect(Exception):
    """Raised by :meth:`FakePushover.handle` for a connection-level fault."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(f"simulated {fault.value}")
        self.fault = fault

    @property
    def request_read(self) -> bool:
        """Whether the fake read and processed the request before failing."""
        return self.fault.delivered


# ---------------------------------------------------------------------- body parsing


class _BadBody(Exception):
    pass


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""


# One ``; name=value`` parameter; a quoted value may hold ";" (e.g. in a filename).
_MEDIA_PARAM: Final = re.compile(r';\s*([^\s=;]+)\s*=\s*("[^"]*"|[^;]*)')


def _media_params(value: str) -> tuple[str, dict[str, str]]:
    """Split ``type/sub; a=b; c="d"`` into the media type and its parameters."""
    kind, _, rest = value.partition(";")
    params = {
        name.lower(): raw.strip().strip('"')
        for name, raw in _MEDIA_PARAM.findall(";" + rest)
    }
    return kind.strip().lower(), params


def _multipart(
    body: bytes, boundary: str
) -> tuple[dict[str, str], dict[str, Attachment]]:
    """Parse multipart/form-data byte-exactly: text fields and file parts."""
    if not boundary:
        raise _BadBody("multipart body without boundary")
    delimiter = b"--" + boundary.encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 2 or not chunks[-1].startswith(b"--"):
        raise _BadBody("multipart body is not terminated")
    fields: dict[str, str] = {}
    files: dict[str, Attachment] = {}
    for chunk in chunks[1:-1]:
        head, sep, content = chunk.partition(b"\r\n\r\n")
        if not sep or not content.endswith(b"\r\n"):
            raise _BadBody("malformed multipart part")
        content = content[:-2]
        part_headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, colon, value = line.partition(":")
            if colon:
                part_headers[name.strip().lower()] = value.strip()
        _, disposition = _media_params(part_headers.get("content-disposition", ""))
        field = disposition.get("name")
        if field is None:
            raise _BadBody("multipart part without a name")
        if "filename" in disposition:
            files[field] = Attachment(
                content_type=part_headers.get("content-type", "").lower(),
                data=content,
                filename=disposition["filename"],
            )
        else:
            fields[field] = content.decode("utf-8")
    return fields, files


_BAD_ESCAPE: Final = re.compile(r"%(?![0-9A-Fa-f]{2})")


def _unquote_plus(text: str) -> str:
    """``urllib.parse.unquote_plus``, but fast for long, escape-heavy values.

    A base64 attachment is ~7 MB with a ``%2F`` every few bytes; the stdlib decoder
    takes seconds on that. Percent-encoding with valid escapes is quoted-printable
    with ``%`` for ``=``, which :func:`binascii.a2b_qp` decodes in C.
    """
    if "%" not in text or _BAD_ESCAPE.search(text):
        return unquote_plus(text, errors="strict")
    qp = text.replace("+", " ").replace("=", "=3D").replace("%", "=")
    return binascii.a2b_qp(qp.encode()).decode()


def _form_fields(body: bytes) -> dict[str, str]:
    """Parse ``application/x-www-form-urlencoded`` (last value of a name wins)."""
    fields: dict[str, str] = {}
    for pair in body.decode().split("&"):
        if pair:
            name, _, value = pair.partition("=")
            fields[_unquote_plus(name)] = _unquote_plus(value)
    return fields


def _json_fields(body: bytes) -> dict[str, str]:
    data: object = json.loads(body)
    if not isinstance(data, dict):
        raise _BadBody("JSON body must be an object")
    fields: dict[str, str] = {}
    # JSON object keys are always strings.
    for name, value in cast("dict[str, object]", data).items():
        if value is None:
            continue
        if isinstance(value, bool):
            fields[name] = "1" if value else "0"
        elif isinstance(value, (str, int, float)):
            fields[name] = str(value)
        else:
            raise _BadBody(f"JSON field {name!r} must be a scalar")
    return fields


def _parse_body(
    headers: Mapping[str, str], body: bytes
) -> tuple[dict[str, str], dict[str, Attachment]]:
    if not body:
        return {}, {}
    kind, params = _media_params(_header(headers, "content-type"))
    try:
        if kind == "multipart/form-data":
            return _multipart(body, params.get("boundary", ""))
        if kind == "application/json":
            return _json_fields(body), {}
        if kind in ("application/x-www-form-urlencoded", ""):
            return _form_fields(body), {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise _BadBody(str(exc)) from exc
    raise _BadBody(f"unsupported content type {kind!r}")


# -------------------------------------------------------------------------- the fake


class FakePushover:
    """An in-memory Pushover that applies the API's rules and records what it accepted.

    Thread-safe: one lock guards all state, so a threaded HTTP server may call it
    concurrently. Configuration is keyword-only; the defaults are the example
    identifiers of Pushover's documentation (see the module constants).

    ``faults`` is a script consumed one entry per incoming request; see :class:`Fault`.
    ``clock`` returns Unix time and drives timestamps and receipt expiry.
    """

    def __init__(
        self,
        *,
        app_tokens: Iterable[str] = (APP_TOKEN,),
        users: Mapping[str, Sequence[str]] | None = None,
        groups: Iterable[Group] | None = None,
        team_token: str = TEAM_TOKEN,
        custom_sounds: Mapping[str, str] | None = None,
        subscription_codes: Iterable[str] = (SUBSCRIPTION_CODE,),
        limit: int = DEFAULT_LIMIT,
        credits: int = DEFAULT_CREDITS,
        reset: int | None = None,
        faults: Iterable[FaultStep] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.Lock()
        users = {USER_KEY: USER_DEVICES} if users is None else users
        if groups is None:
            member = GroupMember(user=USER_KEY)
            groups = [Group(key=GROUP_KEY, name="Example group", members=(member,))]
        user_devices = {key: tuple(devices) for key, devices in users.items()}
        group_table = {group.key: group for group in groups}
        tokens, codes = frozenset(app_tokens), frozenset(subscription_codes)
        sounds = {**BUILTIN_SOUNDS, **(custom_sounds or {})}
        script = tuple(faults)

        def fresh() -> rules.State:
            return rules.State(
                clock=clock,
                app_tokens=tokens,
                team_token=team_token,
                users=dict(user_devices),
                groups=dict(group_table),
                sounds=dict(sounds),
                subscription_codes=codes,
                limit=limit,
                remaining=limit,
                reset=rules.next_month_start(clock()) if reset is None else reset,
                credits=credits,
                platforms=dict.fromkeys(user_devices, _DEFAULT_PLATFORMS),
            )

        self._fresh = fresh
        self._initial_faults = script
        self._state = fresh()
        self._faults: deque[FaultStep] = deque(script)
        self._requests: list[ReceivedRequest] = []
        self._opened = self._open = self._peak = 0

    # ---------------------------------------------------------------- control

    def reset(self) -> None:
        """Back to the configured start: records, receipts, quota, faults, counts."""
        with self._lock:
            self._state = self._fresh()
            self._faults = deque(self._initial_faults)
            self._requests = []
            # Connections still open stay counted: they will close later.
            self._opened, self._peak = self._open, self._open

    def inject(self, *faults: FaultStep) -> None:
        """Append *faults* to the script; each is consumed by one incoming request."""
        with self._lock:
            self._faults.extend(faults)

    def acknowledge(
        self, receipt: str, *, user: str | None = None, device: str | None = None
    ) -> Receipt:
        """Acknowledge an emergency message as a recipient would.

        *user* defaults to the first recipient, *device* to that user's first device.
        A callback URL, if given, is marked as called (the fake makes no request).
        Raises :class:`KeyError` for an unknown receipt and :class:`ValueError` if it
        is no longer active.
        """
        with self._lock:
            st = self._state
            current = rules.current_receipt(st, st.receipts[receipt])
            if not current.active:
                raise ValueError(f"receipt {receipt} is no longer active")
            who = user or (current.recipients[0] if current.recipients else "")
            base = st.base_user(who) or who
            devices = st.users.get(base, ())
            now = st.now()
            updated = attrs.evolve(
                current,
                acknowledged=True,
                acknowledged_at=now,
                acknowledged_by=who,
                acknowledged_by_device=device or (devices[0] if devices else ""),
                called_back=current.callback is not None,
                called_back_at=now if current.callback is not None else 0,
            )
            st.receipts[receipt] = updated
            return updated

    def expire(self, receipt: str) -> Receipt:
        """Let an emergency message's ``expire`` time pass now."""
        with self._lock:
            st = self._state
            current = st.receipts[receipt]
            updated = attrs.evolve(
                current, expired=True, expires_at=min(current.expires_at, st.now())
            )
            st.receipts[receipt] = updated
            return updated

    # ---------------------------------------------------------------- records

    @property
    def messages(self) -> tuple[SentMessage, ...]:
        """Every message accepted, oldest first."""
        with self._lock:
            return tuple(self._state.messages)

    @property
    def requests(self) -> tuple[ReceivedRequest, ...]:
        """Every request read (answered normally or not), oldest first."""
        with self._lock:
            return tuple(self._requests)

    def receipt(self, receipt: str) -> Receipt:
        """The current state of an emergency receipt (:class:`KeyError` if unknown)."""
        with self._lock:
            return rules.current_receipt(self._state, self._state.receipts[receipt])

    @property
    def groups(self) -> Mapping[str, Group]:
        """Delivery groups by key, as the Groups API has left them."""
        with self._lock:
            return dict(self._state.groups)

    @property
    def glances(self) -> Mapping[tuple[str, str | None], Mapping[str, str]]:
        """Current glance fields by ``(user, device or None)``."""
        with self._lock:
            return {k: dict(v) for k, v in self._state.glances.items()}

    @property
    def licenses(self) -> tuple[License, ...]:
        """Every licence assigned, oldest first."""
        with self._lock:
            return tuple(self._state.licenses)

    @property
    def credits(self) -> int:
        """Licence credits left."""
        with self._lock:
            return self._state.credits

    @property
    def remaining(self) -> int:
        """Messages left in this month's quota."""
        with self._lock:
            return self._state.remaining

    @property
    def team(self) -> Mapping[str, TeamMember]:
        """Team members added through the Teams API, by e-mail."""
        with self._lock:
            return dict(self._state.team)

    @property
    def subscribers(self) -> Mapping[str, str]:
        """Subscribed user keys issued by migrations -> the user key they stand for."""
        with self._lock:
            return dict(self._state.subscribers)

    # ---------------------------------------------------------------- connections

    def connection_opened(self) -> None:
        """Count a connection opened by a server in front of this fake."""
        with self._lock:
            self._opened += 1
            self._open += 1
            self._peak = max(self._peak, self._open)

    def connection_closed(self) -> None:
        """Count a connection closed by a server in front of this fake."""
        with self._lock:
            self._open -= 1

    @property
    def connections_opened(self) -> int:
        """Connections accepted by :func:`serve` in total."""
        with self._lock:
            return self._opened

    @property
    def peak_connections(self) -> int:
        """The most connections that were open at the same time."""
        with self._lock:
            return self._peak

    # ---------------------------------------------------------------- the wire

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> HTTPResponse:
        """Answer one request; *target* is the path plus an optional ``?query``.

        Sleeps for a :class:`Slow` step and raises :class:`Disconnect` for a
        connection-level :class:`Fault`.
        """
        exchange = self.exchange(method, target, headers, body)
        if exchange.delay:
            time.sleep(exchange.delay)
        if exchange.disconnect is not None:
            raise Disconnect(exchange.disconnect)
        assert exchange.response is not None
        return exchange.response

    def exchange(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Exchange:
        """Like :meth:`handle`, but return faults and delays as data (for servers)."""
        split = urlsplit(target)
        params = dict(parse_qsl(split.query, keep_blank_values=True))
        # Parse outside the lock: a 5 MiB upload must not stall other requests.
        bad_body: str | None = None
        try:
            fields, files = _parse_body(headers, body)
        except _BadBody as exc:
            fields, files, bad_body = {}, {}, str(exc)
        params.update(fields)
        with self._lock:
            step = self._faults.popleft() if self._faults else None
            if step is Fault.RESET_BEFORE_READ:
                return Exchange(response=None, disconnect=step)
            request = str(uuid.uuid4())
            self._requests.append(
                ReceivedRequest(
                    method=method, path=split.path, params=params, request=request
                )
            )
            if bad_body is not None:
                response = _error(
                    400, request, [f"request body is invalid: {bad_body}"]
                )
            else:
                response = self._answer(
                    step, method, split.path, params, files, request
                )
        if isinstance(step, Slow):
            return Exchange(response=response, delay=step.seconds)
        if step is Fault.RESET_AFTER_READ:
            return Exchange(response=None, disconnect=step)
        disconnect = step if step is Fault.TRUNCATED_BODY else None
        return Exchange(response=response, disconnect=disconnect)

    def _answer(
        self,
        step: FaultStep,
        method: str,
        path: str,
        params: dict[str, str],
        files: dict[str, Attachment],
        request: str,
    ) -> HTTPResponse:
        """Answer a recorded request normally, or with its fault's canned answer."""
        if isinstance(step, Fault) and step in _CANNED:
            status, kind, payload = _CANNED[step]
            return HTTPResponse(
                status=status, headers={"content-type": kind}, body=payload
            )
        if step is Fault.QUOTA_EXCEEDED:
            return _error(
                429,
                request,
                ["application has exceeded its monthly message limit"],
                headers=self._state.limit_headers(),
            )
        if step is Fault.BAD_REQUEST:
            return _error(
                400,
                request,
                ["user identifier is invalid", "message cannot be blank"],
                fields={"user": "invalid", "message": "invalid"},
            )
        response = self._dispatch(method, path, params, files, request)
        if step is Fault.MALFORMED_JSON:
            return attrs.evolve(response, status=200, body=b'{"status":1,"request":')
        return response

    def _dispatch(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        files: dict[str, Attachment],
        request: str,
    ) -> HTTPResponse:
        st = self._state
        matches = [(r, m) for r in rules.ROUTES if (m := r.pattern.match(path))]
        if not matches:
            return _error(404, request, [f"no such endpoint: {path}"])
        chosen = [(r, m) for r, m in matches if r.method == method]
        if not chosen:
            allowed = ", ".join(sorted({r.method for r, _ in matches}))
            return _error(
                405, request, ["method not allowed"], headers={"allow": allowed}
            )
        route, match = chosen[0]
        token = params.get("token", "")
        if route.auth == "team" and token != st.team_token:
            return _error(
                400, request, ["team token is invalid"], fields={"token": "invalid"}
            )
        if route.auth == "app" and token not in st.app_tokens:
            return _error(
                400,
                request,
                ["application token is invalid"],
                fields={"token": "invalid"},
            )
        # Decode each segment separately so an encoded "/" stays inside its tag.
        args = {name: unquote(value) for name, value in match.groupdict().items()}
        call = Call(request=request, params=params, path_args=args, files=files)
        try:
            reply = route.handler(st, call)
        except Rejection as rejection:
            return _response(
                rejection.status, rejection.body(request), rejection.headers
            )
        return _response(
            200, {**reply.fields, "status": 1, "request": request}, reply.headers
        )


def _response(
    status: int, body: Mapping[str, object], headers: Mapping[str, str] | None = None
) -> HTTPResponse:
    return HTTPResponse(
        status=status,
        headers={"content-type": _JSON_TYPE, **(headers or {})},
        body=_json(body),
    )


def _error(
    status: int,
    request: str,
    errors: list[str],
    *,
    fields: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTTPResponse:
    return _response(status, Rejection(status, errors, fields).body(request), headers)


# ------------------------------------------------------------------------- transport


class FakeTransport:
    """A :class:`~chump_typed.protocol.Transport` that answers from a fake, in memory.

    Connection-level faults become :class:`~chump_typed.errors.TransportError`, with
    ``may_have_been_sent`` true when the fake had already processed the request.
    """

    def __init__(self, fake: FakePushover | None = None) -> None:
        self.fake = FakePushover() if fake is None else fake
        self.closed = False

    def send(self, request: HTTPRequest) -> HTTPResponse:
        """Hand *request* to the fake and return its answer."""
        if self.closed:
            raise TransportError("transport is closed")
        split = urlsplit(request.url)
        target = split.path + (f"?{split.query}" if split.query else "")
        try:
            return self.fake.handle(
                request.method, target, request.headers, request.body
            )
        except Disconnect as exc:
            raise TransportError(
                f"connection failed: {exc}", may_have_been_sent=exc.request_read
            ) from exc

    def close(self) -> None:
        """Mark the transport closed; later sends fail like a closed pool would."""
        self.closed = True


@contextlib.contextmanager
def serve(
    fake: FakePushover | None = None,
    *,
    host: str = "127.0.0.1",
    ssl_context: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    delay: float = 0.0,
) -> Generator[str, None, None]:
    """Serve *fake* over HTTP/1.1 with keep-alive on a loopback port.

    Yields the base URL (``http://127.0.0.1:PORT/1/``, https with *ssl_context*;
    *server_hostname* replaces the host in the URL, e.g. ``localhost`` for TLS).
    *delay* seconds pass before every answer. Only loopback addresses may be bound.
    """
    server = FakeServer(
        FakePushover() if fake is None else fake,
        host=host,
        ssl_context=ssl_context,
        delay=delay,
    )
    try:
        yield server.base_url(server_hostname)
    finally:
        server.stop()
