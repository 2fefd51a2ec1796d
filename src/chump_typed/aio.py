"""The client, :class:`AsyncClient`, for asyncio and trio.

Each method builds its request model and runs its row of the endpoint table
(:mod:`chump_typed._endpoints`) through the executor (:mod:`chump_typed._execute`);
bad input is refused before any I/O.

The sync twin, :class:`~chump_typed.Client` in :mod:`chump_typed.client`, is generated
from this module by ``scripts/generate.py``, so the two cannot drift.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar, overload

import attrs

from chump_typed import _endpoints as ep
from chump_typed import models
from chump_typed._checks import DEFAULT_BASE_URL, base_url_or_env
from chump_typed._execute import (
    async_transport,
    credentials,
    execute_async,
    http_request_for,
    send_options,
    settings_from_env,
)
from chump_typed._redact import remember
from chump_typed._scrub import scrub_public
from chump_typed.protocol import AsyncTransport

if TYPE_CHECKING:
    from collections.abc import (
        AsyncGenerator,
        AsyncIterable,
        Callable,
        Iterable,
        Mapping,
        Sequence,
    )

    from typing_extensions import Self

    from chump_typed._bulk import SendOutcome
    from chump_typed._repair import BroadcastRepair, KeyStatus
    from chump_typed._retry import RetryPolicy
    from chump_typed.budget import Budget
    from chump_typed.e2ee import E2EEKey
    from chump_typed.protocol import SendOptions

__all__ = ["AsyncClient"]

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)


class AsyncClient:
    """A Pushover application, typed end to end, for asyncio and trio.

    :param token: the application's API token (30 letters and digits).
    :param team_token: the Team API token, needed only by the Teams calls
        (:meth:`add_team_user`, :meth:`remove_team_user`, :meth:`team_info`,
        :meth:`revoke_team_invitation`); its format is not documented.
    :param base_url: the API root; https only, except for loopback hosts. By default
        ``PUSHOVER_BASE_URL`` when it is set (``chump-typed fake`` prints it), else
        Pushover's.
    :param transport: an :class:`~chump_typed.protocol.AsyncTransport`; by default one
        chosen on first use: :class:`~chump_typed.AiohttpTransport` under asyncio
        (extra ``chump_typed[aiohttp]``; the httpx one if only that is installed),
        :class:`~chump_typed.AsyncHttpxTransport` under trio (extra
        ``chump_typed[httpx]``). It opens its connections on first use, in the event
        loop that uses it, so a client may be built outside any event loop.
    :param budget: what message sends may spend, in quota units (one per recipient
        key): a :class:`~chump_typed.budget.MemoryBudget` for this process, a
        :class:`~chump_typed.budget.SQLiteBudget` for a host, a
        :class:`~chump_typed.budget.RedisBudget` for a fleet. A send it has no room
        for raises :class:`~chump_typed.BudgetExceededError` and sends nothing; a
        429, or ``X-Limit-App-Remaining: 0``, closes it until Pushover's reset.
        Other calls spend nothing. See :doc:`/budgets`.

    Use it as ``async with AsyncClient(token) as client:``, or call :meth:`aclose`.
    Tokens never appear in the client's ``repr``, in log records or in errors.
    """

    def __init__(
        self,
        token: str,
        *,
        team_token: str | None = None,
        base_url: str | None = None,
        transport: AsyncTransport | None = None,
        budget: Budget | None = None,
    ) -> None:
        self._credentials: Final = credentials(token, team_token)
        remember(self, token, team_token)
        self.base_url: Final = base_url_or_env(base_url)
        self.transport: Final = async_transport(transport, type(self).__name__)
        self._options: SendOptions | None = None
        if budget is not None:
            from chump_typed._spending import check_budget

            budget = check_budget(budget)
        #: What message sends spend from (``None``: no budget).
        self.budget: Final = budget

    @classmethod
    def from_env(
        cls,
        *,
        environ: Mapping[str, str] | None = None,
        transport: AsyncTransport | None = None,
        budget: Budget | None = None,
    ) -> Self:
        """A client set up by the environment: ``PUSHOVER_TOKEN`` (required),
        ``PUSHOVER_BASE_URL`` and ``PUSHOVER_TEAM_TOKEN`` (optional); *environ*
        replaces :data:`os.environ`; *budget* as in the constructor.

        :raises ValidationError: ``PUSHOVER_TOKEN`` is not set (the error names it),
            or a value breaks its rule.
        """
        import os

        token, team_token, base_url = settings_from_env(
            os.environ if environ is None else environ, DEFAULT_BASE_URL
        )
        return cls(
            token,
            team_token=team_token,
            base_url=base_url,
            transport=transport,
            budget=budget,
        )

    async def call(
        self,
        endpoint: ep.Endpoint[Req, Resp],
        request: Req,
        *,
        e2ee_key: E2EEKey | None = None,
        extra_params: Mapping[str, str] | None = None,
    ) -> Resp:
        """Run one row of the endpoint table and return its result (a message with
        *e2ee_key* goes end-to-end encrypted: see :mod:`chump_typed.e2ee`).
        *extra_params* adds string parameters Pushover documents after this release
        (never encrypted; none may be a field of the request or one the library sets,
        such as ``token`` or ``user``).

        :raises ValidationError: the request does not fit the row.
        :raises APIError: Pushover rejected the request.
        :raises TransportError: no response arrived.
        :raises UnexpectedResponseError: the response could not be decoded.
        """
        return await self._run(endpoint, request, e2ee_key, extra_params)

    async def _run(
        self,
        endpoint: ep.Endpoint[Req, Resp],
        request: Req,
        e2ee_key: E2EEKey | None = None,
        extra_params: Mapping[str, str] | None = None,
    ) -> Resp:
        """What :meth:`call` does, and what each method runs: private, so not wrapped
        a second time by the scrubbing of tracebacks (each public method is)."""
        http_request = http_request_for(
            endpoint, request, self._credentials, self.base_url, e2ee_key, extra_params
        )
        if self._options is not None:
            http_request = attrs.evolve(http_request, options=self._options)
        if self.budget is not None:
            from chump_typed import _spending

            units = _spending.units_for(endpoint, request)
            if units:  # a message: spent before it goes out (BudgetExceededError)
                return await _spending.execute_async(
                    self.budget, units, self.transport, http_request, endpoint
                )
        return await execute_async(self.transport, http_request, endpoint)

    def with_options(
        self, *, deadline: float | None = None, retries: RetryPolicy | int | None = None
    ) -> Self:
        """A client that shares this one's transport (and its connection pool) but
        sends each call with its own *deadline* (seconds, retries and waits included)
        and *retries*: a :class:`~chump_typed.RetryPolicy`, or an int *n* for
        ``RetryPolicy(retries=n)``, which replaces the whole policy (Pushover's waits
        included), not only its count. What is not given stays as this client sends
        it. Closing either client closes the shared transport. A transport of your
        own honours them if it reads ``HTTPRequest.options``
        (:class:`~chump_typed.protocol.SendOptions`).
        """
        options = send_options(self._options, deadline=deadline, retries=retries)
        twin = object.__new__(type(self))  # not copy.copy: __getstate__ refuses
        vars(twin).update(vars(self), _options=options)
        remember(twin, *self._credentials.values())
        return twin

    # -- One method per row ------------------------------------------------------------

    @overload
    async def send(
        self,
        notification: models.EmergencyNotification,
        *,
        e2ee_key: E2EEKey | None = None,
        extra_params: Mapping[str, str] | None = None,
    ) -> models.EmergencySendResult: ...
    @overload
    async def send(
        self,
        notification: models.Notification,
        *,
        e2ee_key: E2EEKey | None = None,
        extra_params: Mapping[str, str] | None = None,
    ) -> models.SendResult: ...
    @overload
    async def send(
        self,
        notification: models.AnyNotification,
        *,
        e2ee_key: E2EEKey | None = None,
        extra_params: Mapping[str, str] | None = None,
    ) -> models.SendResult: ...
    async def send(
        self,
        notification: models.AnyNotification,
        *,
        e2ee_key: E2EEKey | None = None,
        extra_params: Mapping[str, str] | None = None,
    ) -> models.SendResult:
        """Send a message (``POST messages.json``); with *e2ee_key*, the recipient's
        key, end-to-end encrypted (its text only: see :mod:`chump_typed.e2ee`).
        *extra_params* adds string parameters Pushover documents after this release,
        as :meth:`call` does. An :class:`~chump_typed.EmergencyNotification` returns
        an :class:`~chump_typed.EmergencySendResult`, whose ``receipt`` is set."""
        if isinstance(notification, models.EmergencyNotification):
            return await self._run(
                ep.SEND_EMERGENCY, notification, e2ee_key, extra_params
            )
        return await self._run(ep.SEND_MESSAGE, notification, e2ee_key, extra_params)

    def send_iter(
        self,
        notifications: Iterable[models.AnyNotification]
        | AsyncIterable[models.AnyNotification],
        *,
        max_in_flight: int = 2,
        e2ee_key: E2EEKey | Mapping[str, E2EEKey] | None = None,
        on_outcome: Callable[[SendOutcome], object] | None = None,
    ) -> AsyncGenerator[SendOutcome, None]:
        """Send each notification once, reading them as it goes, and yield one
        outcome per notification, in order, as they are known:
        ``async for outcome in client.send_iter(notifications): ...``.

        At most *max_in_flight* (1 or 2) are sent at a time, and at most two per
        send in flight are read and not yet reported: memory stays bounded for any
        input, an endless one included. An item that is not a notification, or
        whose recipients have no key in an *e2ee_key* mapping, is its own
        :class:`~chump_typed.Failed` outcome. A spent quota or budget stops the
        reading (a sequence's rest is :class:`~chump_typed.NotAttempted`).
        *on_outcome* is called with each outcome before it is yielded, and with
        those of the sends an interruption cuts short, whose error then carries a
        :class:`~chump_typed.SendProgress`.

        It works in steps: a step's sends finish
        before its outcomes are yielded, so that no task outlives a ``yield``."""
        from chump_typed._bulk_run import send_iter_async

        return send_iter_async(
            self,
            notifications,
            max_in_flight=max_in_flight,
            e2ee_key=e2ee_key,
            on_outcome=on_outcome,
        )

    async def send_many(
        self,
        notifications: Iterable[models.AnyNotification]
        | AsyncIterable[models.AnyNotification],
        *,
        max_in_flight: int = 2,
        e2ee_key: E2EEKey | Mapping[str, E2EEKey] | None = None,
        on_outcome: Callable[[SendOutcome], object] | None = None,
    ) -> list[SendOutcome]:
        """Every outcome of :meth:`send_iter`, in a list: each notification sent
        once, at most *max_in_flight* (1 or 2) at a time; stops when the quota or
        budget is spent. *e2ee_key*: one key for all, or each user's key. An error
        or a cancellation that cuts the run short carries a
        :class:`~chump_typed.SendProgress` of every outcome known, and
        *on_outcome* has been called with each."""
        from chump_typed._bulk_run import send_many_async

        return await send_many_async(
            self,
            notifications,
            max_in_flight=max_in_flight,
            e2ee_key=e2ee_key,
            on_outcome=on_outcome,
        )

    async def broadcast(
        self,
        template: models.AnyNotification,
        users: Iterable[str],
        *,
        max_in_flight: int = 2,
        e2ee_key: E2EEKey | Mapping[str, E2EEKey] | None = None,
        on_outcome: Callable[[SendOutcome], object] | None = None,
    ) -> list[SendOutcome]:
        """Send *template* to every key in *users*, 50 recipients per request (with
        *e2ee_key*, only users who share a key in one request; every key checked
        before the first is sent); *on_outcome* as for :meth:`send_many`."""
        from chump_typed._bulk_run import broadcast_async

        return await broadcast_async(
            self,
            template,
            users,
            max_in_flight=max_in_flight,
            e2ee_key=e2ee_key,
            on_outcome=on_outcome,
        )

    async def repair_broadcast(
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
        return await self._run(ep.LIST_SOUNDS, models.SoundsRequest())

    async def validate_user(
        self, user: str, device: str | None = None
    ) -> models.UserValidation:
        """Check that *user* (a user or group key) is valid and has an active device."""
        return await self._run(
            ep.VALIDATE_USER, models.ValidateUserRequest(user=user, device=device)
        )

    async def receipt(self, receipt: str) -> models.Receipt:
        """Poll an emergency message's receipt (no more than every 5 seconds)."""
        return await self._run(ep.GET_RECEIPT, models.ReceiptRequest(receipt=receipt))

    async def cancel(self, receipt: str) -> models.CancelResult:
        """Stop an emergency message's retries."""
        return await self._run(ep.CANCEL_RECEIPT, models.CancelRequest(receipt=receipt))

    async def cancel_by_tag(self, tag: str) -> models.CancelByTagResult:
        """Stop the retries of every emergency message sent with *tag*."""
        return await self._run(ep.CANCEL_BY_TAG, models.CancelByTagRequest(tag=tag))

    async def limits(self) -> models.AppLimits:
        """The account's monthly allowance; does not spend any of it."""
        return await self._run(ep.GET_LIMITS, models.LimitsRequest())

    # -- Groups --------------------------------------------------------------------------

    async def create_group(self, name: str) -> models.GroupCreateResult:
        """Create a delivery group; the result holds its new key."""
        return await self._run(ep.CREATE_GROUP, models.GroupCreateRequest(name=name))

    async def list_groups(self) -> models.GroupList:
        """The delivery groups of the application's owner."""
        return await self._run(ep.LIST_GROUPS, models.GroupListRequest())

    async def group_info(self, group: str) -> models.GroupInfo:
        """A group's name and memberships."""
        return await self._run(ep.GROUP_INFO, models.GroupInfoRequest(group=group))

    async def add_group_user(
        self,
        group: str,
        user: str,
        *,
        device: str | None = None,
        memo: str | None = None,
    ) -> models.GroupAddUserResult:
        """Add *user* to *group*, optionally for one device, with a memo (<= 200)."""
        return await self._run(
            ep.ADD_GROUP_USER,
            models.GroupAddUserRequest(
                group=group, user=user, device=device, memo=memo
            ),
        )

    async def remove_group_user(
        self, group: str, user: str, *, device: str | None = None
    ) -> models.GroupRemoveUserResult:
        """Remove *user* from *group* (``remove_user.json``; see
        :data:`~chump_typed._endpoints.REMOVE_GROUP_USER_LEGACY` for the older name)."""
        return await self._run(
            ep.REMOVE_GROUP_USER,
            models.GroupRemoveUserRequest(group=group, user=user, device=device),
        )

    async def disable_group_user(
        self, group: str, user: str, *, device: str | None = None
    ) -> models.GroupDisableUserResult:
        """Pause *user*'s deliveries from *group*."""
        return await self._run(
            ep.DISABLE_GROUP_USER,
            models.GroupDisableUserRequest(group=group, user=user, device=device),
        )

    async def enable_group_user(
        self, group: str, user: str, *, device: str | None = None
    ) -> models.GroupEnableUserResult:
        """Resume *user*'s deliveries from *group*."""
        return await self._run(
            ep.ENABLE_GROUP_USER,
            models.GroupEnableUserRequest(group=group, user=user, device=device),
        )

    async def rename_group(self, group: str, name: str) -> models.GroupRenameResult:
        """Give *group* a new name."""
        return await self._run(
            ep.RENAME_GROUP, models.GroupRenameRequest(group=group, name=name)
        )

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
            ep.MIGRATE_SUBSCRIPTION,
            models.SubscriptionMigrateRequest(
                subscription=subscription,
                user=user,
                device_name=device_name,
                sound=sound,
            ),
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
        request = models.LicenseAssignRequest(user=user, email=email, os=os)
        return await self._run(ep.ASSIGN_LICENSE, request)

    async def license_credits(self) -> models.LicenseCredits:
        """The licence credits that remain."""
        return await self._run(ep.LICENSE_CREDITS, models.LicenseCreditsRequest())

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
            ep.ADD_TEAM_USER,
            models.TeamAddUserRequest(
                email=email,
                name=name,
                password=password,
                instant=instant,
                admin=admin,
                group=group,
            ),
        )

    async def remove_team_user(self, email: str) -> models.TeamRemoveUserResult:
        """Remove a user from the team (needs ``team_token``)."""
        request = models.TeamRemoveUserRequest(email=email)
        return await self._run(ep.REMOVE_TEAM_USER, request)

    async def team_info(self) -> models.TeamInfo:
        """The team, its users and their devices (needs ``team_token``; the endpoint
        and its answer's shape are unverified)."""
        return await self._run(ep.TEAM_INFO, models.TeamInfoRequest())

    async def revoke_team_invitation(
        self, email: str
    ) -> models.TeamRevokeInvitationResult:
        """Withdraw a pending invitation (needs ``team_token``; unverified endpoint)."""
        return await self._run(
            ep.REVOKE_TEAM_INVITATION, models.TeamRevokeInvitationRequest(email=email)
        )

    # -- Lifecycle ---------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the transport's pooled connections."""
        await self.transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        # getattr: a client whose construction failed half-way still has a repr.
        base_url = getattr(self, "base_url", None)
        return f"{type(self).__name__}(token=<redacted>, base_url={base_url!r})"

    def __getstate__(self) -> Any:
        name = type(self).__name__
        raise TypeError(f"{name} holds a connection pool and cannot be pickled")


scrub_public(globals())
