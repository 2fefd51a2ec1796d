# Type stubs for chump 1.6.0 (https://github.com/karanlyons/chump), Python 3 only.
#
# The stubs describe what chump 1.6.0 does at runtime, which is sometimes less
# than what its documentation promises; every such place is commented.

import logging
import re
from datetime import datetime, tzinfo
from typing import (
    Any,
    ClassVar,
    Final,
    Literal,
    TypeAlias,
    TypedDict,
    overload,
    type_check_only,
)

from _typeshed import ConvertibleToInt

# Python 2 compatibility aliases, still bound at runtime.
unicode = str
basestring = str

VERSION: Final[tuple[int, int, int]]

__title__: Final[str]
__version__: Final[str]
__author__: Final[str]
__contact__: Final[str]
__homepage__: Final[str]
__license__: Final[str]
__copyright__: Final[str]

logger: logging.Logger

# pytz.utc, dateutil's tzutc() or datetime.timezone.utc, whichever imports first.
utc: tzinfo

def utc_now() -> datetime: ...

# Calls int(e): chump itself passes the X-Limit-App-Reset header string.
def epoch_to_datetime(e: ConvertibleToInt) -> datetime: ...

# A naive datetime is accepted with a RuntimeWarning and taken as UTC.
def datetime_to_epoch(dt: datetime) -> int: ...

# Falls off the end (None) when the date cannot be parsed.
def http_date_to_datetime(d: str) -> datetime | None: ...

# Both mypy and pyright infer Literal[-2] ... Literal[2] from these, which is
# what the create_message/send_message overloads below dispatch on.
LOWEST: Final = -2
LOW: Final = -1
NORMAL: Final = 0
HIGH: Final = 1
EMERGENCY: Final = 2

TOKEN_RE: Final[re.Pattern[str]]
DEVICE_RE: Final[re.Pattern[str]]

ENDPOINT: Final = "https://api.pushover.net/1/"

_RequestName: TypeAlias = Literal[
    "sound", "limits", "validate", "message", "receipt", "cancel"
]

@type_check_only
class _RequestSpec(TypedDict):
    method: Literal["get", "post"]
    path: str

REQUESTS: Final[dict[_RequestName, _RequestSpec]]

# Message.html is stored as int(value), and anything but 0 or 1 is refused.
_HTMLFlag: TypeAlias = bool | Literal[0, 1]

class APIError(Exception):
    url: str
    # The request payload as sent, token included.
    request: dict[str, Any]
    # The decoded JSON body.
    response: dict[str, Any]
    # None when the response's Date header could not be parsed.
    timestamp: datetime | None
    # response["request"]; None on the synthetic error built for non-4xx failures.
    id: str | None
    status: int
    errors: list[str]
    # Every other key of the response: Pushover uses one per rejected input
    # (e.g. {"token": "invalid"}), but the values are arbitrary JSON.
    bad_inputs: dict[str, Any]
    receipt: str | None
    def __init__(
        self,
        url: str,
        request: dict[str, Any],
        response: dict[str, Any],
        timestamp: datetime | None,
    ) -> None: ...
    def __unicode__(self) -> str: ...

class Application:
    token: str
    limit: int | None
    remaining: int | None
    reset: datetime | None
    def __init__(self, token: str) -> None: ...
    # Stays None if validation failed for a reason other than the token.
    @property
    def is_authenticated(self) -> bool | None: ...
    @is_authenticated.setter
    def is_authenticated(self, value: bool | None) -> None: ...
    # Sound name -> human readable description.
    @property
    def sounds(self) -> dict[str, str] | None: ...
    @sounds.setter
    def sounds(self, value: dict[str, str] | None) -> None: ...
    def get_user(self, token: str) -> User: ...
    def __unicode__(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    # Defining __eq__ without __hash__ makes instances unhashable.
    __hash__: ClassVar[None]  # type: ignore[assignment]
    # __lt__, __le__, __gt__ and __ge__ exist but return NotImplemented, so
    # ordering raises TypeError; they are left out so that checkers say so too.

class User:
    app: Application
    token: str
    def __init__(self, app: Application, token: str) -> None: ...
    # False unless the application is known to be authenticated; None when
    # validation failed for a reason other than the tokens.
    @property
    def is_authenticated(self) -> bool | None: ...
    @is_authenticated.setter
    def is_authenticated(self, value: bool | None) -> None: ...
    @property
    def devices(self) -> set[str] | None: ...
    @devices.setter
    def devices(self, value: set[str] | None) -> None: ...
    # create_message and send_message return an EmergencyMessage exactly when
    # priority == EMERGENCY. A literal 2 (or chump.EMERGENCY) selects the first
    # two overloads (priority by keyword or by position). Any other priority,
    # including a plain int whose value is unknown statically, gives Message:
    # EmergencyMessage is a subclass of Message, so Message is the honest join
    # of both outcomes ("Message | EmergencyMessage" would be the same type);
    # narrow with isinstance(m, EmergencyMessage) to reach .receipt and .poll().
    @overload
    def create_message(
        self,
        message: str,
        html: _HTMLFlag = False,
        title: str | None = None,
        timestamp: datetime | int | None = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        *,
        priority: Literal[2],
        callback: str | None = None,
        retry: int = 30,
        expire: int = 86400,
        sound: str | None = None,
    ) -> EmergencyMessage: ...
    @overload
    def create_message(
        self,
        message: str,
        html: _HTMLFlag,
        title: str | None,
        timestamp: datetime | int | None,
        url: str | None,
        url_title: str | None,
        device: str | None,
        priority: Literal[2],
        callback: str | None = None,
        retry: int = 30,
        expire: int = 86400,
        sound: str | None = None,
    ) -> EmergencyMessage: ...
    @overload
    def create_message(
        self,
        message: str,
        html: _HTMLFlag = False,
        title: str | None = None,
        timestamp: datetime | int | None = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        priority: int = 0,
        callback: str | None = None,
        retry: int = 30,
        expire: int = 86400,
        sound: str | None = None,
    ) -> Message: ...
    @overload
    def send_message(
        self,
        message: str,
        html: _HTMLFlag = False,
        title: str | None = None,
        timestamp: datetime | int | None = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        *,
        priority: Literal[2],
        callback: str | None = None,
        retry: int = 30,
        expire: int = 86400,
        sound: str | None = None,
    ) -> EmergencyMessage: ...
    @overload
    def send_message(
        self,
        message: str,
        html: _HTMLFlag,
        title: str | None,
        timestamp: datetime | int | None,
        url: str | None,
        url_title: str | None,
        device: str | None,
        priority: Literal[2],
        callback: str | None = None,
        retry: int = 30,
        expire: int = 86400,
        sound: str | None = None,
    ) -> EmergencyMessage: ...
    @overload
    def send_message(
        self,
        message: str,
        html: _HTMLFlag = False,
        title: str | None = None,
        timestamp: datetime | int | None = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        priority: int = 0,
        callback: str | None = None,
        retry: int = 30,
        expire: int = 86400,
        sound: str | None = None,
    ) -> Message: ...
    def __unicode__(self) -> str: ...
    def __eq__(self, other: object) -> bool: ...
    def __ne__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class Message:
    user: User
    message: str
    title: str | None
    url: str | None
    url_title: str | None
    # Checked against user.devices when the user is authenticated (may do I/O).
    device: str | None
    # Stored as int(value); the documented -2..2 range check never runs.
    priority: int
    # Checked against user.app.sounds when the app is authenticated (may do I/O).
    sound: str | None
    id: str | None
    is_sent: bool
    # The Date header of Pushover's response; None if unsent or unparsable.
    sent_at: datetime | None
    error: APIError | None
    def __init__(
        self,
        user: User,
        message: str,
        html: _HTMLFlag = False,
        title: str | None = None,
        timestamp: datetime | int | None = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        priority: int = 0,
        sound: str | None = None,
    ) -> None: ...
    # html and timestamp are plain instance attributes at runtime, converted by
    # Message.__setattr__; asymmetric properties describe that conversion.
    @property
    def html(self) -> Literal[0, 1]: ...
    @html.setter
    def html(self, value: _HTMLFlag) -> None: ...
    # An int is taken as seconds since the epoch and becomes an aware UTC datetime.
    @property
    def timestamp(self) -> datetime | None: ...
    @timestamp.setter
    def timestamp(self, value: datetime | int | None) -> None: ...
    def send(self) -> bool: ...
    def __unicode__(self) -> str: ...
    # Returns None (not False) while self.id is None, i.e. before a successful send.
    def __eq__(self, other: object) -> bool | None: ...  # type: ignore[override]
    def __ne__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

class EmergencyMessage(Message):
    callback: str | None
    # Stored as int(value): retry >= 30, 0 < expire <= 86400, else ValueError.
    retry: int
    expire: int
    receipt: str | None
    last_polled_at: datetime | None
    last_delivered_at: datetime | None
    is_acknowledged: bool | None
    acknowledged_at: datetime | None
    acknowledged_by: User | None
    is_expired: bool | None
    expires_at: datetime | None
    is_called_back: bool | None
    called_back_at: datetime | None
    def __init__(
        self,
        user: User,
        message: str,
        html: _HTMLFlag = False,
        title: str | None = None,
        timestamp: datetime | int | None = None,
        url: str | None = None,
        url_title: str | None = None,
        device: str | None = None,
        sound: str | None = None,
        callback: str | None = None,
        retry: int = 30,
        expire: int = 86400,
    ) -> None: ...
    # send() also polls the receipt once on success.
    def send(self) -> bool: ...
    # None when there is no receipt to poll (the message could not be sent).
    def poll(self) -> bool | None: ...
    def cancel(self) -> bool: ...
    # Returns None (not False) while self.receipt is None.
    def __eq__(self, other: object) -> bool | None: ...  # type: ignore[override]
    def __ne__(self, other: object) -> bool: ...
    __hash__: ClassVar[None]
