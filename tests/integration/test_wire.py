"""Every call of the whole API through the real transports to the loopback fake.

The ``client`` here is each of the five transport configurations in turn
(tests/wires.py); chump's facade, sync only, runs on urllib3. Each test checks what the
fake received or how its state changed, not only the status."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pytest

from chump_typed import (
    EMERGENCY,
    APIError,
    Application,
    Client,
    EmergencyNotification,
    Failed,
    NotAttempted,
    Notification,
    QuotaExceededError,
    RetryPolicy,
    Sent,
    Urllib3Transport,
    models,
)
from chump_typed import _endpoints as ep
from chump_typed.errors import UnexpectedResponseError, ValidationError
from chump_typed.models import ATTACHMENT_MAX, Attachment, GlanceUpdate
from chump_typed.testing import (
    APP_TOKEN,
    GROUP_KEY,
    SUBSCRIPTION_CODE,
    TEAM_TOKEN,
    USER_KEY,
    FakePushover,
    Fault,
    serve,
)
from tests.wires import Wire

PNG_HEADER = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def client(wire: Wire, base_url: str) -> Iterator[Client]:
    """A client over loopback HTTP to the fake, on *wire*, with the team token,
    retrying without waiting (this module's, in place of the suite's urllib3 one)."""
    with wire.client(
        base_url, team_token=TEAM_TOKEN, retries=RetryPolicy(backoff_floor=0)
    ) as client:
        yield client


def image(size: int) -> bytes:
    """A deterministic PNG-looking payload of exactly *size* bytes, every byte value."""
    return PNG_HEADER + random.Random(size).randbytes(size - len(PNG_HEADER))


def models_license(*, user: str | None, email: str | None, os: str) -> object:
    from chump_typed.testing import License

    return License(user=user, email=email, os=os)


def test_issue_example_send_message(
    served_app: Application, base_url: str, fake: FakePushover
) -> None:
    message = (
        Application(APP_TOKEN, base_url=base_url).get_user(USER_KEY).send_message("hi")
    )

    assert message.is_sent
    [request] = fake.requests
    assert (request.method, request.path) == ("POST", "/1/messages.json")
    assert dict(request.params) == {
        "token": APP_TOKEN,
        "user": USER_KEY,
        "message": "hi",
    }


def test_emergency_path_on_the_wire(
    served_app: Application, fake: FakePushover
) -> None:
    user = served_app.get_user(USER_KEY)
    alarm = user.send_message(
        "fire", title="ops", priority=EMERGENCY, retry=30, expire=600
    )
    assert alarm.receipt is not None
    assert alarm.poll() is True
    fake.acknowledge(alarm.receipt)
    assert alarm.poll() is False
    assert alarm.cancel() is True

    wire = [(r.method, r.path, dict(r.params)) for r in fake.requests]
    receipt = alarm.receipt
    assert [
        (
            "POST",
            "/1/messages.json",
            {
                "token": APP_TOKEN,
                "user": USER_KEY,
                "message": "fire",
                "title": "ops",
                "priority": "2",
                "retry": "30",
                "expire": "600",
            },
        ),
        ("GET", f"/1/receipts/{receipt}.json", {"token": APP_TOKEN}),
        ("GET", f"/1/receipts/{receipt}.json", {"token": APP_TOKEN}),
        ("POST", f"/1/receipts/{receipt}/cancel.json", {"token": APP_TOKEN}),
    ] == wire
    assert alarm.acknowledged_by == user
    assert served_app.remaining == 9999


def test_keep_alive_uses_one_connection(
    served_app: Application, fake: FakePushover
) -> None:
    user = served_app.get_user(USER_KEY)
    for n in range(5):
        assert user.send_message(f"message {n}").is_sent

    assert fake.connections_opened == 1
    assert len(fake.messages) == 5


def test_keep_alive_uses_one_connection_on_every_transport(
    client: Client, fake: FakePushover
) -> None:
    for n in range(5):
        client.send(Notification(user=USER_KEY, message=f"message {n}"))

    assert fake.connections_opened == 1
    assert len(fake.messages) == 5


def test_typed_client_every_core_call(client: Client, fake: FakePushover) -> None:
    sent = client.send(
        EmergencyNotification(
            user=USER_KEY,
            message="x",
            retry=30,
            expire=60,
            tags="a b/c",
        )
    )
    assert sent.rate_limit is not None and sent.rate_limit.remaining == 9999
    assert not client.receipt(sent.receipt).acknowledged
    assert client.cancel_by_tag("a b/c").canceled == 1
    assert client.cancel(sent.receipt).request
    assert "bike" in client.sounds().sounds
    assert "iphone" in client.validate_user(USER_KEY, "iphone").devices
    assert client.limits().remaining == 9999

    assert "/1/receipts/cancel_by_tag/a%20b%2Fc.json" in [
        r.path for r in fake.requests
    ] or ("/1/receipts/cancel_by_tag/a b/c.json" in [r.path for r in fake.requests])


def test_rejection_over_http(served_app: Application) -> None:
    with pytest.raises(APIError) as info:
        served_app.client.validate_user("q" * 30)

    assert info.value.http_status == 400
    assert info.value.id


def test_a_5_mib_image_arrives_byte_identical_as_multipart(
    client: Client, fake: FakePushover
) -> None:
    payload = image(ATTACHMENT_MAX)
    attachment = Attachment(data=payload, filename="big.png")
    client.send(Notification(user=USER_KEY, message="chart", attachment=attachment))
    sent = fake.messages[-1]
    assert sent.attachment is not None
    assert sent.attachment.filename == "big.png"
    assert sent.attachment.content_type == "image/png"
    assert len(sent.attachment.data) == ATTACHMENT_MAX
    assert sent.attachment.data == payload
    assert sent.message == "chart"


def test_one_byte_more_is_refused_locally_and_nothing_is_sent(
    client: Client, fake: FakePushover, tmp_path: Path
) -> None:
    payload = image(ATTACHMENT_MAX + 1)
    with pytest.raises(ValidationError) as error:
        Attachment(data=payload, filename="big.png")
    assert error.value.field == "attachment"
    path = tmp_path / "big.png"
    path.write_bytes(payload)
    with pytest.raises(ValidationError):
        Attachment.from_path(path)
    assert fake.requests == ()


def test_a_5_mib_image_arrives_byte_identical_as_base64(
    client: Client, fake: FakePushover
) -> None:
    payload = image(ATTACHMENT_MAX)
    client.send(
        Notification(
            user=USER_KEY,
            message="chart",
            attachment_base64=base64.b64encode(payload).decode(),
            attachment_type="image/png",
        )
    )
    sent = fake.messages[-1]
    assert sent.attachment is not None
    assert sent.attachment.content_type == "image/png"
    assert sent.attachment.data == payload


def test_base64_of_one_byte_more_is_refused_locally(
    client: Client, fake: FakePushover
) -> None:
    encoded = base64.b64encode(image(ATTACHMENT_MAX + 1)).decode()
    with pytest.raises(ValidationError) as error:
        Notification(
            user=USER_KEY,
            message="chart",
            attachment_base64=encoded,
            attachment_type="image/png",
        )
    assert error.value.field == "attachment_base64"
    assert fake.requests == ()


@pytest.mark.parametrize("filename", ["a;b.png", "x=y.png", "ünïcode.png"])
def test_filenames_arrive_as_sent(
    client: Client, fake: FakePushover, filename: str
) -> None:
    attachment = Attachment(data=PNG_HEADER, filename=filename)
    client.send(Notification(user=USER_KEY, message="m", attachment=attachment))
    sent = fake.messages[-1].attachment
    assert sent is not None
    assert sent.filename == filename


def test_a_small_jpeg_from_a_path_keeps_its_name_and_guessed_type(
    client: Client, fake: FakePushover, tmp_path: Path
) -> None:
    path = tmp_path / "snapshot.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    client.send(
        Notification(
            user=USER_KEY, message="door", attachment=Attachment.from_path(path)
        )
    )
    sent = fake.messages[-1].attachment
    assert sent is not None
    assert (sent.filename, sent.content_type) == ("snapshot.jpg", "image/jpeg")
    assert sent.data == path.read_bytes()


def test_facade_send_message_takes_attachment(
    base_url: str, fake: FakePushover, tmp_path: Path
) -> None:
    path = tmp_path / "cat.gif"
    path.write_bytes(b"GIF89a" + bytes(50))
    served_app = Application(
        APP_TOKEN,
        base_url=base_url,
        transport=Urllib3Transport(retries=RetryPolicy(backoff_floor=0)),
    )
    user = served_app.get_user(USER_KEY)
    message = user.send_message("meow", title="cat", attachment=path)
    assert message.is_sent
    assert message.attachment == Attachment(data=path.read_bytes(), filename="cat.gif")
    sent = fake.messages[-1]
    assert sent.attachment is not None
    assert sent.attachment.data == path.read_bytes()
    assert (sent.attachment.filename, sent.attachment.content_type) == (
        "cat.gif",
        "image/gif",
    )
    assert sent.params["title"] == "cat"

    with path.open("rb") as file:
        again = user.send_message("again", attachment=file)
    assert again.is_sent
    assert fake.messages[-1].attachment == sent.attachment

    png = PNG_HEADER + b"raw"
    raw = user.create_message("bytes", attachment=png)
    assert raw.send()
    last = fake.messages[-1].attachment
    assert last is not None
    assert (last.data, last.filename, last.content_type) == (
        png,
        "image.png",
        "image/png",
    )


def test_facade_unreadable_attachment_raises_before_sending(
    base_url: str, fake: FakePushover, tmp_path: Path
) -> None:
    served_app = Application(
        APP_TOKEN,
        base_url=base_url,
        transport=Urllib3Transport(retries=RetryPolicy(backoff_floor=0)),
    )
    user = served_app.get_user(USER_KEY)
    missing = tmp_path / "missing.png"
    with pytest.raises(ValidationError) as error:
        user.send_message("x", attachment=missing)
    assert str(missing) in str(error.value)
    assert isinstance(error.value.__cause__, FileNotFoundError)
    with pytest.raises(ValidationError) as error:
        user.send_message("x", attachment=tmp_path)  # a directory
    assert str(tmp_path) in str(error.value)
    assert fake.requests == ()


def test_emergency_facade_message_takes_attachment(
    base_url: str, fake: FakePushover
) -> None:
    served_app = Application(
        APP_TOKEN,
        base_url=base_url,
        transport=Urllib3Transport(retries=RetryPolicy(backoff_floor=0)),
    )
    user = served_app.get_user(USER_KEY)
    attachment = Attachment(data=b"\x89PNG alarm", filename="alarm.png")
    message = user.send_message("fire", priority=2, attachment=attachment)
    assert message.is_sent
    assert message.receipt == fake.messages[-1].receipt
    sent = fake.messages[-1].attachment
    assert sent is not None
    assert (sent.data, sent.filename, sent.content_type) == (
        attachment.data,
        attachment.filename,
        attachment.content_type,
    )


def test_group_lifecycle(client: Client, fake: FakePushover) -> None:
    created = client.create_group("On call")
    key = created.group
    assert fake.groups[key].name == "On call"
    listed = client.list_groups()
    assert models.GroupSummary(group=key, name="On call") in listed.groups
    assert models.GroupSummary(group=GROUP_KEY, name="Example group") in listed.groups

    client.add_group_user(key, USER_KEY, device="iphone", memo="primary")
    info = client.group_info(key)
    assert info.name == "On call"
    assert info.users == (
        models.GroupMember(user=USER_KEY, device="iphone", memo="primary"),
    )

    client.disable_group_user(key, USER_KEY)
    assert fake.groups[key].members[0].disabled is True
    assert client.group_info(key).users[0].disabled is True
    client.enable_group_user(key, USER_KEY, device="iphone")
    assert fake.groups[key].members[0].disabled is False

    client.rename_group(key, "Night shift")
    assert fake.groups[key].name == "Night shift"

    client.remove_group_user(key, USER_KEY)
    assert fake.groups[key].members == ()
    assert fake.requests[-1].path == f"/1/groups/{key}/remove_user.json"


def test_group_removal_under_the_older_path_name(
    client: Client, fake: FakePushover
) -> None:
    request = models.GroupRemoveUserRequest(group=GROUP_KEY, user=USER_KEY)
    result = client.call(ep.REMOVE_GROUP_USER_LEGACY, request)
    assert isinstance(result, models.GroupRemoveUserResult)
    assert fake.groups[GROUP_KEY].members == ()
    assert fake.requests[-1].path == f"/1/groups/{GROUP_KEY}/delete_user.json"


def test_group_errors_are_typed_and_hide_the_group_key(
    client: Client, fake: FakePushover
) -> None:
    unknown = "A" * 30
    with pytest.raises(APIError) as error:
        client.group_info(unknown)
    assert error.value.http_status == 404
    assert unknown not in str(error.value)
    assert unknown not in error.value.url
    with pytest.raises(APIError) as error:
        client.remove_group_user(GROUP_KEY, "B" * 30)
    assert error.value.http_status == 400
    assert len(fake.groups[GROUP_KEY].members) == 1


def test_memo_over_200_never_reaches_the_fake(
    client: Client, fake: FakePushover
) -> None:
    with pytest.raises(ValidationError):
        client.add_group_user(GROUP_KEY, USER_KEY, memo="x" * 201)
    assert fake.requests == ()


def test_glance_fields_persist_and_clear(client: Client, fake: FakePushover) -> None:
    client.update_glance(
        GlanceUpdate(user=USER_KEY, title="Sold", text="12", count=12, percent=40)
    )
    assert fake.glances[(USER_KEY, None)] == {
        "title": "Sold",
        "text": "12",
        "count": "12",
        "percent": "40",
    }
    client.update_glance(GlanceUpdate(user=USER_KEY, text="", percent=100))
    assert fake.glances[(USER_KEY, None)] == {
        "title": "Sold",
        "count": "12",
        "percent": "100",
    }
    client.update_glance(GlanceUpdate(user=USER_KEY, device="iphone", subtext="w"))
    assert fake.glances[(USER_KEY, "iphone")] == {"subtext": "w"}


def test_subscription_migration_returns_the_subscribed_key(
    client: Client, fake: FakePushover
) -> None:
    result = client.migrate_subscription(
        SUBSCRIPTION_CODE, USER_KEY, device_name="iphone", sound="bike"
    )
    assert fake.subscribers == {result.subscribed_user_key: USER_KEY}
    assert fake.requests[-1].params["device_name"] == "iphone"
    client.send(Notification(user=result.subscribed_user_key, message="via sub"))
    assert fake.messages[-1].recipients == (result.subscribed_user_key,)


def test_unknown_subscription_code_is_an_api_error(client: Client) -> None:
    with pytest.raises(APIError) as error:
        client.migrate_subscription("Nope-00000000", USER_KEY)
    assert "subscription" in error.value.bad_inputs


def test_licence_assignment_and_credits(client: Client, fake: FakePushover) -> None:
    before = client.license_credits().credits
    assert before == fake.credits
    by_user = client.assign_license(user=USER_KEY, os="Desktop")
    by_email = client.assign_license(email="new@example.com")
    assert by_user.credits == before - 1
    assert by_email.credits == before - 2 == fake.credits
    assert fake.licenses == (
        models_license(user=USER_KEY, email=None, os="Desktop"),
        models_license(user=None, email="new@example.com", os=""),
    )


def test_licence_assignment_is_never_retried(
    client: Client, fake: FakePushover
) -> None:
    fake.inject(Fault.UNAVAILABLE_JSON)
    with pytest.raises(UnexpectedResponseError):
        client.assign_license(user=USER_KEY)
    assert len(fake.requests) == 1
    assert fake.licenses == ()
    # The same fault on a free, retryable call is retried (backoff floor 0 here).
    fake.inject(Fault.UNAVAILABLE_JSON)
    assert client.license_credits().credits == fake.credits
    assert len(fake.requests) == 3


def test_out_of_credits_keeps_the_object_form_errors() -> None:
    broke = FakePushover(credits=0)
    with (
        serve(broke) as url,
        Client(APP_TOKEN, base_url=url) as client,
        pytest.raises(APIError) as error,
    ):
        client.assign_license(user=USER_KEY)
    assert error.value.error_response.errors == {
        "token": ("is out of available license credits",)
    }
    assert broke.licenses == ()


def test_team_users_are_added_and_removed_with_the_team_token(
    client: Client, fake: FakePushover
) -> None:
    client.add_team_user(
        "ann@example.com",
        name="Ann",
        password="s3cret",
        instant=True,
        admin=True,
        group="Ops",
    )
    member = fake.team["ann@example.com"]
    assert (member.name, member.instant, member.admin, member.group) == (
        "Ann",
        True,
        True,
        "Ops",
    )
    sent = fake.requests[-1].params
    assert sent["token"] == TEAM_TOKEN
    assert (sent["instant"], sent["admin"]) == ("true", "true")

    client.add_team_user("bob@example.com")
    bob = fake.team["bob@example.com"]
    assert (bob.instant, bob.admin) == (False, False)
    assert "instant" not in fake.requests[-1].params

    client.remove_team_user("ann@example.com")
    assert set(fake.team) == {"bob@example.com"}


def test_team_call_without_team_token_fails_before_any_io(
    base_url: str, fake: FakePushover
) -> None:
    with Client(APP_TOKEN, base_url=base_url) as client:
        with pytest.raises(ValidationError) as error:
            client.add_team_user("ann@example.com")
        assert error.value.field == "team_token"
        with pytest.raises(ValidationError):
            client.remove_team_user("ann@example.com")
    assert fake.requests == ()


def test_a_wrong_team_token_is_an_api_error_without_the_token(
    base_url: str, fake: FakePushover
) -> None:
    wrong = "not-the-team-token"
    with (
        Client(APP_TOKEN, team_token=wrong, base_url=base_url) as client,
        pytest.raises(APIError) as error,
    ):
        client.add_team_user("ann@example.com")
    assert "team token is invalid" in error.value.error_response.messages()
    assert wrong not in str(error.value)
    assert wrong not in repr(error.value.request)
    assert fake.team == {}


def test_team_info_and_invitation_revocation(
    client: Client, fake: FakePushover
) -> None:
    client.add_team_user("ann@example.com", name="Ann", admin=True)
    client.add_team_user("bob@example.com")
    info = client.team_info()
    assert fake.requests[-1].params == {"token": TEAM_TOKEN}
    assert info.users == (
        models.TeamUser(name="Ann", email="ann@example.com", administrator=True),
        models.TeamUser(email="bob@example.com"),
    )
    client.revoke_team_invitation("bob@example.com")
    assert set(fake.team) == {"ann@example.com"}
    with pytest.raises(APIError):
        client.revoke_team_invitation("bob@example.com")


# -- Bulk, on every transport ------------------------------------------------------------


def notes(count: int) -> list[Notification]:
    return [Notification(user=USER_KEY, message=f"bulk {n}") for n in range(count)]


def test_send_many_in_order_over_at_most_two_connections(
    client: Client, fake: FakePushover
) -> None:
    outcomes = client.send_many(notes(30))

    assert [o.index for o in outcomes] == list(range(30))
    assert all(isinstance(o, Sent) for o in outcomes)
    assert sorted(m.message for m in fake.messages) == sorted(
        f"bulk {n}" for n in range(30)
    )
    assert 1 <= fake.peak_connections <= 2


@pytest.mark.fake_options(limit=5)
def test_send_many_stops_at_a_spent_quota_and_resends_nothing(
    client: Client, fake: FakePushover
) -> None:
    outcomes = client.send_many(notes(12))

    sent = [o for o in outcomes if isinstance(o, Sent)]
    refused = [o for o in outcomes if isinstance(o, Failed)]
    assert len(sent) == len(fake.messages) == 5
    assert refused and all(isinstance(o.error, QuotaExceededError) for o in refused)
    assert isinstance(outcomes[-1], NotAttempted)
    assert len(fake.requests) == len(sent) + len(refused)  # each tried once at most
    assert client.limits().remaining == 0


BROADCAST: Final = [f"{n:030d}" for n in range(120)]


@pytest.mark.fake_options(users={key: ["phone"] for key in BROADCAST})
def test_broadcast_sends_fifty_keys_per_request(
    client: Client, fake: FakePushover
) -> None:
    outcomes = client.broadcast(Notification(user=USER_KEY, message="all"), BROADCAST)

    assert all(isinstance(o, Sent) for o in outcomes)
    assert [len(o.notification.user.split(",")) for o in outcomes] == [50, 50, 20]
    assert len(fake.messages) == 3
