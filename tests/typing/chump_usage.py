"""Every public name of chump 1.6.0, as seen through stubs/chump-stubs.

Type-checked by mypy --strict and pyright strict (tests/integration/test_chump_stubs.py
and the repository-wide runs); never imported or executed, so nothing here
reaches the network.
"""

import logging
import re
from datetime import datetime, tzinfo
from typing import Any, Literal
from urllib.request import OpenerDirector, Request
from urllib.response import addinfourl

import chump
from chump import (
    DEVICE_RE,
    EMERGENCY,
    ENDPOINT,
    HIGH,
    LOW,
    LOWEST,
    NORMAL,
    REQUESTS,
    TOKEN_RE,
    VERSION,
    APIError,
    Application,
    EmergencyMessage,
    Message,
    User,
    __version__,
    datetime_to_epoch,
    epoch_to_datetime,
    http_date_to_datetime,
    logger,
    utc,
    utc_now,
)
from chump.connection_pool import (
    HOST,
    FreeingHTTPResponse,
    FreeingHTTPSConnection,
    PushoverPooledConnectionHandler,
    pool,
)
from typing_extensions import assert_type

TOKEN = "a" * 30


def constants() -> None:
    assert_type(LOWEST, Literal[-2])
    assert_type(LOW, Literal[-1])
    assert_type(NORMAL, Literal[0])
    assert_type(HIGH, Literal[1])
    assert_type(EMERGENCY, Literal[2])
    assert_type(TOKEN_RE, re.Pattern[str])
    assert_type(DEVICE_RE, re.Pattern[str])
    assert_type(ENDPOINT, Literal["https://api.pushover.net/1/"])
    assert_type(REQUESTS["message"]["path"], str)
    assert_type(REQUESTS["receipt"]["method"], Literal["get", "post"])
    assert_type(VERSION, tuple[int, int, int])
    assert_type(__version__, str)
    assert_type(chump.__title__, str)
    assert_type(chump.__author__, str)
    assert_type(chump.__contact__, str)
    assert_type(chump.__homepage__, str)
    assert_type(chump.__license__, str)
    assert_type(chump.__copyright__, str)
    assert_type(chump.unicode("x"), str)
    assert_type(chump.basestring("x"), str)
    assert_type(logger, logging.Logger)
    assert_type(utc, tzinfo)


def helpers(when: datetime) -> None:
    assert_type(utc_now(), datetime)
    assert_type(epoch_to_datetime(0), datetime)
    assert_type(epoch_to_datetime("1700000000"), datetime)
    assert_type(datetime_to_epoch(when), int)
    assert_type(http_date_to_datetime("Sun, 06 Nov 1994 08:49:37 GMT"), datetime | None)


def application() -> None:
    app = Application(TOKEN)
    assert_type(app.token, str)
    assert_type(app.limit, int | None)
    assert_type(app.remaining, int | None)
    assert_type(app.reset, datetime | None)
    assert_type(app.is_authenticated, bool | None)
    assert_type(app.sounds, dict[str, str] | None)
    app.is_authenticated = None
    app.sounds = {"pushover": "Pushover (default)"}
    assert_type(app.get_user(TOKEN), User)
    assert_type(app == app, bool)
    assert_type(app != app, bool)
    assert_type(str(app), str)


def user(app: Application, priority: int) -> None:
    u = User(app, TOKEN)
    assert_type(u.app, Application)
    assert_type(u.token, str)
    assert_type(u.is_authenticated, bool | None)
    assert_type(u.devices, set[str] | None)
    u.devices = {"phone"}

    # The default priority, and any priority that is not a literal 2, give a
    # Message; a literal 2 (by keyword or by position) an EmergencyMessage.
    assert_type(u.create_message("hi"), Message)
    assert_type(u.create_message("hi", priority=HIGH), Message)
    assert_type(u.create_message("hi", priority=LOWEST), Message)
    assert_type(u.create_message("hi", priority=priority), Message)
    assert_type(u.create_message("hi", priority=EMERGENCY), EmergencyMessage)
    assert_type(u.create_message("hi", priority=2, retry=60), EmergencyMessage)
    assert_type(
        u.create_message("hi", False, None, None, None, None, None, EMERGENCY),
        EmergencyMessage,
    )
    assert_type(u.send_message("hi", title="t", url="https://x", sound="bike"), Message)
    assert_type(u.send_message("hi", priority=EMERGENCY), EmergencyMessage)
    assert_type(
        u.send_message(
            "hi", True, "t", 0, None, None, "phone", EMERGENCY, "https://cb"
        ),
        EmergencyMessage,
    )
    assert_type(u.send_message("hi", priority=priority), Message)
    assert_type(u == u, bool)


def message(u: User, when: datetime) -> None:
    m = Message(u, "hello", html=True, timestamp=1700000000, priority=LOW)
    assert_type(m.user, User)
    assert_type(m.message, str)
    assert_type(m.html, Literal[0, 1])
    m.html = False
    m.html = 1
    assert_type(m.title, str | None)
    assert_type(m.timestamp, datetime | None)
    m.timestamp = 1700000000
    m.timestamp = when
    m.timestamp = None
    assert_type(m.url, str | None)
    assert_type(m.url_title, str | None)
    assert_type(m.device, str | None)
    assert_type(m.priority, int)
    assert_type(m.sound, str | None)
    assert_type(m.id, str | None)
    assert_type(m.is_sent, bool)
    assert_type(m.sent_at, datetime | None)
    assert_type(m.error, APIError | None)
    assert_type(m.send(), bool)
    # chump compares unsent messages as None, not False.
    assert_type(m == m, bool | None)
    assert_type(m != m, bool)

    if isinstance(m, EmergencyMessage):
        assert_type(m.receipt, str | None)


def emergency_message(u: User) -> None:
    m = EmergencyMessage(u, "help", callback="https://cb", retry=60, expire=3600)
    assert_type(m.callback, str | None)
    assert_type(m.retry, int)
    assert_type(m.expire, int)
    assert_type(m.receipt, str | None)
    assert_type(m.last_polled_at, datetime | None)
    assert_type(m.last_delivered_at, datetime | None)
    assert_type(m.is_acknowledged, bool | None)
    assert_type(m.acknowledged_at, datetime | None)
    assert_type(m.acknowledged_by, User | None)
    assert_type(m.is_expired, bool | None)
    assert_type(m.expires_at, datetime | None)
    assert_type(m.is_called_back, bool | None)
    assert_type(m.called_back_at, datetime | None)
    assert_type(m.send(), bool)
    assert_type(m.poll(), bool | None)
    assert_type(m.cancel(), bool)
    plain: Message = m
    assert_type(plain.priority, int)


def api_error(e: APIError, when: datetime) -> None:
    assert_type(e.url, str)
    assert_type(e.request, dict[str, Any])
    assert_type(e.response, dict[str, Any])
    assert_type(e.timestamp, datetime | None)
    assert_type(e.id, str | None)
    assert_type(e.status, int)
    assert_type(e.errors, list[str])
    assert_type(e.bad_inputs, dict[str, Any])
    assert_type(e.receipt, str | None)
    raise APIError(
        "https://api.pushover.net/1/messages.json",
        {"user": TOKEN},
        {"request": "r", "status": 0, "errors": ["bad"], "user": "invalid"},
        when,
    )


def connection_pool(request: Request) -> None:
    assert_type(HOST, Literal["api.pushover.net"])
    assert_type(pool, OpenerDirector)
    assert_type(FreeingHTTPSConnection.response_class, type[FreeingHTTPResponse])
    handler = PushoverPooledConnectionHandler()
    assert_type(handler.pool, set[FreeingHTTPSConnection])
    assert_type(handler.free, set[FreeingHTTPSConnection])
    assert_type(handler.https_open(request), addinfourl)
    connection = handler.get_free_connection() or handler.get_new_connection()
    assert_type(handler.make_request(connection, request), addinfourl | None)
    handler.free_connection(connection)
    handler.remove_connection(connection)
    with handler.lock:
        pass
