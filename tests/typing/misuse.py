"""Misuse of chump_typed that both type checkers must reject.

Each marked line carries the mypy error code it must produce, as a
``# type: ignore[code]`` comment: the repository-wide mypy run (strict, hence
warn_unused_ignores) fails if a marked line stops erroring, and tests/test_typing.py
strips the comments and checks that mypy reports exactly these codes on exactly these
lines, and that pyright strict reports an error on exactly these lines (except those
marked "mypy only": see tests/typecheck.py). Never imported or executed.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import chump_typed
from chump_typed import (
    GET_RECEIPT,
    LIST_SOUNDS,
    SEND_MESSAGE,
    Application,
    Client,
    EmergencyMessage,
    Endpoint,
    Message,
    Notification,
    Priority,
    SendResult,
    SoundList,
    SoundsRequest,
    User,
)
from chump_typed.testing import APP_TOKEN, USER_KEY, FakePushover


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


def frozen_models(notification: Notification, result: SendResult) -> None:
    notification.message = "changed"  # type: ignore[misc]
    notification.priority = Priority.HIGH  # type: ignore[misc]
    result.receipt = "r" * 30  # type: ignore[misc]


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


def testing_misuse(fake: FakePushover) -> None:
    fake.messages.append(None)  # type: ignore[attr-defined]
    fake.acknowledge(42)  # type: ignore[arg-type]
    fake.inject("500")  # type: ignore[arg-type]


def bulk_misuse(client: Client, n: Notification) -> None:
    # send_many takes notifications, not message texts; broadcast takes keys.
    client.send_many(["hello"])  # type: ignore[list-item]
    client.broadcast(n, [1, 2])  # type: ignore[list-item]
