"""The five transport configurations every wire-level test runs on.

A test asks for the ``wire`` fixture (see ``tests/conftest.py``) and builds its client
with ``wire.client(url, **knobs)``. The knobs are the transports' shared keyword
arguments; ``sleep`` is a plain function, made async for the async transports. Whatever
the wire, the test gets an object with :class:`~chump_typed.Client`'s methods: an
:class:`~chump_typed.AsyncClient` is driven from the test's thread through an anyio
blocking portal (its event loop runs in a thread of its own), so that one test body
states one rule for all five, and no rule can hold for one transport and not another.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Generator
from typing import Any, Final, cast

import anyio.from_thread

from chump_typed import (
    AiohttpTransport,
    AsyncClient,
    AsyncHttpxTransport,
    Client,
    HttpxTransport,
    Urllib3Transport,
)
from chump_typed.testing import APP_TOKEN

__all__ = ["WIRES", "Wire"]


class _Blocking:
    """An :class:`AsyncClient` whose coroutine methods are called from sync code."""

    def __init__(
        self, portal: anyio.from_thread.BlockingPortal, client: AsyncClient
    ) -> None:
        self._portal = portal
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute
        if not inspect.iscoroutinefunction(attribute):

            def make(*args: Any, **kwargs: Any) -> Any:
                made: Any = attribute(*args, **kwargs)
                if hasattr(made, "__anext__"):  # send_iter: stepped from here
                    return _stepped(self._portal, made)
                return made

            return make

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._portal.call(functools.partial(attribute, *args, **kwargs))

        return call

    def __enter__(self) -> Client:
        return cast("Client", self)

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._portal.call(self._client.aclose)


def _stepped(
    portal: anyio.from_thread.BlockingPortal, iterator: AsyncIterator[Any]
) -> Generator[Any, None, None]:
    """An async iterator driven from sync code, one step per portal call; closed
    (``aclose()``) in the portal's loop when the caller stops."""
    try:
        while True:
            try:
                yield portal.call(iterator.__anext__)
            except StopAsyncIteration:
                return
    finally:
        closing = getattr(iterator, "aclose", None)
        if closing is not None:
            portal.call(closing)


def _async_sleep(sleep: Callable[[float], object]) -> Callable[[float], Any]:
    async def wait(seconds: float) -> None:
        sleep(seconds)

    return wait


class Wire:
    """One transport configuration: a library, sync or under an async backend."""

    def __init__(self, name: str, library: str, backend: str | None) -> None:
        self.name = name
        self.library = library
        #: ``None`` for a sync transport, else the anyio backend it runs under.
        self.backend = backend

    @property
    def is_async(self) -> bool:
        return self.backend is not None

    def transport(self, **knobs: Any) -> Any:
        """A transport of this configuration (sync or async) with *knobs*."""
        if self.is_async and knobs.get("sleep") is not None:
            knobs["sleep"] = _async_sleep(knobs["sleep"])
        made: type[Any] = {
            ("urllib3", False): Urllib3Transport,
            ("httpx", False): HttpxTransport,
            ("httpx", True): AsyncHttpxTransport,
            ("aiohttp", True): AiohttpTransport,
        }[self.library, self.is_async]
        return made(**knobs)

    @contextlib.contextmanager
    def client(
        self,
        base_url: str,
        *,
        token: str = APP_TOKEN,
        team_token: str | None = None,
        **knobs: Any,
    ) -> Generator[Client, None, None]:
        """A client of this configuration on *base_url*, closed on exit."""
        transport = self.transport(**knobs)
        settings: dict[str, Any] = {
            "team_token": team_token,
            "base_url": base_url,
            "transport": transport,
        }
        if self.backend is None:
            with Client(token, **settings) as client:
                yield client
            return
        with anyio.from_thread.start_blocking_portal(self.backend) as portal:
            blocking = _Blocking(portal, AsyncClient(token, **settings))
            with blocking as client:
                yield client

    def __repr__(self) -> str:
        return f"Wire({self.name})"


#: Every configuration, by the name a test id shows.
WIRES: Final = {
    wire.name: wire
    for wire in (
        Wire("urllib3", "urllib3", None),
        Wire("httpx", "httpx", None),
        Wire("aiohttp", "aiohttp", "asyncio"),
        Wire("httpx-asyncio", "httpx", "asyncio"),
        Wire("httpx-trio", "httpx", "trio"),
    )
}
