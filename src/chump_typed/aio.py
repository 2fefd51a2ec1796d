"""The async client: :class:`AsyncClient`, on anyio (asyncio and trio).

The same table and the same rules as :class:`~chump_typed.Client`: each method
builds its request with the same :mod:`chump_typed._calls` function and runs it as
:meth:`AsyncClient.call` does; only the waiting differs. Bad input is refused before any
I/O, as on ``Client``.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from chump_typed import _calls, models
from chump_typed import _endpoints as ep
from chump_typed._redact import remember
from chump_typed._scrub import scrub_public
from chump_typed.client import DEFAULT_BASE_URL, base_url_or_env
from chump_typed.errors import PushoverError
from chump_typed.protocol import (
    AsyncTransport,
    HTTPRequest,
    HTTPResponse,
    is_async_transport,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterable, Coroutine, Iterable, Mapping, Sequence

    from typing_extensions import Self

    from chump_typed._bulk import SendOutcome
    from chump_typed._repair import BroadcastRepair, KeyStatus
    from chump_typed.e2ee import E2EEKey

__all__ = ["AsyncClient"]

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)


class _DefaultTransport:
    """Chooses the transport on first use, when the event loop is known:
    :class:`~chump_typed.AiohttpTransport` under asyncio (else the httpx one),
    :class:`~chump_typed.AsyncHttpxTransport` under trio."""

    def __init__(self) -> None:
        if not (_installed("aiohttp") or _installed("httpx")):
            raise ImportError(
                "AsyncClient needs an async transport library: pip install "
                "'chump_typed[aiohttp]' (asyncio) or 'chump_typed[httpx]' (asyncio "
                "and trio)"
            )
        self.chosen: AsyncTransport | None = None

    def _choose(self) -> AsyncTransport:
        import asyncio

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            on_asyncio = False
        else:
            on_asyncio = True
        if on_asyncio and _installed("aiohttp"):
            from chump_typed._aiohttp import AiohttpTransport

            return AiohttpTransport()
        if not _installed("httpx"):
            raise ImportError(
                "AsyncClient under trio needs httpx: pip install 'chump_typed[httpx]'"
            )
        from chump_typed._httpx import AsyncHttpxTransport

        return AsyncHttpxTransport()

    async def send(self, request: HTTPRequest) -> HTTPResponse:
        if self.chosen is None:
            self.chosen = self._choose()
            # From now on the chosen transport's send is called directly: one
            # coroutine fewer per call.
            self.send = self.chosen.send  # type: ignore[method-assign]
        return await self.chosen.send(request)

    async def aclose(self) -> None:
        if self.chosen is not None:
            await self.chosen.aclose()

    def __repr__(self) -> str:
        return f"<chosen on first use: {self.chosen!r}>"


def _installed(library: str) -> bool:
    """Whether *library* can be imported (without importing it: start-up stays
    cheap)."""
    import importlib.util

    return importlib.util.find_spec(library) is not None


def async_transport(transport: AsyncTransport | None, sync_twin: str) -> AsyncTransport:
    """*transport*, checked to be an async one (chosen on first use when ``None``);
    *sync_twin* names the class a sync transport goes with, for the error."""
    if transport is None:
        return _DefaultTransport()
    if not is_async_transport(transport):
        raise TypeError(
            f"transport: expected an AsyncTransport (whose send is a coroutine "
            f"function), got a {type(transport).__name__}; a sync transport "
            f"goes with {sync_twin}"
        )
    return transport


async def execute(
    transport: AsyncTransport,
    http_request: HTTPRequest,
    endpoint: ep.Endpoint[Any, Resp],
) -> Resp:
    """The async executor, the twin of :func:`chump_typed.client.execute`."""
    started = time.perf_counter()
    try:
        response = await transport.send(http_request)
    except PushoverError as error:
        _calls.log_failure(http_request, started, error)
        raise
    return _calls.result_of(endpoint, http_request, response, started)


class AsyncClient:
    """A Pushover application, typed end to end, for async code (asyncio or trio).

    :param token: the application's API token (30 letters and digits).
    :param base_url: the API root; https only, except for loopback hosts.
    :param team_token: the Team API token, needed only by the Teams calls.
    :param transport: an :class:`~chump_typed.protocol.AsyncTransport`; by default one
        chosen on first use: :class:`~chump_typed.AiohttpTransport` under asyncio
        (extra ``chump_typed[aiohttp]``; the httpx one if only that is installed),
        :class:`~chump_typed.AsyncHttpxTransport` under trio (extra
        ``chump_typed[httpx]``). It opens its connections on first use, in the event
        loop that uses it, so a client may be built outside any event loop.

    Use it as ``async with AsyncClient(token) as client:``, or call :meth:`aclose`.
    """

    def __init__(
        self,
        token: str,
        *,
        team_token: str | None = None,
        base_url: str | None = None,
        transport: AsyncTransport | None = None,
    ) -> None:
        self._credentials: Final = _calls.credentials(token, team_token)
        remember(self, token, team_token)
        self.base_url: Final = base_url_or_env(base_url)
        self.transport: Final[AsyncTransport] = async_transport(transport, "Client")

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        transport: AsyncTransport | None = None,
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

    async def call(
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
        return await self._run(endpoint, request, e2ee_key)

    def _run(
        self,
        endpoint: ep.Endpoint[Req, Resp],
        request: Req,
        e2ee_key: E2EEKey | None = None,
    ) -> Coroutine[Any, Any, Resp]:
        """The request checked and encoded, and the coroutine that sends it: what
        :meth:`call` awaits, and what each method awaits directly (one coroutine and
        one scrubbing wrapper fewer per call). A bad request raises here, in the
        awaiting method, before any I/O."""
        return execute(
            self.transport,
            _calls.http_request_for(
                endpoint, request, self._credentials, self.base_url, e2ee_key
            ),
            endpoint,
        )

    # -- One method per row ------------------------------------------------------------

    async def send(
        self, notification: models.Notification, *, e2ee_key: E2EEKey | None = None
    ) -> models.SendResult:
        """Send a message (``POST messages.json``); with *e2ee_key*, the recipient's
        key, end-to-end encrypted (its text only: see :mod:`chump_typed.e2ee`)."""
        return await self._run(ep.SEND_MESSAGE, notification, e2ee_key=e2ee_key)

    async def send_many(
        self,
        notifications: Iterable[models.Notification]
        | AsyncIterable[models.Notification],
        *,
        max_in_flight: int = 2,
        e2ee_key: E2EEKey | Mapping[str, E2EEKey] | None = None,
    ) -> list[SendOutcome]:
        """Send each notification once, at most *max_in_flight* (1 or 2) at a time;
        one outcome per notification, in order; stops when the quota is spent.
        *notifications* may be an async iterable. *e2ee_key*: one key for all, or
        each user's key (every recipient needs one, checked before anything is
        sent)."""
        from chump_typed._bulk import send_many_async

        return await send_many_async(
            self, notifications, max_in_flight=max_in_flight, e2ee_key=e2ee_key
        )

    async def broadcast(
        self,
        template: models.Notification,
        users: Iterable[str],
        *,
        max_in_flight: int = 2,
        e2ee_key: E2EEKey | Mapping[str, E2EEKey] | None = None,
    ) -> list[SendOutcome]:
        """Send *template* to every key in *users*, 50 recipients per request (with
        *e2ee_key*, only users who share a key in one request)."""
        from chump_typed._bulk import broadcast_async

        return await broadcast_async(
            self, template, users, max_in_flight=max_in_flight, e2ee_key=e2ee_key
        )

    async def repair_broadcast(
        self,
        outcomes: Sequence[SendOutcome],
        *,
        known: Mapping[str, KeyStatus] | None = None,
        max_rejections: int = 5,
        max_in_flight: int = 2,
    ) -> BroadcastRepair:
        """:meth:`chump_typed.Client.repair_broadcast`, awaited: the same rules
        (keys checked once each, at most *max_rejections* 4xx answers, nobody sent
        twice)."""
        from chump_typed._repair import repair_broadcast_async

        return await repair_broadcast_async(
            self,
            outcomes,
            known=known,
            max_rejections=max_rejections,
            max_in_flight=max_in_flight,
        )

    async def sounds(self) -> models.SoundList:
        """List the sounds this application may use."""
        return await self._run(*_calls.sounds())

    async def validate_user(
        self, user: str, device: str | None = None
    ) -> models.UserValidation:
        """Check that *user* (a user or group key) is valid and has an active device."""
        return await self._run(*_calls.validate_user(user, device))

    async def receipt(self, receipt: str) -> models.Receipt:
        """Poll an emergency message's receipt (no more than every 5 seconds)."""
        return await self._run(*_calls.receipt(receipt))

    async def cancel(self, receipt: str) -> models.CancelResult:
        """Stop an emergency message's retries."""
        return await self._run(*_calls.cancel(receipt))

    async def cancel_by_tag(self, tag: str) -> models.CancelByTagResult:
        """Stop the retries of every emergency message sent with *tag*."""
        return await self._run(*_calls.cancel_by_tag(tag))

    async def limits(self) -> models.AppLimits:
        """The account's monthly allowance; does not spend any of it."""
        return await self._run(*_calls.limits())

    # -- Groups --------------------------------------------------------------------------

    async def create_group(self, name: str) -> models.GroupCreateResult:
        """Create a delivery group; the result holds its new key."""
        return await self._run(*_calls.create_group(name))

    async def list_groups(self) -> models.GroupList:
        """The delivery groups of the application's owner."""
        return await self._run(*_calls.list_groups())

    async def group_info(self, group: str) -> models.GroupInfo:
        """A group's name and memberships."""
        return await self._run(*_calls.group_info(group))

    async def add_group_user(
        self,
        group: str,
        user: str,
        *,
        device: str | None = None,
        memo: str | None = None,
    ) -> models.GroupAddUserResult:
        """Add *user* to *group*, optionally for one device, with a memo (<= 200)."""
        return await self._run(*_calls.add_group_user(group, user, device, memo))

    async def remove_group_user(
        self, group: str, user: str, *, device: str | None = None
    ) -> models.GroupRemoveUserResult:
        """Remove *user* from *group* (``remove_user.json``; see
        :data:`~chump_typed._endpoints.REMOVE_GROUP_USER_LEGACY` for the older name)."""
        return await self._run(*_calls.remove_group_user(group, user, device))

    async def disable_group_user(
        self, group: str, user: str, *, device: str | None = None
    ) -> models.GroupDisableUserResult:
        """Pause *user*'s deliveries from *group*."""
        return await self._run(*_calls.disable_group_user(group, user, device))

    async def enable_group_user(
        self, group: str, user: str, *, device: str | None = None
    ) -> models.GroupEnableUserResult:
        """Resume *user*'s deliveries from *group*."""
        return await self._run(*_calls.enable_group_user(group, user, device))

    async def rename_group(self, group: str, name: str) -> models.GroupRenameResult:
        """Give *group* a new name."""
        return await self._run(*_calls.rename_group(group, name))

    # -- Glances, subscriptions, licensing, teams ---------------------------------------

    async def update_glance(self, glance: models.GlanceUpdate) -> models.GlanceResult:
        """Push data to a user's glance widget (allow >= 20 minutes between updates
        for an Apple Watch)."""
        return await self._run(ep.UPDATE_GLANCE, glance)

    async def migrate_subscription(
        self,
        subscription: str,
        user: str,
        *,
        device_name: str | None = None,
        sound: str | None = None,
    ) -> models.SubscriptionMigrateResult:
        """Subscribe *user* to *subscription*; send to the returned
        ``subscribed_user_key`` from then on."""
        return await self._run(
            *_calls.migrate_subscription(subscription, user, device_name, sound)
        )

    async def assign_license(
        self,
        *,
        user: str | None = None,
        email: str | None = None,
        os: models.LicenseOS | None = None,
    ) -> models.LicenseAssignResult:
        """Spend a licence credit on a user key or an e-mail address (exactly one).
        Never retried automatically."""
        return await self._run(*_calls.assign_license(user, email, os))

    async def license_credits(self) -> models.LicenseCredits:
        """The licence credits that remain."""
        return await self._run(*_calls.license_credits())

    async def add_team_user(
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
        return await self._run(
            *_calls.add_team_user(email, name, password, instant, admin, group)
        )

    async def remove_team_user(self, email: str) -> models.TeamRemoveUserResult:
        """Remove a user from the team (needs ``team_token``)."""
        return await self._run(*_calls.remove_team_user(email))

    async def team_info(self) -> models.TeamInfo:
        """The team, its users and their devices (needs ``team_token``; the endpoint
        and its answer's shape are unverified)."""
        return await self._run(*_calls.team_info())

    async def revoke_team_invitation(
        self, email: str
    ) -> models.TeamRevokeInvitationResult:
        """Withdraw a pending invitation (needs ``team_token``; unverified endpoint)."""
        return await self._run(*_calls.revoke_team_invitation(email))

    # -- Lifecycle ---------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the transport's pooled connections."""
        await self.transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        base_url = getattr(self, "base_url", None)
        return f"AsyncClient(token=<redacted>, base_url={base_url!r})"

    def __getstate__(self) -> Any:
        raise TypeError("an AsyncClient holds a connection pool and cannot be pickled")


scrub_public(globals())
