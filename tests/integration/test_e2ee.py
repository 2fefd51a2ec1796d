"""End-to-end encryption on the wire, on every transport (tests/wires.py): the request
carries ``encrypted=1`` and ciphertext only, each field decrypts to its plaintext, the
fake reads what the user will read, and the key shows nowhere."""

from __future__ import annotations

import logging
import traceback

import pytest

from chump_typed import (
    Application,
    Client,
    DecryptionError,
    EmergencyNotification,
    EmergencySendResult,
    Failed,
    Notification,
    Priority,
    Sent,
    User,
    ValidationError,
)
from chump_typed.e2ee import DEFAULT_TITLE, E2EEKey, decrypt_field, decrypt_fields
from chump_typed.logging import PushoverHandler
from chump_typed.testing import USER_KEY, FakePushover
from tests.wires import Wire

pytestmark = pytest.mark.integration

KEY = E2EEKey.from_hex("7a" * 32)
PLAIN = {
    "message": "the vault code is 2718",
    "title": "vault",
    "url": "https://example.com/vault",
    "url_title": "open the vault",
}


def test_an_encrypted_send_decrypts_field_by_field(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    fake.set_e2ee_key(USER_KEY, KEY)
    with wire.client(base_url) as client:
        note = Notification(
            user=USER_KEY,
            priority=Priority.HIGH,
            message=PLAIN["message"],
            title=PLAIN["title"],
            url=PLAIN["url"],
            url_title=PLAIN["url_title"],
        )
        client.send(note, e2ee_key=KEY)

    [request] = fake.requests
    assert request.params["encrypted"] == "1"
    assert request.params["priority"] == "1"  # the rest stays in clear
    for name, text in PLAIN.items():
        assert decrypt_field(KEY, request.params[name]) == text
        assert all(text not in value for value in request.params.values())
    [sent] = fake.messages
    assert sent.encrypted
    assert sent.message == PLAIN["message"]
    assert sent.decrypted is not None
    assert {name: sent.decrypted[name] for name in PLAIN} == PLAIN
    assert sent.unreadable_by == ()


def test_an_emergency_goes_encrypted_and_its_receipt_works(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    """Either kind of message, one by one or in bulk: the text encrypted, the
    emergency's parameters in clear, and a receipt that polls."""
    fake.set_e2ee_key(USER_KEY, KEY)
    alarm = EmergencyNotification(
        user=USER_KEY, message=PLAIN["message"], retry=30, expire=60, tags="vault"
    )
    with wire.client(base_url) as client:
        sent = client.send(alarm, e2ee_key=KEY)
        assert not client.receipt(sent.receipt).acknowledged
        [outcome] = client.send_many([alarm], e2ee_key=KEY)
        assert isinstance(outcome.result, EmergencySendResult)

    for request in fake.requests[::2]:  # the sends, not the poll
        assert request.params["encrypted"] == "1"
        assert (request.params["priority"], request.params["retry"]) == ("2", "30")
        assert request.params["tags"] == "vault"
        assert decrypt_field(KEY, request.params["message"]) == PLAIN["message"]
    assert [m.message for m in fake.messages] == [PLAIN["message"]] * 2
    assert sent.receipt == fake.messages[0].receipt


def test_no_title_sends_the_encrypted_default(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    with wire.client(base_url) as client:
        client.send(Notification(user=USER_KEY, message="m"), e2ee_key=KEY)

    [sent] = fake.messages
    assert decrypt_field(KEY, sent.params["title"]) == DEFAULT_TITLE
    assert sent.decrypted is None  # the fake was not told the key: it keeps ciphertext


def test_the_fake_checks_the_limits_on_what_the_user_reads(
    base_url: str, fake: FakePushover
) -> None:
    fake.set_e2ee_key(USER_KEY, KEY)
    with Client(fake_token(), base_url=base_url) as client:
        longest = Notification(user=USER_KEY, message="m" * 1024, url_title="u" * 100)
        client.send(longest, e2ee_key=KEY)

    [sent] = fake.messages
    assert len(sent.params["url_title"]) > 100  # ciphertext: longer than its limit
    assert sent.decrypted is not None and sent.decrypted["url_title"] == "u" * 100


def test_a_recipient_with_another_key_cannot_read_it(
    base_url: str, fake: FakePushover
) -> None:
    fake.set_e2ee_key(USER_KEY, E2EEKey.generate())
    with Client(fake_token(), base_url=base_url) as client:
        client.send(Notification(user=USER_KEY, message="m"), e2ee_key=KEY)

    [sent] = fake.messages
    assert sent.decrypted is None
    assert sent.unreadable_by == (USER_KEY,)


def test_a_wrong_key_type_sends_nothing(base_url: str, fake: FakePushover) -> None:
    with (
        Client(fake_token(), base_url=base_url) as client,
        pytest.raises(TypeError, match="e2ee_key: expected an E2EEKey"),
    ):
        client.send(Notification(user=USER_KEY, message="m"), e2ee_key="7a" * 32)  # type: ignore[call-overload]

    assert fake.requests == ()


def test_the_key_shows_nowhere(
    base_url: str, fake: FakePushover, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with Client(fake_token(), base_url=base_url) as client:
        client.send(Notification(user=USER_KEY, message="m"), e2ee_key=KEY)
    try:
        decrypt_fields(KEY, {"encrypted": "1", "message": "AAAA" * 30})
    except DecryptionError as error:
        failure = error
    else:  # pragma: no cover - the test fails below
        raise AssertionError("no DecryptionError")

    secret_hex, secret_bytes = KEY.hex(), bytes.fromhex(KEY.hex())
    shown = (
        caplog.text
        + str(failure)
        + repr(failure)
        + "".join(traceback.format_exception(failure))
    )
    assert secret_hex not in shown
    assert secret_bytes.decode("latin-1") not in shown
    ours = [
        frame
        for frame, _ in traceback.walk_tb(failure.__traceback__)
        if frame.f_globals.get("__name__", "").startswith("chump_typed")
    ]
    assert ours  # the frames an error tracker would record
    for frame in ours:
        for value in frame.f_locals.values():
            assert value != secret_bytes
            assert value is not KEY


def fake_token() -> str:
    from chump_typed.testing import APP_TOKEN

    return APP_TOKEN


# -- Many at once ------------------------------------------------------------------------

KEY_A, KEY_B = E2EEKey.from_hex("a1" * 32), E2EEKey.from_hex("b2" * 32)
USERS_A = [f"a{n:029d}" for n in range(60)]
USERS_B = [f"b{n:029d}" for n in range(10)]
MANY_USERS = {user: ["phone"] for user in [*USERS_A, *USERS_B]}


@pytest.mark.fake_options(users=MANY_USERS)
def test_broadcast_puts_only_users_who_share_a_key_in_one_request(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    keys = {**dict.fromkeys(USERS_A, KEY_A), **dict.fromkeys(USERS_B, KEY_B)}
    for user, key in keys.items():
        fake.set_e2ee_key(user, key)
    pairs = zip(USERS_A[:10], USERS_B, strict=True)
    mixed = [user for pair in pairs for user in pair] + USERS_A[10:]

    with wire.client(base_url) as client:
        outcomes = client.broadcast(
            Notification(user=USERS_A[0], message="to all"), mixed, e2ee_key=keys
        )

    assert all(isinstance(o, Sent) for o in outcomes)
    assert [len(o.notification.user.split(",")) for o in outcomes] == [50, 10, 10]
    for sent in fake.messages:
        assert sent.encrypted and sent.message == "to all"
        assert sent.unreadable_by == ()
        assert len({keys[user] for user in sent.recipients}) == 1


@pytest.mark.fake_options(users=MANY_USERS)
def test_send_many_takes_one_key_or_each_users(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    for user in USERS_B:
        fake.set_e2ee_key(user, KEY_B)
    notes = [
        Notification(user=user, message=f"to {n}") for n, user in enumerate(USERS_B)
    ]

    with wire.client(base_url) as client:
        client.send_many(notes[:3], e2ee_key=KEY_B)
        client.send_many(notes[3:], e2ee_key=dict.fromkeys(USERS_B, KEY_B))

    assert sorted(m.message for m in fake.messages) == sorted(n.message for n in notes)
    assert all(m.encrypted and m.decrypted is not None for m in fake.messages)


@pytest.mark.fake_options(users=MANY_USERS)
def test_a_user_without_a_key_fails_alone_and_is_never_sent(
    wire: Wire, base_url: str, fake: FakePushover
) -> None:
    """send_many checks each notification's key as it reads it (a lazy input cannot
    be checked whole): the one without a key is its own Failed outcome, never sent in
    clear. broadcast is given its users whole, and checks them all first."""
    for user in USERS_B:
        fake.set_e2ee_key(user, KEY_B)
    notes = [Notification(user=user, message="m") for user in USERS_B]
    partial = dict.fromkeys(USERS_B[:-1], KEY_B)

    with wire.client(base_url) as client:
        outcomes = client.send_many(notes, e2ee_key=partial)
        with pytest.raises(ValidationError, match="no key for 1 of the 10"):
            client.broadcast(notes[0], USERS_B, e2ee_key=partial)

    assert [type(o) for o in outcomes] == [Sent] * 9 + [Failed]
    error = outcomes[-1].error
    assert isinstance(error, ValidationError) and error.field == "e2ee_key"
    assert "no key for 1 of the 1 recipients of notifications[9]" in str(error)
    assert USERS_B[-1] not in str(error)
    assert len(fake.requests) == 9
    assert USERS_B[-1] not in [r for m in fake.messages for r in m.recipients]
    assert all(m.encrypted for m in fake.messages)


def test_one_request_to_users_of_two_keys_is_refused(base_url: str) -> None:
    pair = ",".join([USERS_A[0], USERS_B[0]])
    keys = {USERS_A[0]: KEY_A, USERS_B[0]: KEY_B}
    with Client(fake_token(), base_url=base_url) as client:
        [outcome] = client.send_many(
            [Notification(user=pair, message="m")], e2ee_key=keys
        )

    assert isinstance(outcome, Failed)
    assert isinstance(outcome.error, ValidationError)
    assert "users with different keys" in str(outcome.error)


# -- The facade and the logging handler ----------------------------------------------------


def test_a_facade_user_with_a_key_gets_every_message_encrypted(
    base_url: str, fake: FakePushover
) -> None:
    fake.set_e2ee_key(USER_KEY, KEY)
    app = Application(fake_token(), base_url=base_url)
    user = app.get_user(USER_KEY, e2ee_key=KEY)

    assert user.send_message("first", title="t").is_sent
    assert User(app, USER_KEY, e2ee_key=KEY).send_message("second").is_sent
    assert app.get_user(USER_KEY).send_message("in clear").is_sent
    app.client.close()

    assert [(m.message, m.encrypted) for m in fake.messages] == [
        ("first", True),
        ("second", True),
        ("in clear", False),
    ]


def test_a_facade_message_to_users_of_another_key_is_refused(
    base_url: str, fake: FakePushover
) -> None:
    app = Application(fake_token(), base_url=base_url)
    user = app.get_user(USER_KEY, e2ee_key=KEY)

    with pytest.raises(ValidationError, match="same e2ee_key") as info:
        user.send_message("m", users=[USERS_B[0]])
    assert USERS_B[0] not in str(info.value)
    with pytest.raises(TypeError, match="e2ee_key: expected an E2EEKey"):
        app.get_user(USER_KEY, e2ee_key="3c" * 32)  # type: ignore[arg-type]
    app.client.close()
    assert fake.requests == ()


def test_the_logging_handler_encrypts_every_record(
    base_url: str, fake: FakePushover
) -> None:
    fake.set_e2ee_key(USER_KEY, KEY)
    handler = PushoverHandler(
        fake_token(), USER_KEY, base_url=base_url, background=False, e2ee_key=KEY
    )
    logger = logging.getLogger("tests.e2ee.handler")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        logger.error("disk %s is full", "/var")
    finally:
        logger.removeHandler(handler)
        handler.close()

    [sent] = fake.messages
    assert sent.encrypted
    assert sent.message == "disk /var is full"
    assert sent.decrypted is not None
    assert sent.decrypted["title"] == "tests.e2ee.handler"
    assert "disk" not in sent.params["message"]
