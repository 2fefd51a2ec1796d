"""The in-memory fake Pushover: configuration, control, records, and the dispatcher
that runs each request through its family's rules."""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qsl, unquote, urlsplit

import attrs

# Annotations name chump_typed.E2EEKey, exported lazily: nothing here imports
# cryptography unless a tool evaluates them.
import chump_typed
from chump_typed.protocol import HTTPResponse
from chump_typed.testing import _accounts, _client_api, _groups, _messages
from chump_typed.testing._client_api import acknowledged
from chump_typed.testing._faults import (
    CANNED,
    JSON_TYPE,
    Disconnect,
    Exchange,
    Fault,
    FaultStep,
    ReceivedRequest,
    Slow,
    json_bytes,
)
from chump_typed.testing._state import (
    APP_TOKEN,
    BUILTIN_SOUNDS,
    DEFAULT_CREDITS,
    DEFAULT_LIMIT,
    DEFAULT_PLATFORMS,
    GROUP_KEY,
    SUBSCRIPTION_CODE,
    TEAM_TOKEN,
    USER_DEVICES,
    USER_KEY,
    Account,
    Call,
    ClientDevice,
    Group,
    License,
    Membership,
    ReceiptState,
    Rejection,
    Route,
    SentAttachment,
    SentMessage,
    State,
    TeamMember,
    current_receipt,
    new_key,
    next_month_start,
)
from chump_typed.testing._wire import BadBody, parse_body

if TYPE_CHECKING:
    from chump_typed.testing._push import PushServer

__all__ = ["FakePushover"]

#: Every endpoint of pushover-api.md §2-§13: each API family's routes (adding a call
#: to the fake is a handler and a ``route(...)`` in its family's module).
ROUTES: Final[tuple[Route, ...]] = (
    *_messages.ROUTES,
    *_groups.ROUTES,
    *_accounts.ROUTES,
    *_client_api.ROUTES,
)


class FakePushover:
    """An in-memory Pushover that applies the API's rules and records what it accepted.

    Thread-safe: one lock guards all state, so a threaded HTTP server may call it
    concurrently. Configuration is keyword-only; the defaults are the example
    identifiers of Pushover's documentation (see the module constants).

    ``faults`` is a script consumed one entry per incoming request; see :class:`Fault`.
    ``clock`` returns Unix time and drives timestamps and receipt expiry.
    ``e2ee_keys`` are users' end-to-end encryption keys (see :meth:`set_e2ee_key`).
    ``push_keepalive`` is the seconds between the realtime stream's ``#`` frames
    (see :attr:`push_url`).
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
        e2ee_keys: Mapping[str, chump_typed.E2EEKey] | None = None,
        push_keepalive: float = 30.0,
    ) -> None:
        if not push_keepalive > 0:
            raise ValueError("push_keepalive: must be more than 0 seconds")
        self._lock = threading.Lock()
        self._push_keepalive = push_keepalive
        self._push_host: str | None = None  # set while serve() serves this fake
        self._push: PushServer | None = None
        users = {USER_KEY: USER_DEVICES} if users is None else users
        if groups is None:
            member = Membership(user=USER_KEY)
            groups = [Group(key=GROUP_KEY, name="Example group", members=(member,))]
        user_devices = {key: tuple(devices) for key, devices in users.items()}
        group_table = {group.key: group for group in groups}
        tokens, codes = frozenset(app_tokens), frozenset(subscription_codes)
        sounds = {**BUILTIN_SOUNDS, **(custom_sounds or {})}
        script = tuple(faults)

        def fresh() -> State:
            account_users = {
                a.user: () for a in accounts.values() if a.user not in user_devices
            }
            return State(
                clock=clock,
                app_tokens=tokens,
                team_token=team_token,
                users={**account_users, **user_devices},
                groups=dict(group_table),
                sounds=dict(sounds),
                subscription_codes=codes,
                limit=limit,
                remaining=limit,
                reset=next_month_start(clock()) if reset is None else reset,
                credits=credits,
                platforms={
                    **dict.fromkeys(account_users, frozenset({"Desktop"})),
                    **dict.fromkeys(user_devices, DEFAULT_PLATFORMS),
                },
                e2ee_keys=keys,  # configuration: kept through reset()
                accounts=accounts,  # the same
            )

        keys: dict[str, Any] = dict(e2ee_keys or {})
        accounts: dict[str, Account] = {}
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

    def set_e2ee_key(self, user: str, key: chump_typed.E2EEKey) -> None:
        """Know *user*'s end-to-end encryption key, as their devices do: the record
        of an encrypted message to them then holds what they will read (kept through
        :meth:`reset`)."""
        with self._lock:
            self._state.e2ee_keys[user] = key

    def add_account(
        self,
        email: str,
        password: str,
        *,
        twofa: str | None = None,
        user: str | None = None,
    ) -> str:
        """Add a Pushover account that the Open Client API can log in to, and return
        its user key: *user* (one the fake knows, such as ``USER_KEY``, keeps its
        devices) or a new one. With *twofa*, a login must also give that code (the
        first attempt without it is answered with HTTP 412). Kept through
        :meth:`reset`; its devices and sessions are not."""
        if not email or not password:
            raise ValueError("an account needs an e-mail address and a password")
        with self._lock:
            st = self._state
            if email in st.accounts:
                raise ValueError(f"an account with e-mail {email!r} exists")
            key = new_key() if user is None else user
            st.accounts[email] = Account(
                email=email, password=password, user=key, twofa=twofa
            )
            st.users.setdefault(key, ())
            st.platforms[key] = st.platforms.get(key, frozenset()) | {"Desktop"}
            return key

    # ---------------------------------------------------------------- the stream

    @property
    def push_url(self) -> str:
        """The realtime stream's WebSocket URL, while :func:`serve` serves this fake
        (started on first use; it needs websockets, the extra
        ``chump_typed[receive]``). It sends ``!`` when a message arrives for a logged-in
        device, and ``#`` every ``push_keepalive`` seconds."""
        with self._lock:
            if self._push_host is None:
                raise RuntimeError("push_url: serve() this fake first")
            if self._push is None:
                from chump_typed.testing._push import PushServer

                self._push = PushServer(
                    self._push_host, self._push_login, self._push_keepalive
                )
            return self._push.url

    def push(self, frame: str | bytes, *, device_id: str | None = None) -> int:
        """Send *frame* (``"R"``, ``"E"``, ``"A"``, ...; bytes go as a binary frame)
        on the stream of *device_id* (of every device when ``None``); returns the
        connections reached."""
        return 0 if self._push is None else self._push.send(frame, device_id)

    def drop_push(self, *, device_id: str | None = None) -> int:
        """Drop the stream's connections (of *device_id*, or all) without a close
        frame, as a dead network does; returns how many."""
        from chump_typed.testing._push import DROP

        return 0 if self._push is None else self._push.send(DROP, device_id)

    def answer_push_logins(self, frame: str | None) -> None:
        """Answer every login on the stream with *frame*, then close it (``"R"``: a
        storm of reconnections, as a server having a bad day); ``None`` stops."""
        _ = self.push_url  # started, while served
        assert self._push is not None
        self._push.login_answer = frame

    def queue_message(self, device_id: str, **fields: object) -> int:
        """Queue a message for Open Client device *device_id*, its download fields
        replaced by *fields* (of any type: ``priority="urgent"`` makes a malformed
        message), and push ``!``; its id."""
        with self._lock:
            number = _client_api.queue_raw(self._state, device_id, fields)
        self._tell_stream()
        return number

    def queue_backlog(self, device_id: str, count: int, *, size: int = 1000) -> None:
        """Queue *count* messages of *size* characters for *device_id* (a device
        offline for a week: 2,000 of 1,000) and push ``!``."""
        with self._lock:
            _client_api.queue_backlog(self._state, device_id, count, size)
        self._tell_stream()

    @property
    def push_logins(self) -> int:
        """How many stream connections have logged in so far."""
        return 0 if self._push is None else self._push.logins

    @property
    def push_connections(self) -> int:
        """The stream connections open now."""
        return 0 if self._push is None else self._push.connections

    def _push_login(self, device_id: str, secret: str) -> bool:
        with self._lock:
            st = self._state
            device = st.devices.get(device_id)
            return device is not None and st.sessions.get(secret) == device.user

    def _serving(self, host: str | None) -> None:
        """:func:`serve` starts (*host*) or stops (``None``) serving this fake."""
        with self._lock:
            push, self._push = self._push, None
            self._push_host = host
        if push is not None:
            push.stop()

    def _tell_stream(self) -> None:
        with self._lock:
            pending, self._state.pending_push = self._state.pending_push, []
        if self._push is not None:
            for device_id in dict.fromkeys(pending):
                self._push.send("!", device_id)

    @property
    def devices(self) -> Mapping[str, ClientDevice]:
        """The Open Client devices registered, by id, with the messages waiting."""
        with self._lock:
            return dict(self._state.devices)

    def inject(self, *faults: FaultStep) -> None:
        """Append *faults* to the script; each is consumed by one incoming request."""
        with self._lock:
            self._faults.extend(faults)

    def acknowledge(
        self, receipt: str, *, user: str | None = None, device: str | None = None
    ) -> ReceiptState:
        """Acknowledge an emergency message as a recipient would.

        *user* defaults to the first recipient, *device* to that user's first device.
        A callback URL, if given, is marked as called (the fake makes no request).
        Raises :class:`KeyError` for an unknown receipt and :class:`ValueError` if it
        is no longer active.
        """
        with self._lock:
            st = self._state
            current = current_receipt(st, st.receipts[receipt])
            if not current.active:
                raise ValueError(f"receipt {receipt} is no longer active")
            who = user or (current.recipients[0] if current.recipients else "")
            base = st.base_user(who) or who
            devices = st.users.get(base, ())
            updated = acknowledged(
                st, current, who, device or (devices[0] if devices else "")
            )
            st.receipts[receipt] = updated
            return updated

    def expire(self, receipt: str) -> ReceiptState:
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

    def receipt(self, receipt: str) -> ReceiptState:
        """The current state of an emergency receipt (:class:`KeyError` if unknown)."""
        with self._lock:
            return current_receipt(self._state, self._state.receipts[receipt])

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
            fields, files = parse_body(headers, body)
        except BadBody as exc:
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
        self._tell_stream()
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
        files: dict[str, SentAttachment],
        request: str,
    ) -> HTTPResponse:
        """Answer a recorded request normally, or with its fault's canned answer."""
        if isinstance(step, Fault) and step in CANNED:
            status, kind, payload = CANNED[step]
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
        files: dict[str, SentAttachment],
        request: str,
    ) -> HTTPResponse:
        st = self._state
        matches = [(r, m) for r in ROUTES if (m := r.pattern.match(path))]
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
        if route.auth == "session" and params.get("secret", "") not in st.sessions:
            return _error(
                400, request, ["secret is invalid"], fields={"secret": "invalid"}
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
        headers={"content-type": JSON_TYPE, **(headers or {})},
        body=json_bytes(body),
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
