"""The async Open Client: :class:`AsyncOpenClient` logs in, :class:`AsyncSession`
receives.

The sync twin, :mod:`chump_typed.receive._sync`, is generated from this module by
``scripts/generate.py``, so the two cannot drift.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from chump_typed import _endpoints as ep
from chump_typed import models
from chump_typed._checks import base_url_or_env
from chump_typed._execute import async_transport, execute_async, http_request_for
from chump_typed._redact import remember
from chump_typed._scrub import scrub_public
from chump_typed.errors import UnexpectedResponseError
from chump_typed.protocol import AsyncTransport, SendOptions
from chump_typed.receive import _calls as rc
from chump_typed.receive._stream import DEFAULT_SILENCE, FIRST_WAIT

if TYPE_CHECKING:
    from collections.abc import Mapping

    from typing_extensions import Self

    from chump_typed.e2ee import E2EEKey
    from chump_typed.receive._alisten import AsyncListener

__all__ = ["AsyncOpenClient", "AsyncSession"]

Req = TypeVar("Req", bound=attrs.AttrsInstance)
Resp = TypeVar("Resp", bound=models.Result)


class AsyncOpenClient:
    """A receiving client of Pushover's Open Client API, for async code (asyncio; the
    calls also run under trio with :class:`~chump_typed.AsyncHttpxTransport`).

    :param base_url: the API root; https only, except for loopback hosts.
    :param push_url: the realtime WebSocket; ``wss://`` only, except on loopback.
    :param transport: an :class:`~chump_typed.protocol.AsyncTransport`; by default
        one chosen on first use, as :class:`~chump_typed.AsyncClient` chooses it.
    :param max_download_size: the largest download answer read, in bytes (default
        :data:`~chump_typed.receive.DEFAULT_MAX_DOWNLOAD_SIZE`, 16 MiB: a week
        offline); the other calls keep the transport's cap (1 MiB).

    :meth:`login` (or :meth:`session`, with a stored secret) gives the
    :class:`AsyncSession` that registers a device and downloads its messages.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        push_url: str | None = None,
        transport: AsyncTransport | None = None,
        max_download_size: int | None = None,
    ) -> None:
        rc.check_max_download_size(max_download_size)
        self.base_url: Final = base_url_or_env(base_url)
        self.push_url: Final = rc.push_url_or_env(push_url)
        self.transport: Final = async_transport(transport, type(self).__name__)
        #: The largest download answer read (``None``: the row's, 16 MiB).
        self.max_download_size: Final = max_download_size

    async def login(
        self, email: str, password: str, *, twofa: str | None = None
    ) -> AsyncSession:
        """Log in to the account and return its new session.

        Each login has its own secret (:attr:`AsyncSession.secret`): store it securely and
        resume with :meth:`session` rather than logging in again. Every Open Client
        device must get a Pushover **Desktop licence** within 30 days of its
        registration (pushover-api.md §13).

        :raises TwoFactorRequired: the account uses two-factor authentication: call
            again with ``twofa=`` the code from the authenticator app.
        :raises APIError: the e-mail address or the password is wrong.
        """
        request = models.LoginRequest(email=email, password=password, twofa=twofa)
        result = await self._run(ep.LOGIN, request, {})
        return AsyncSession(self, result.secret, user=result.id)

    def session(self, secret: str, device_id: str | None = None) -> AsyncSession:
        """Resume a session from its stored *secret* (and the id of the device it
        registered), without logging in again; nothing is sent."""
        device = None if device_id is None else models.Device(id=device_id)
        return AsyncSession(self, secret, device=device)

    async def _run(
        self,
        endpoint: ep.Endpoint[Req, Resp],
        request: Req,
        credentials: Mapping[ep.Credential, str],
        options: SendOptions | None = None,
    ) -> Resp:
        http_request = http_request_for(endpoint, request, credentials, self.base_url)
        cap = rc.cap_for(endpoint, self.max_download_size)
        options = rc.options_for(cap, options)
        if options is not None:
            http_request = attrs.evolve(http_request, options=options)
        try:
            return await execute_async(self.transport, http_request, endpoint)
        except UnexpectedResponseError as error:
            rc.name_the_cap(error, cap)

    async def aclose(self) -> None:
        """Close the transport's pooled connections."""
        await self.transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        base_url = getattr(self, "base_url", None)
        return f"{type(self).__name__}(base_url={base_url!r})"

    def __getstate__(self) -> Any:
        name = type(self).__name__
        raise TypeError(f"{name} holds a connection pool and cannot be pickled")


class AsyncSession:
    """One login's session: the calls a receiving device makes.

    ``secret`` authenticates them (it never shows in the ``repr``); ``user`` is the
    account's user key when the session came from a login; ``device`` is the device
    the calls are about when none is given (the one :meth:`AsyncOpenClient.session` was
    resumed with).
    """

    def __init__(
        self,
        client: AsyncOpenClient,
        secret: str,
        *,
        user: str | None = None,
        device: models.Device | None = None,
    ) -> None:
        self._credentials: Final = rc.session_credentials(secret)
        remember(self, secret)
        self.client: Final = client
        self.user: Final = user
        self.device: Final = device

    @property
    def secret(self) -> str:
        """The session's secret, to store (securely) and resume from."""
        return self._credentials[ep.SESSION]

    async def call(self, endpoint: ep.Endpoint[Req, Resp], request: Req) -> Resp:
        """Run one row of the endpoint table with this session's secret."""
        return await self.client._run(endpoint, request, self._credentials)  # pyright: ignore[reportPrivateUsage]

    async def register_device(self, name: str) -> models.Device:
        """Register an Open Client device named *name* (1 to 25 of
        ``[A-Za-z0-9_-]``; what senders put in ``device=``) and return it. Store its
        id: the device needs a Desktop licence within 30 days.

        :raises APIError: the name is taken (the server's reason says so).
        """
        request = models.DeviceRequest(name=name)
        return rc.device_from(await self.call(ep.REGISTER_DEVICE, request), name)

    async def download(
        self,
        device: models.Device | str | None = None,
        *,
        e2ee_key: E2EEKey | None = None,
        on_undecodable: rc.OnUndecodable | None = None,
    ) -> list[models.ReceivedMessage]:
        """The messages waiting for *device* (default: the session's), oldest first.
        They stay on the server until :meth:`delete_through` removes them.

        With *e2ee_key*, end-to-end encrypted messages are decrypted; one that the
        key does not open is returned with ``undecryptable`` set, not dropped.

        Each message is read on its own: one that cannot be read (a field of the
        wrong type) is left out and given to *on_undecodable* as an
        :class:`~chump_typed.receive.UndecodableMessage`, or logged at WARNING
        without one; the others are returned.
        """
        device_id = rc.device_id_of(device, self._device_id)
        rc.check_e2ee_key(e2ee_key)
        rc.check_on_undecodable(on_undecodable)
        read, unread = await self._download(device_id, e2ee_key)
        for message in unread:
            rc.report_undecodable(message, on_undecodable)
        return read

    async def _download(
        self, device_id: str, e2ee_key: E2EEKey | None
    ) -> tuple[list[models.ReceivedMessage], list[models.UndecodableMessage]]:
        """The messages waiting, read one by one: those read (decrypted with
        *e2ee_key*), and those that could not be."""
        request = models.DownloadRequest(device_id=device_id)
        result = await self.call(rc.READ_ONE_BY_ONE, request)
        read, unread = rc.read_messages(result)
        return rc.opened(read, e2ee_key), unread

    async def _delete_once(self, device_id: str, message_id: int) -> None:
        """Delete through *message_id* with one attempt of at most
        :data:`~chump_typed.receive._stream.LAST_DELETE` seconds (a listener's last)."""
        from chump_typed._retry import RetryPolicy
        from chump_typed.receive._stream import LAST_DELETE

        request = models.DeleteThroughRequest(device_id=device_id, message=message_id)
        once = SendOptions(deadline=LAST_DELETE, retries=RetryPolicy(retries=0))
        await self.client._run(ep.DELETE_THROUGH, request, self._credentials, once)  # pyright: ignore[reportPrivateUsage]

    async def delete_through(
        self, device: models.Device | str | None, message_id: int
    ) -> models.DeleteThroughResult:
        """Delete *device*'s messages up to and including id *message_id* (the
        highest id processed)."""
        device_id = rc.device_id_of(device, self._device_id)
        request = models.DeleteThroughRequest(device_id=device_id, message=message_id)
        return await self.call(ep.DELETE_THROUGH, request)

    async def acknowledge(self, receipt: str) -> models.AcknowledgeResult:
        """Acknowledge the emergency message with *receipt*: it stops re-alerting,
        and the sender's receipt poll shows it acknowledged."""
        request = models.AcknowledgeRequest(receipt=receipt)
        return await self.call(ep.ACKNOWLEDGE, request)

    def listen(
        self,
        device: models.Device | str | None = None,
        *,
        e2ee_key: E2EEKey | None = None,
        silence: float = DEFAULT_SILENCE,
        reconnect_wait: float = FIRST_WAIT,
        on_undecodable: rc.OnUndecodable | None = None,
    ) -> AsyncListener:
        """Each message for *device*, as it arrives, under asyncio::

            async with session.listen(device) as messages:
                async for message in messages:
                    ...

        The same rules as :meth:`Session.listen <chump_typed.receive.Session.listen>`:
        the backlog first, each message once and in order, deleted once you ask for
        the next, reconnections that neither repeat nor skip, a message that cannot
        be read given to *on_undecodable* (or logged at WARNING). Leaving the block
        (or :meth:`AsyncListener.aclose`) ends it at once and deletes what was taken.

        :raises PushRejectedError: Pushover's ``E``.
        :raises LoggedInElsewhereError: Pushover's ``A``.
        """
        device_id = rc.device_id_of(device, self._device_id)
        rc.check_stream_settings(silence, reconnect_wait)
        rc.check_e2ee_key(e2ee_key)
        rc.check_on_undecodable(on_undecodable)
        rc.require_websockets()
        from chump_typed.receive._alisten import AsyncListener

        return AsyncListener(
            self,
            device_id,
            e2ee_key=e2ee_key,
            silence=silence,
            reconnect_wait=reconnect_wait,
            on_undecodable=on_undecodable,
        )

    @property
    def _device_id(self) -> str | None:
        return None if self.device is None else self.device.id

    def __repr__(self) -> str:
        user = None if self.user is None else "<redacted>"
        name = type(self).__name__
        return f"{name}(secret=<redacted>, user={user}, device={self.device!r})"

    def __getstate__(self) -> Any:
        name = type(self).__name__
        raise TypeError(f"{name} holds its client's connections: store its secret")


scrub_public(globals())
