"""Receiving through the Open Client API, against the fake over loopback HTTP: login
(with and without 2FA), devices, download of what ``Client`` sent (to a device, to a
group), deletion, acknowledgement; sync, and async under asyncio and trio."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from chump_typed import (
    APIError,
    Client,
    EmergencyNotification,
    Notification,
    Priority,
    ValidationError,
)
from chump_typed.e2ee import E2EEKey
from chump_typed.receive import (
    AsyncOpenClient,
    OpenClient,
    ReceivedMessage,
    Session,
    TwoFactorRequired,
)
from chump_typed.testing import APP_TOKEN, GROUP_KEY, FakePushover, serve

pytestmark = pytest.mark.integration

EMAIL = "me@example.com"
PASSWORD = "correct horse battery staple"
CODE = "246810"


@pytest.fixture
def fake() -> FakePushover:
    return FakePushover()


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
def session(url: str, user: str) -> Iterator[Session]:
    with OpenClient(base_url=url) as client:
        yield client.login(EMAIL, PASSWORD)


def texts(messages: list[ReceivedMessage]) -> list[str]:
    return [m.message for m in messages]


# -- Logging in --------------------------------------------------------------------


def test_login_gives_the_user_key_and_a_secret(url: str, user: str) -> None:
    with OpenClient(base_url=url) as client:
        first = client.login(EMAIL, PASSWORD)
        second = client.login(EMAIL, PASSWORD)
    assert first.user == user
    assert first.secret != second.secret  # each login has its own secret
    assert first.secret not in repr(first) and user not in repr(first)


def test_two_factor_login_asks_for_the_code_then_succeeds(
    fake: FakePushover, url: str
) -> None:
    user = fake.add_account("2fa@example.com", PASSWORD, twofa=CODE)
    with OpenClient(base_url=url) as client:
        with pytest.raises(TwoFactorRequired) as caught:
            client.login("2fa@example.com", PASSWORD)
        session = client.login("2fa@example.com", PASSWORD, twofa=CODE)
    assert caught.value.http_status == 412
    assert "twofa=" in str(caught.value)
    assert PASSWORD not in repr(caught.value) and PASSWORD not in str(caught.value)
    assert session.user == user


def test_a_wrong_password_or_code_is_an_api_error(
    fake: FakePushover, url: str, user: str
) -> None:
    fake.add_account("2fa@example.com", PASSWORD, twofa=CODE)
    with OpenClient(base_url=url) as client:
        with pytest.raises(APIError) as wrong:
            client.login(EMAIL, "wrong")
        with pytest.raises(APIError) as bad_code:
            client.login("2fa@example.com", PASSWORD, twofa="111111")
    assert not isinstance(wrong.value, TwoFactorRequired)
    assert "password" in str(wrong.value)
    assert "wrong" not in repr(wrong.value)
    assert "111111" not in repr(bad_code.value)


# -- Devices and messages ------------------------------------------------------------


def test_a_registered_device_downloads_what_client_sent(
    session: Session, sender: Client, user: str
) -> None:
    device = session.register_device("desk")
    sender.send(Notification(user=user, message="hello", title="first"))
    sender.send(Notification(user=user, message="second", priority=Priority.HIGH))

    messages = session.download(device)

    assert texts(messages) == ["hello", "second"]
    assert messages[0].title == "first"
    assert messages[1].priority is Priority.HIGH
    assert messages[0].id < messages[1].id
    assert all(m.date is not None and m.date.tzinfo is not None for m in messages)
    assert session.download(device) == messages  # nothing deleted yet


def test_device_names_only_the_named_devices(
    session: Session, sender: Client, user: str
) -> None:
    desk, phone = session.register_device("desk"), session.register_device("phone")
    sender.send(Notification(user=user, message="to all"))
    sender.send(Notification(user=user, message="to phone", device="phone"))
    assert texts(session.download(desk)) == ["to all"]
    assert texts(session.download(phone)) == ["to all", "to phone"]


def test_a_message_to_a_group_reaches_its_members_devices(
    session: Session, sender: Client, user: str
) -> None:
    device = session.register_device("desk")
    sender.add_group_user(GROUP_KEY, user)
    sender.send(Notification(user=GROUP_KEY, message="to the group"))
    assert texts(session.download(device)) == ["to the group"]


def test_another_accounts_messages_never_arrive(
    fake: FakePushover, url: str, session: Session, sender: Client
) -> None:
    device = session.register_device("desk")
    other = fake.add_account("other@example.com", PASSWORD)
    sender.send(Notification(user=other, message="not yours"))
    assert session.download(device) == []


def test_delete_through_removes_up_to_the_id(
    session: Session, sender: Client, user: str
) -> None:
    device = session.register_device("desk")
    for text in ("one", "two", "three"):
        sender.send(Notification(user=user, message=text))
    messages = session.download(device)
    session.delete_through(device, messages[1].id)
    assert texts(session.download(device)) == ["three"]
    session.delete_through(device, messages[2].id)
    assert session.download(device) == []


def test_a_taken_device_name_is_an_api_error_with_the_reason(
    session: Session,
) -> None:
    session.register_device("desk")
    with pytest.raises(APIError, match="has already been taken"):
        session.register_device("desk")


def test_a_resumed_session_sees_the_same_device(
    url: str, session: Session, sender: Client, user: str
) -> None:
    device = session.register_device("desk")
    sender.send(Notification(user=user, message="kept"))
    with OpenClient(base_url=url) as later:
        resumed = later.session(session.secret, device.id)
        assert texts(resumed.download()) == ["kept"]


def test_acknowledging_an_emergency_shows_in_the_senders_receipt(
    session: Session, sender: Client, user: str
) -> None:
    device = session.register_device("desk")
    sent = sender.send(
        EmergencyNotification(
            user=user,
            message="wake up",
            retry=30,
            expire=600,
        )
    )
    (message,) = session.download(device)
    assert message.receipt == sent.receipt and message.acked is False
    assert message.receipt is not None

    session.acknowledge(message.receipt)

    receipt = sender.receipt(message.receipt)
    assert receipt.acknowledged and receipt.acknowledged_by_device == "desk"
    assert session.download(device)[0].acked is True


def test_only_a_recipient_can_acknowledge(
    fake: FakePushover, url: str, session: Session, sender: Client
) -> None:
    other = fake.add_account("other@example.com", PASSWORD)
    sent = sender.send(
        EmergencyNotification(
            user=other,
            message="not yours",
            retry=30,
            expire=60,
        )
    )
    with pytest.raises(APIError):
        session.acknowledge(sent.receipt)
    assert not sender.receipt(sent.receipt).acknowledged


def test_download_decrypts_with_the_key_and_flags_what_it_cannot(
    session: Session, sender: Client, user: str
) -> None:
    device = session.register_device("desk")
    key, wrong = E2EEKey.generate(), E2EEKey.generate()
    sender.send(Notification(user=user, message="sealed", title="t"), e2ee_key=key)
    sender.send(Notification(user=user, message="plain"))

    opened = session.download(device, e2ee_key=key)
    unopened = session.download(device, e2ee_key=wrong)
    raw = session.download(device)

    assert [(m.message, m.title, m.encrypted) for m in opened] == [
        ("sealed", "t", True),
        ("plain", None, False),
    ]
    assert unopened[0].undecryptable and unopened[0].message == raw[0].message
    assert not unopened[1].undecryptable and unopened[1].message == "plain"
    assert raw[0].encrypted and raw[0].message != "sealed"


# -- Bad input: refused before anything is sent --------------------------------------


#: Session calls with bad input, each refused before anything is sent.
BAD_SESSION_CALLS: list[Callable[[Session], object]] = [
    lambda s: s.register_device("has space"),
    lambda s: s.register_device("x" * 26),
    lambda s: s.register_device(""),
    lambda s: s.download("bad/id"),
    lambda s: s.download("x" * 65),
    lambda s: s.delete_through("dev", -1),
    lambda s: s.acknowledge("short"),
    lambda s: s.download(),  # the session has no device
]


@pytest.mark.parametrize("call", BAD_SESSION_CALLS)
def test_bad_session_input_is_refused_before_io(
    fake: FakePushover, url: str, call: Callable[[Session], object]
) -> None:
    with OpenClient(base_url=url) as client:
        session = client.session("a-secret")
        with pytest.raises(ValidationError):
            call(session)
    assert fake.requests == ()


@pytest.mark.parametrize(
    ("email", "password", "twofa", "field"),
    [
        (EMAIL, "", None, "password"),
        ("not-an-address", PASSWORD, None, "email"),
        (EMAIL, PASSWORD, "12 34", "twofa"),
        (EMAIL, PASSWORD, "", "twofa"),
    ],
)
def test_bad_login_input_is_refused_before_io(
    fake: FakePushover,
    url: str,
    email: str,
    password: str,
    twofa: str | None,
    field: str,
) -> None:
    with OpenClient(base_url=url) as client, pytest.raises(ValidationError) as caught:
        client.login(email, password, twofa=twofa)
    assert caught.value.field == field
    assert fake.requests == ()
    if password:
        assert password not in str(caught.value)


@pytest.mark.parametrize("secret", ["", "has space", "x" * 257, "tab\there", "é"])
def test_a_malformed_secret_is_refused(url: str, secret: str) -> None:
    with OpenClient(base_url=url) as client, pytest.raises(ValidationError) as caught:
        client.session(secret)
    assert caught.value.field == "secret"
    if secret.strip():
        assert secret not in str(caught.value)


def test_a_wrong_type_is_a_type_error(url: str) -> None:
    with OpenClient(base_url=url) as client:
        with pytest.raises(TypeError, match="secret"):
            client.session(123)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="name"):
            client.session("s").register_device(5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "push_url",
    ["http://127.0.0.1/push", "ws://example.com/push", "wss://u:p@h/push", "wss:///x"],
)
def test_push_url_must_be_wss_except_on_loopback(push_url: str) -> None:
    with pytest.raises(ValidationError, match="push_url"):
        OpenClient(push_url=push_url)


def test_a_secret_unknown_to_the_server_is_an_api_error(url: str) -> None:
    with (
        OpenClient(base_url=url) as client,
        pytest.raises(APIError, match="secret") as caught,
    ):
        client.session("not-a-live-secret").download("dev1")
    assert "not-a-live-secret" not in repr(caught.value)


# -- Async: the same flows -------------------------------------------------------------


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    backend: str = request.param
    return backend


@pytest.mark.anyio
async def test_async_flows_match_the_sync_ones(
    fake: FakePushover, url: str, sender: Client
) -> None:
    user = fake.add_account("2fa@example.com", PASSWORD, twofa=CODE)
    async with AsyncOpenClient(base_url=url) as client:
        with pytest.raises(TwoFactorRequired):
            await client.login("2fa@example.com", PASSWORD)
        session = await client.login("2fa@example.com", PASSWORD, twofa=CODE)
        desk = await session.register_device("desk")
        phone = await session.register_device("phone")
        sender.add_group_user(GROUP_KEY, user)
        sender.send(Notification(user=user, message="to all"))
        sender.send(Notification(user=user, message="to phone", device="phone"))
        sender.send(Notification(user=GROUP_KEY, message="to the group"))
        sent = sender.send(
            EmergencyNotification(
                user=user,
                message="wake",
                retry=30,
                expire=60,
            )
        )

        assert texts(await session.download(desk)) == ["to all", "to the group", "wake"]
        assert texts(await session.download(phone)) == [
            "to all",
            "to phone",
            "to the group",
            "wake",
        ]
        await session.acknowledge(sent.receipt)
        messages = await session.download(desk)
        await session.delete_through(desk, messages[-1].id)
        assert await session.download(desk) == []
        resumed = client.session(session.secret, phone.id)
        assert len(await resumed.download()) == 4
        with pytest.raises(APIError, match="has already been taken"):
            await session.register_device("desk")
        with pytest.raises(ValidationError):
            await session.register_device("bad name")
    assert sender.receipt(sent.receipt).acknowledged
