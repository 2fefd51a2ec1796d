"""The realtime stream, through serve() over loopback HTTP and WebSocket: each ``!``
leads to a download, drops and ``R`` neither repeat nor skip a message, ``E`` and
``A`` end the stream for good; sync, and async under asyncio.

Nothing here asserts a duration. Each stream is consumed in a thread (or a task)
with a generous guard, so that a bug hangs no run: the guard fails the test instead.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from chump_typed import Client, Notification
from chump_typed.errors import LoggedInElsewhereError, PushRejectedError
from chump_typed.receive import (
    AsyncOpenClient,
    Device,
    Listener,
    OpenClient,
    ReceivedMessage,
    Session,
)
from chump_typed.testing import APP_TOKEN, FakePushover, serve

pytestmark = pytest.mark.integration

#: Seconds a stream may take before the test is failed rather than left hanging.
GUARD = 60.0
EMAIL, PASSWORD = "me@example.com", "correct horse"


class Stream:
    """Consumes an iterator in a thread; ``take(n)`` waits (guarded) for n items."""

    def __init__(self, listener: Listener, *, eager: bool = False) -> None:
        """*eager*: consume as fast as messages come (else only as ``take`` asks)."""
        self.items: list[object] = []
        self.error: BaseException | None = None
        self._iterator = listener
        OPEN.append(listener)
        self._wanted = 10**9 if eager else 0
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for item in self._iterator:
                with self._changed:
                    self.items.append(item)
                    self._changed.notify_all()
                    # Take no more than asked: the rest stay "not taken".
                    while len(self.items) >= self._wanted:
                        self._changed.wait()
        except BaseException as error:  # the test reads it
            with self._changed:
                self.error = error
                self._changed.notify_all()

    def take(self, count: int) -> list[object]:
        """Wait until *count* items arrived (or the stream ended), and return them."""
        with self._changed:
            self._wanted = max(self._wanted, count)
            self._changed.notify_all()
            ended = self._changed.wait_for(
                lambda: len(self.items) >= count or self.error is not None, GUARD
            )
        assert ended, f"the stream hung: {len(self.items)} of {count} items"
        return list(self.items)

    def finished(self) -> bool:
        """Wait (guarded) for the consuming thread to end; whether it did."""
        with self._changed:
            self._wanted = 10**9
            self._changed.notify_all()
        self._thread.join(GUARD)
        return not self._thread.is_alive()

    def end(self) -> BaseException:
        """Wait for the stream to end with an error, and return it."""
        with self._changed:
            self._wanted = 10**9
            self._changed.notify_all()
            ended = self._changed.wait_for(lambda: self.error is not None, GUARD)
        assert ended and self.error is not None, "the stream did not end"
        return self.error


#: The listeners the tests opened, closed after each test (their threads end).
OPEN: list[Listener] = []


@pytest.fixture(autouse=True)
def _close_listeners() -> Iterator[None]:
    yield
    while OPEN:
        OPEN.pop().close()


def wait_until(condition: Callable[[], bool]) -> None:
    """Wait (guarded) for *condition*, polling."""
    event = threading.Event()
    for _ in range(int(GUARD / 0.01)):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("the condition never held")


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover(push_keepalive=0.2)


@pytest.fixture
def url(fake: FakePushover) -> Iterator[str]:
    with serve(fake) as base_url:
        yield base_url


@pytest.fixture
def user(fake: FakePushover) -> str:
    return fake.add_account(EMAIL, PASSWORD)


@pytest.fixture
def sender(url: str) -> Iterator[Client]:
    with Client(APP_TOKEN, base_url=url) as client:
        yield client


@pytest.fixture
def receiver(fake: FakePushover, url: str) -> Iterator[OpenClient]:
    with OpenClient(base_url=url, push_url=fake.push_url) as client:
        yield client


@pytest.fixture
def session(receiver: OpenClient, user: str) -> Session:
    return receiver.login(EMAIL, PASSWORD)


@pytest.fixture
def device(session: Session) -> Device:
    return session.register_device("desk")


def texts(items: list[object]) -> list[str]:
    return [item.message for item in items if isinstance(item, ReceivedMessage)]


def downloads(fake: FakePushover) -> int:
    return sum(1 for r in fake.requests if r.method == "GET" and "messages" in r.path)


def test_each_push_leads_to_a_download_of_what_client_sent(
    fake: FakePushover, session: Session, device: Device, sender: Client, user: str
) -> None:
    stream = Stream(session.listen(device, reconnect_wait=0.01))
    # The backlog, the download after the login, and the one on the first frame
    # (the fake's "#" that says the login was taken): then it waits for frames.
    wait_until(lambda: downloads(fake) == 3)

    sender.send(Notification(user=user, message="live"))

    assert texts(stream.take(1)) == ["live"]
    assert downloads(fake) == 4  # the "!" frame, and nothing else


def test_the_backlog_first_and_deletion_once_taken(
    fake: FakePushover, session: Session, device: Device, sender: Client, user: str
) -> None:
    sender.send(Notification(user=user, message="waiting"))
    stream = Stream(session.listen(device, reconnect_wait=0.01))
    assert texts(stream.take(1)) == ["waiting"]
    assert len(fake.devices[device.id].pending) == 1  # yielded, not yet taken

    sender.send(Notification(user=user, message="live"))

    assert texts(stream.take(2)) == ["waiting", "live"]
    # "waiting" was taken (the consumer asked for the next): deleted on the server;
    # "live" is yielded but not taken: it stays, and a restart would get it again.
    last = stream.items[1]
    assert isinstance(last, ReceivedMessage)
    wait_until(lambda: fake.devices[device.id].pending == (last.id,))


def test_drops_and_reconnects_neither_repeat_nor_skip_200_messages(
    fake: FakePushover, session: Session, device: Device, sender: Client, user: str
) -> None:
    stream = Stream(session.listen(device, reconnect_wait=0.01), eager=True)
    wait_until(lambda: fake.push_connections == 1)
    for number in range(200):
        sender.send(Notification(user=user, message=f"m{number}"))
        if number == 60:
            fake.drop_push()
        if number == 130:
            fake.push("R")
        if number == 170:
            fake.push(b"R")  # a binary frame means the same
    received = stream.take(200)

    assert texts(received) == [f"m{number}" for number in range(200)]
    assert stream.error is None
    wait_until(lambda: fake.push_logins >= 2)  # it noticed the drop, and came back


@pytest.mark.parametrize(
    ("frame", "error"), [("E", PushRejectedError), ("A", LoggedInElsewhereError)]
)
def test_e_and_a_end_the_stream_without_reconnecting(
    fake: FakePushover,
    session: Session,
    device: Device,
    frame: str,
    error: type[Exception],
) -> None:
    stream = Stream(session.listen(device, reconnect_wait=0.01))
    wait_until(lambda: fake.push_connections == 1)
    fake.push(frame)
    ended = stream.end()
    assert isinstance(ended, error)
    assert "log in again" in str(ended) or "elsewhere" in str(ended)
    assert fake.push_logins == 1  # and no reconnect followed


def test_close_from_another_thread_ends_the_stream(
    fake: FakePushover, session: Session, device: Device
) -> None:
    listener = session.listen(device, reconnect_wait=0.01)
    stream = Stream(listener, eager=True)
    wait_until(lambda: fake.push_connections == 1)
    listener.close()
    assert stream.finished()
    assert stream.error is None and stream.items == []
    wait_until(lambda: fake.push_connections == 0)


def test_next_while_another_thread_closes_the_stream_ends_the_iteration(
    monkeypatch: pytest.MonkeyPatch,
    fake: FakePushover,
    session: Session,
    device: Device,
    sender: Client,
    user: str,
) -> None:
    """close() in one thread is cleaning up the stream when next() comes in another:
    next() waits for it and ends the iteration, never "generator already executing"."""
    from chump_typed.receive import _listen

    exiting = threading.Event()
    hang_up = _listen._hang_up  # pyright: ignore[reportPrivateUsage]

    def slow(connection: Any, *, polite: bool) -> None:
        exiting.set()
        time.sleep(0.2)  # the window in which next() may come from another thread
        hang_up(connection, polite=polite)

    monkeypatch.setattr(_listen, "_hang_up", slow)
    listener = session.listen(device)
    OPEN.append(listener)

    def send_once_connected() -> None:  # so that the message comes through the stream
        wait_until(lambda: fake.push_connections == 1)
        sender.send(Notification(user=user, message="held"))

    sending = threading.Thread(target=send_once_connected)
    sending.start()
    assert next(listener).message == "held"  # the generator is suspended in the stream
    sending.join(GUARD)
    closer = threading.Thread(target=listener.close)
    closer.start()
    assert exiting.wait(GUARD), "close() never reached the stream's clean-up"
    with pytest.raises(StopIteration):
        next(listener)
    closer.join(GUARD)
    assert not closer.is_alive()


def test_anext_while_another_task_closes_the_stream_ends_the_iteration(
    monkeypatch: pytest.MonkeyPatch,
    fake: FakePushover,
    url: str,
    user: str,
    sender: Client,
) -> None:
    """The async twin: aclose() in one task is cleaning up when __anext__ comes in
    another; it waits and ends the iteration, never "already running"."""
    from chump_typed.receive import _alisten

    async def main() -> None:
        exiting = asyncio.Event()
        core = _alisten._Core  # pyright: ignore[reportPrivateUsage]
        hang_up = core.hang_up

        async def slow(self: Any) -> None:
            exiting.set()
            await asyncio.sleep(0.2)  # the window in which __anext__ may come
            await hang_up(self)

        monkeypatch.setattr(core, "hang_up", slow)
        async with AsyncOpenClient(base_url=url, push_url=fake.push_url) as client:
            session = await client.login(EMAIL, PASSWORD)
            device = await session.register_device("desk")
            listener = session.listen(device)

            async def send_once_connected() -> None:
                while fake.push_connections == 0:
                    await asyncio.sleep(0.01)
                note = Notification(user=user, message="held")
                await asyncio.to_thread(sender.send, note)

            sending = asyncio.create_task(send_once_connected())
            first = await asyncio.wait_for(listener.__anext__(), GUARD)
            assert first.message == "held"
            await sending
            closer = asyncio.create_task(listener.aclose())
            await asyncio.wait_for(exiting.wait(), GUARD)
            with pytest.raises(StopAsyncIteration):
                await asyncio.wait_for(listener.__anext__(), GUARD)
            await asyncio.wait_for(closer, GUARD)

    asyncio.run(main())


def test_a_with_block_closes_the_listener(
    fake: FakePushover, session: Session, device: Device, sender: Client, user: str
) -> None:
    sender.send(Notification(user=user, message="one"))
    with session.listen(device) as messages:
        first = next(messages)
    assert first.message == "one"
    with pytest.raises(StopIteration):
        next(messages)


def test_the_fake_answers_a_bad_stream_login_with_e(
    fake: FakePushover, session: Session, device: Device
) -> None:
    from websockets.sync.client import connect

    for line in (f"login:{device.id}:wrong-secret\n", "hello\n"):
        with connect(fake.push_url, proxy=None) as socket:
            socket.send(line)
            assert socket.recv(timeout=GUARD) == "E"
    assert fake.push_logins == 0


def test_silence_replaces_the_socket(url: str, user: str, sender: Client) -> None:
    quiet = FakePushover(push_keepalive=60)  # no keep-alive within the test
    account = quiet.add_account(EMAIL, PASSWORD)
    with (
        serve(quiet) as quiet_url,
        OpenClient(base_url=quiet_url, push_url=quiet.push_url) as client,
        Client(APP_TOKEN, base_url=quiet_url) as quiet_sender,
    ):
        session = client.login(EMAIL, PASSWORD)
        device = session.register_device("desk")
        stream = Stream(session.listen(device, silence=0.2, reconnect_wait=0.01))
        wait_until(lambda: quiet.push_logins >= 3)  # replaced, and replaced again
        quiet_sender.send(Notification(user=account, message="after the silence"))
        assert texts(stream.take(1)) == ["after the silence"]


def test_the_login_line_never_reaches_a_log(
    fake: FakePushover,
    session: Session,
    device: Device,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="chump_typed.receive.websocket"):
        stream = Stream(session.listen(device, reconnect_wait=0.01))
        wait_until(lambda: fake.push_connections == 1)
        fake.push("E")
        stream.end()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "login:<redacted>" in logged  # websockets logged the frame, redacted
    assert session.secret not in logged


def test_listen_checks_its_settings_before_any_io(
    fake: FakePushover, session: Session, device: Device
) -> None:
    from chump_typed import ValidationError

    before = len(fake.requests)
    with pytest.raises(ValidationError, match="silence"):
        session.listen(device, silence=0)
    with pytest.raises(ValidationError, match="reconnect_wait"):
        session.listen(device, reconnect_wait=-1)
    with pytest.raises(ValidationError, match="device"):
        session.listen("bad/id")
    assert len(fake.requests) == before


# -- Async (asyncio) ----------------------------------------------------------------


async def take(stream: AsyncIterator[ReceivedMessage], count: int) -> list[str]:
    got: list[str] = []
    async for message in stream:
        got.append(message.message)
        if len(got) == count:
            break
    return got


@pytest.mark.parametrize(
    ("frame", "error"), [("E", PushRejectedError), ("A", LoggedInElsewhereError)]
)
def test_async_listen_survives_drops_and_ends_on_e_and_a(
    fake: FakePushover,
    url: str,
    user: str,
    sender: Client,
    frame: str,
    error: type[Exception],
) -> None:
    async def main() -> tuple[list[str], BaseException | None]:
        async with AsyncOpenClient(base_url=url, push_url=fake.push_url) as client:
            session = await client.login(EMAIL, PASSWORD)
            device = await session.register_device("desk")
            stream = session.listen(device, reconnect_wait=0.01)

            async def produce() -> None:
                while fake.push_connections == 0:
                    await asyncio.sleep(0.01)
                for number in range(200):
                    await asyncio.to_thread(
                        sender.send, Notification(user=user, message=f"m{number}")
                    )
                    if number == 60:
                        fake.drop_push()
                    if number == 130:
                        fake.push("R")

            producer = asyncio.create_task(produce())
            got = await asyncio.wait_for(take(stream, 200), GUARD)
            await producer
            rest = asyncio.create_task(take(stream, 1))
            # The socket may be between connections (the R above): say it until
            # the stream ends, within the guard.
            for _ in range(int(GUARD / 0.05)):
                if rest.done():
                    break
                fake.push(frame)
                await asyncio.sleep(0.05)
            return got, rest.exception()

    got, ended = asyncio.run(main())
    assert got == [f"m{number}" for number in range(200)]
    assert isinstance(ended, error)
