"""Misuse of chump_typed that both type checkers must reject.

Each marked line carries the mypy error code it must produce, as a
``# type: ignore[code]`` comment: the repository-wide mypy run (strict, hence
warn_unused_ignores) fails if a marked line stops erroring, and tests/integration/test_typing.py
strips the comments and checks that mypy reports exactly these codes on exactly these
lines, and that pyright strict reports an error on exactly these lines (except those
marked "mypy only": see tests/typecheck.py). Never imported or executed.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import httpx
from urllib3.util import Retry, Timeout

import chump_typed
import chump_typed.testing
from chump_typed import (
    ASSIGN_LICENSE,
    GET_RECEIPT,
    LIST_SOUNDS,
    REMOVE_GROUP_USER_LEGACY,
    SEND_MESSAGE,
    TEAM_INFO,
    UPDATE_GLANCE,
    Application,
    AsyncClient,
    Attachment,
    Client,
    EmergencyMessage,
    EmergencyNotification,
    EmergencySendResult,
    Endpoint,
    GlanceUpdate,
    GroupDisableUserRequest,
    HttpxTransport,
    LicenseAssignRequest,
    LicenseCredits,
    LicenseCreditsRequest,
    Message,
    Notification,
    Priority,
    SoundList,
    SoundsRequest,
    TeamAddUserRequest,
    TeamRemoveUserRequest,
    Urllib3Transport,
    User,
    ValidateUserRequest,
    notification_for,
)
from chump_typed.callbacks import AcknowledgementCallback, callback_app, parse_callback
from chump_typed.logging import PushoverHandler
from chump_typed.protocol import SendOptions
from chump_typed.receive import AsyncOpenClient, AsyncSession, OpenClient, Session
from chump_typed.testing import (
    APP_TOKEN,
    GROUP_KEY,
    USER_KEY,
    AsyncFakeTransport,
    FakePushover,
    FakeTransport,
)


def wrong_types(user: User, level: str) -> None:
    # Priorities are ints (or Priority members), not strings or floats.
    user.create_message("hi", priority="high")  # type: ignore[call-overload]
    user.create_message("hi", priority=level)  # type: ignore[call-overload]
    user.send_message("hi", priority=1.0)  # type: ignore[call-overload]
    Notification(user=USER_KEY, message="hi", priority="2")  # type: ignore[arg-type]
    # The message is required.
    user.create_message()  # type: ignore[call-overload]
    Notification(user=USER_KEY)  # type: ignore[call-arg]
    Message(user)  # type: ignore[call-arg]
    # Tokens and keys are strings.
    Application(123456789012345678901234567890)  # type: ignore[arg-type]
    Client(123456789012345678901234567890)  # type: ignore[arg-type]
    User(Application(APP_TOKEN), 42)  # type: ignore[arg-type]
    user.create_message(b"bytes body")  # type: ignore[call-overload]
    # Requests are keyword-only.
    Notification(USER_KEY, "hi")  # type: ignore[call-arg]


def frozen_models(notification: Notification, result: EmergencySendResult) -> None:
    notification.message = "changed"  # type: ignore[misc]
    notification.priority = Priority.HIGH  # type: ignore[misc]
    result.receipt = "r" * 30  # type: ignore[misc]


def emergencies_are_their_own_type(client: Client, priority: Priority) -> None:
    # A Notification is LOWEST to HIGH, without the emergency's fields.
    Notification(user=USER_KEY, message="m", priority=Priority.EMERGENCY)  # type: ignore[arg-type]
    Notification(user=USER_KEY, message="m", priority=priority)  # type: ignore[arg-type]
    Notification(user=USER_KEY, message="m", retry=60, expire=600)  # type: ignore[call-arg]
    # An emergency needs retry and expire, and has no ttl.
    EmergencyNotification(user=USER_KEY, message="m")  # type: ignore[call-arg]
    EmergencyNotification(user=USER_KEY, message="m", retry=60)  # type: ignore[call-arg]
    EmergencyNotification(user=USER_KEY, message="m", retry=60, expire=60, ttl=9)  # type: ignore[call-arg]
    EmergencyNotification(
        user=USER_KEY,
        message="m",
        retry=60,
        expire=60,
        priority=Priority.HIGH,  # type: ignore[arg-type]
    )
    # Only an emergency's send has a receipt.
    sent = client.send(Notification(user=USER_KEY, message="m"))
    client.receipt(sent.receipt)  # type: ignore[attr-defined]
    either = notification_for(priority=priority, user=USER_KEY, message="m")
    print(client.send(either).receipt)  # type: ignore[attr-defined]
    # A row takes its own request type.
    alarm = EmergencyNotification(user=USER_KEY, message="m", retry=60, expire=60)
    client.call(SEND_MESSAGE, alarm)  # type: ignore[misc]


def message_kinds(
    user: User, message: Message, alert: EmergencyMessage, level: int
) -> None:
    # A Message is not an EmergencyMessage: no receipt, no poll, no cancel.
    def escalate(emergency: EmergencyMessage) -> None: ...

    escalate(message)  # type: ignore[arg-type]
    escalate(user.create_message("hi"))  # type: ignore[arg-type]
    escalate(user.send_message("hi", priority=Priority.HIGH))  # type: ignore[arg-type]
    _ = message.receipt  # type: ignore[attr-defined]
    message.poll()  # type: ignore[attr-defined]
    user.send_message("hi").cancel()  # type: ignore[attr-defined]
    # A priority only known at run time may give either kind.
    escalate(user.create_message("hi", priority=level))  # type: ignore[arg-type]
    escalate(user.send_message("hi", priority=level))  # type: ignore[arg-type]
    # Setting a message attribute checks its type.
    message.html = 1  # type: ignore[assignment]
    message.title = 42  # type: ignore[assignment]
    message.timestamp = "yesterday"  # type: ignore[assignment]
    message.priority = None  # type: ignore[assignment]
    alert.retry = "30"  # type: ignore[assignment]
    # Results are read-only facts.
    message.notification = Notification(user=USER_KEY, message="x")  # type: ignore[misc]


def endpoint_table(client: Client, notification: Notification) -> None:
    # Each row takes its own request model ...
    # (mypy: "Cannot infer value of type parameter", pyright: argument type.)
    client.call(SEND_MESSAGE, SoundsRequest())  # type: ignore[misc]
    client.call(LIST_SOUNDS, notification)  # type: ignore[misc]
    client.call(GET_RECEIPT, notification)  # type: ignore[misc]
    # ... and returns its own result model.
    sounds: SoundList = client.call(SEND_MESSAGE, notification)  # type: ignore[assignment]
    # Rows are typed values, not names; the table is final.
    client.call("send_message", notification)  # type: ignore[arg-type]
    chump_typed.SEND_MESSAGE = SEND_MESSAGE  # type: ignore[misc]  # mypy only: pyright allows it
    row: Endpoint[Notification, SoundList] = SEND_MESSAGE  # type: ignore[assignment]
    _ = (sounds, row)
    # Extra parameters are strings, by name.
    client.send(notification, extra_params={"new_field": 1})  # type: ignore[dict-item]
    client.send(notification, extra_params=["new_field"])  # type: ignore[call-overload]


def literals(client: Client, notification: Notification) -> None:
    # Closed sets are Literal types.
    method: Literal["GET", "POST"] = SEND_MESSAGE.method
    method = "PUT"  # type: ignore[assignment]
    credential: Literal["app"] = SEND_MESSAGE.credential  # type: ignore[assignment]
    level: Literal[2] = chump_typed.HIGH  # type: ignore[assignment]
    Endpoint("x", "DELETE", "x.json", SoundsRequest, SoundList)  # type: ignore[arg-type]
    _ = (method, credential, level)
    # Module constants are Final. (pyright does not check assignments to another
    # module's Final names; mypy does.)
    chump_typed.EMERGENCY = 3  # type: ignore[misc]  # mypy only: pyright allows it
    # A misspelt name is an error, not Any.
    chump_typed.Clinet(APP_TOKEN)  # type: ignore[attr-defined]


def lazy_values(app: Application, user: User, when: dt.datetime) -> None:
    # Lazily loaded values are None when authentication failed.
    _ = app.sounds["pushover"]  # type: ignore[index]
    len(user.devices)  # type: ignore[arg-type]
    _ = app.limit + 1  # type: ignore[operator]
    _ = app.reset.year  # type: ignore[union-attr]
    # Times are datetimes, not epoch seconds.
    _ = when - app.reset  # type: ignore[operator]
    # The figures the server gave are read-only.
    app.remaining = 5  # type: ignore[misc]


def whole_api_rows(
    client: Client,
    glance: GlanceUpdate,
    remove: TeamRemoveUserRequest,
    disable: GroupDisableUserRequest,
    assign: LicenseAssignRequest,
) -> None:
    # Each new row takes its own request model too.
    client.call(ASSIGN_LICENSE, glance)  # type: ignore[misc]
    client.call(UPDATE_GLANCE, remove)  # type: ignore[misc]
    client.call(REMOVE_GROUP_USER_LEGACY, disable)  # type: ignore[misc]
    client.call(TEAM_INFO, LicenseCreditsRequest())  # type: ignore[misc]
    # ... and returns its own result model.
    credits: LicenseCredits = client.call(ASSIGN_LICENSE, assign)  # type: ignore[assignment]
    _ = credits


def whole_api_values(client: Client, platform: str) -> None:
    # The licence platform is a closed set ...
    client.assign_license(email="a@example.com", os="Linux")  # type: ignore[arg-type]
    LicenseAssignRequest(user=USER_KEY, os="windows")  # type: ignore[arg-type]
    client.assign_license(user=USER_KEY, os=platform)  # type: ignore[arg-type]
    # ... counts and percentages are ints, flags are bools ...
    GlanceUpdate(user=USER_KEY, percent="50")  # type: ignore[arg-type]
    GlanceUpdate(user=USER_KEY, count=2.5)  # type: ignore[arg-type]
    TeamAddUserRequest(email="a@example.com", admin="yes")  # type: ignore[arg-type]
    Client(APP_TOKEN, team_token=12345)  # type: ignore[arg-type]
    # ... the client methods take plain arguments, keyword-only where documented ...
    client.update_glance(user=USER_KEY, percent=5)  # type: ignore[call-arg]
    client.assign_license(USER_KEY)  # type: ignore[call-arg]
    client.add_group_user(GROUP_KEY, USER_KEY, "iphone")  # type: ignore[call-arg]
    client.create_group()  # type: ignore[call-arg]
    # ... and results are frozen, their collections tuples.
    info = client.group_info(GROUP_KEY)
    info.name = "renamed"  # type: ignore[misc]
    info.users.append(info.users[0])  # type: ignore[attr-defined]
    client.license_credits().credits = 0  # type: ignore[misc]


def attachments(user: User, message: Message, attachment: Attachment) -> None:
    # An Attachment is frozen and keyword-only, its data bytes.
    attachment.data = b"GIF89a"  # type: ignore[misc]
    attachment.content_type = "image/png"  # type: ignore[misc]
    Attachment(b"GIF89a", "a.gif")  # type: ignore[call-arg]
    Attachment(data="GIF89a", filename="a.gif")  # type: ignore[arg-type]
    Attachment(data=b"GIF89a")  # type: ignore[call-arg]
    Attachment.from_path(42)  # type: ignore[arg-type]
    Attachment.from_file("a.png")  # type: ignore[arg-type]
    # The facade takes an image source, not any object, and the attribute an Attachment.
    user.create_message("hi", attachment=42)  # type: ignore[call-overload]
    user.send_message("hi", attachment=[b"GIF89a"])  # type: ignore[call-overload]
    message.attachment = b"GIF89a"  # type: ignore[assignment]
    Notification(user=USER_KEY, message="hi", attachment=b"GIF89a")  # type: ignore[arg-type]


def transport_knobs(retry: Retry) -> None:
    # A plain urllib3 Retry would retry 429s: only a RetryPolicy (or an int) is taken.
    Urllib3Transport(retries=retry)  # type: ignore[arg-type]
    Urllib3Transport(5.0)  # type: ignore[call-arg]
    # The retry knobs live on RetryPolicy.
    Urllib3Transport(backoff_floor=0)  # type: ignore[call-arg]
    Urllib3Transport(maxsize="2")  # type: ignore[arg-type]
    Urllib3Transport(deadline="5")  # type: ignore[arg-type]
    HttpxTransport(timeout=Timeout(5.0))  # type: ignore[arg-type]
    Urllib3Transport(ca_certs=b"/etc/ssl/cert.pem")  # type: ignore[arg-type]
    # A call's options take a policy, not the int shorthand of a transport.
    SendOptions(retries=3)  # type: ignore[arg-type]


def callbacks(ack: AcknowledgementCallback) -> None:
    # A callback body is bytes or parsed fields, not a str.
    parse_callback("receipt=r")  # type: ignore[arg-type]

    # The handler takes one AcknowledgementCallback.
    def no_arguments() -> None: ...
    def receipt_only(receipt: str) -> None: ...

    callback_app(no_arguments)  # type: ignore[arg-type]
    callback_app(receipt_only)  # type: ignore[arg-type]
    # An acknowledgement is a frozen fact; its time is a datetime.
    ack.acknowledged = False  # type: ignore[misc]
    _ = ack.acknowledged_at + 1  # type: ignore[operator]


def log_handler(handler: PushoverHandler, client: Client) -> None:
    # Priorities are keyed by numeric level, and the handler's client is fixed.
    PushoverHandler(APP_TOKEN, USER_KEY, priorities={"ERROR": Priority.HIGH})  # type: ignore[dict-item]
    PushoverHandler(APP_TOKEN, USER_KEY, timeout="5")  # type: ignore[arg-type]
    handler.client = client  # type: ignore[misc]


def testing_misuse(fake: FakePushover) -> None:
    fake.messages.append(None)  # type: ignore[attr-defined]
    fake.acknowledge(42)  # type: ignore[arg-type]
    fake.inject("500")  # type: ignore[arg-type]
    # The fake's records' deprecated names are not the client's models.
    _ = chump_typed.testing.Receipt  # type: ignore[attr-defined]


def bulk_misuse(client: Client, n: Notification) -> None:
    # send_many takes notifications, not message texts; broadcast takes keys.
    client.send_many(["hello"])  # type: ignore[list-item]
    client.broadcast(n, [1, 2])  # type: ignore[list-item]


async def async_misuse(client: AsyncClient, n: Notification) -> None:
    # A sync transport is not an AsyncTransport, and an async one is not a Transport.
    AsyncClient(APP_TOKEN, transport=FakeTransport())  # type: ignore[arg-type]
    Client(APP_TOKEN, transport=AsyncFakeTransport())  # type: ignore[arg-type]
    AsyncClient(APP_TOKEN, transport=HttpxTransport())  # type: ignore[arg-type]
    HttpxTransport(client=httpx.AsyncClient())  # type: ignore[arg-type]
    await client.send(ValidateUserRequest(user=USER_KEY))  # type: ignore[call-overload]
    sent = await client.send(Notification(user=USER_KEY, message="m"))
    await client.receipt(sent.receipt)  # type: ignore[attr-defined]
    # An un-awaited call is a coroutine, not a result.
    print(client.send(n).request)  # type: ignore[attr-defined]


async def receiving_misuse(session: Session, later: AsyncSession) -> None:
    # The colours stay apart, and the receiving rows need a session's secret.
    OpenClient(transport=AsyncFakeTransport())  # type: ignore[arg-type]
    AsyncOpenClient(transport=FakeTransport())  # type: ignore[arg-type]
    session.download(3)  # type: ignore[arg-type]
    session.delete_through(None, "7")  # type: ignore[arg-type]
    # A message id is an int; a device's name may be unknown (a resumed session).
    print(session.download()[0].id.upper())  # type: ignore[attr-defined]
    print(session.register_device("d").name.upper())  # type: ignore[union-attr]
    # An un-awaited async download is a coroutine, not a list.
    print(later.download()[0])  # type: ignore[index]
