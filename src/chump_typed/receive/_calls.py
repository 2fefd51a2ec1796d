"""What both Open Clients share: the requests each method builds, the checks on
their settings, the answer cap of a download, the reading of downloaded messages one
by one, and their decryption. Pure: no I/O (a message that cannot be read is logged
when no callback takes it)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeAlias, cast

import attrs

from chump_typed import _endpoints as ep
from chump_typed import models
from chump_typed._checks import check_int_range, check_service_url, url_or_env
from chump_typed._redact import REDACTED, SECRET_FIELDS, redact_text
from chump_typed.errors import UnexpectedResponseError, ValidationError
from chump_typed.models.client_api import (
    MessageEnvelope,
    UndecodableMessage,
    check_device_id,
    check_secret,
)
from chump_typed.protocol import SendOptions

if TYPE_CHECKING:
    from chump_typed.e2ee import E2EEKey

__all__ = [
    "DEFAULT_PUSH_URL",
    "PUSH_URL_VARIABLE",
    "READ_ONE_BY_ONE",
    "OnUndecodable",
    "cap_for",
    "check_e2ee_key",
    "check_max_download_size",
    "check_on_undecodable",
    "check_push_url",
    "check_stream_settings",
    "device_from",
    "device_id_of",
    "name_the_cap",
    "opened",
    "options_for",
    "push_url_or_env",
    "read_messages",
    "report_undecodable",
    "require_websockets",
    "session_credentials",
]

#: What a listener (or a download) does with a message it cannot read.
OnUndecodable: TypeAlias = Callable[[UndecodableMessage], object]

_logger: Final = logging.getLogger("chump_typed.receive")

#: The download as the listener and ``download()`` make it: the same call as
#: :data:`~chump_typed.DOWNLOAD_MESSAGES`, its messages left as JSON to be read one
#: by one (:func:`read_messages`). Not a row of the table: the same call twice.
READ_ONE_BY_ONE: Final = ep.Endpoint(
    "download_messages",
    "GET",
    "messages.json",
    models.DownloadRequest,
    MessageEnvelope,
    credential=ep.SESSION,
    max_response_size=models.DEFAULT_MAX_DOWNLOAD_SIZE,
)

#: The most characters of each field an undecodable message's report keeps.
_FIELD_CHARS: Final = 200

#: Pushover's realtime stream (pushover-api.md §13).
DEFAULT_PUSH_URL: Final = "wss://client.pushover.net/push"


def check_push_url(push_url: str, *, field: str = "push_url") -> str:
    """*push_url*, if it is a ``wss://`` URL (``ws://`` only on loopback, where the
    fake pushes) without credentials, query or fragment; errors name *field*."""
    check_service_url(field, push_url, secure="wss", plain="ws")
    return push_url


#: The environment variable the realtime WebSocket's URL is read from when none is given.
PUSH_URL_VARIABLE: Final = "PUSHOVER_PUSH_URL"


def push_url_or_env(push_url: str | None) -> str:
    """*push_url*, else ``PUSHOVER_PUSH_URL``, else Pushover's (:func:`url_or_env`)."""
    return url_or_env(push_url, PUSH_URL_VARIABLE, DEFAULT_PUSH_URL, check_push_url)


def check_stream_settings(silence: float, reconnect_wait: float) -> None:
    """*silence* above 0 seconds, *reconnect_wait* 0 or more (both finite)."""
    from chump_typed._checks import check_seconds

    check_seconds("silence", silence)
    check_seconds("reconnect_wait", reconnect_wait, allow_zero=True)


def require_websockets() -> None:
    """Fail at once, with what to install, when websockets is missing."""
    import importlib.util

    if importlib.util.find_spec("websockets") is None:
        raise ImportError(
            "listening in real time needs websockets: pip install 'chump_typed[receive]'"
        )


def check_max_download_size(value: object) -> None:
    """*value* is ``None`` (the row's default) or an int of at least 1 byte."""
    if value is not None:
        check_int_range("max_download_size", value, low=1)


def check_on_undecodable(value: object) -> None:
    """*value* is ``None`` (log a WARNING) or a callable."""
    if value is not None and not callable(value):
        raise TypeError(
            f"on_undecodable: expected a callable, got a {type(value).__name__}"
        )


def cap_for(
    endpoint: ep.Endpoint[Any, Any], max_download_size: int | None
) -> int | None:
    """The answer cap of a call on *endpoint*: the row's own (``None``: the
    transport's), or *max_download_size* instead for a row that has one (the
    downloads)."""
    if endpoint.max_response_size is None or max_download_size is None:
        return endpoint.max_response_size
    return max_download_size


def options_for(cap: int | None, extra: SendOptions | None) -> SendOptions | None:
    """The call's options: *extra* (a deadline, a retry policy) with the answer *cap*."""
    if cap is None:
        return extra
    if extra is None:
        return SendOptions(max_response_size=cap)
    return attrs.evolve(extra, max_response_size=cap)


def name_the_cap(error: UnexpectedResponseError, cap: int | None) -> NoReturn:
    """Raise *error*, or, when it says the answer passed a download's *cap*, an error
    that names the setting that raises the cap."""
    if cap is None or f"larger than {cap} bytes" not in str(error):
        raise error
    raise UnexpectedResponseError(
        f"download_messages: the answer is larger than max_download_size ({cap} "
        "bytes): the device has more waiting than that; pass a larger "
        "max_download_size= to the OpenClient (or AsyncOpenClient)",
        http_status=error.http_status,
        body=error.body,
    ) from None


def read_messages(
    envelope: MessageEnvelope,
) -> tuple[list[models.ReceivedMessage], list[UndecodableMessage]]:
    """Each downloaded message read on its own: those that fit
    :class:`~chump_typed.receive.ReceivedMessage`, and those that do not, with why
    (one malformed message never hides the others).

    :raises UnexpectedResponseError: the envelope itself is broken: its
        ``messages`` is not a list.
    """
    from chump_typed._converter import ShapeError, structure

    raw_messages: object = envelope.messages
    if isinstance(raw_messages, tuple):
        raw_messages = list(cast("tuple[object, ...]", raw_messages))  # none: ()
    if not isinstance(raw_messages, list):
        raise UnexpectedResponseError(
            f"download_messages: $.messages: expected a list, got a "
            f"{_kind(raw_messages)}",
            http_status=200,
        )
    read: list[models.ReceivedMessage] = []
    unread: list[UndecodableMessage] = []
    for raw in cast("list[object]", raw_messages):
        if not isinstance(raw, Mapping):
            unread.append(_unread(None, {}, f"not a JSON object but a {_kind(raw)}"))
            continue
        fields = cast("Mapping[str, Any]", raw)  # JSON: its keys are strings
        try:
            read.append(structure(fields, models.ReceivedMessage))
        except ShapeError as error:
            unread.append(_unread(fields.get("id"), fields, str(error)))
    return read, unread


def _kind(value: object) -> str:
    names: dict[type, str] = {
        list: "list",
        dict: "JSON object",
        str: "string",
        int: "number",
        float: "number",
        bool: "boolean",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def _unread(number: object, fields: Mapping[str, Any], why: str) -> UndecodableMessage:
    """The report of a message that could not be read (redacted, shortened)."""
    shown: dict[str, str] = {}
    for name, value in list(fields.items())[:64]:
        key = redact_text(str(name))[:_FIELD_CHARS]
        if key in SECRET_FIELDS:
            shown[key] = REDACTED
            continue
        text = redact_text(str(value))
        shown[key] = text if len(text) <= _FIELD_CHARS else text[:_FIELD_CHARS] + "..."
    return UndecodableMessage(
        id=number if isinstance(number, int) and not isinstance(number, bool) else None,
        fields=shown,
        reason=redact_text(why)[:500],
    )


def report_undecodable(
    message: UndecodableMessage, on_undecodable: OnUndecodable | None
) -> None:
    """Give *message* to *on_undecodable*, or log it at WARNING without one."""
    if on_undecodable is not None:
        on_undecodable(message)
        return
    _logger.warning(
        "message %s could not be read and was skipped (%s); its fields: %s",
        message.id,
        message.reason,
        dict(message.fields),
    )


def session_credentials(secret: str) -> dict[ep.Credential, str]:
    """A session's secret as the credential its calls use (checked)."""
    check_secret("secret", secret)
    return {ep.SESSION: secret}


def device_id_of(device: models.Device | str | None, default: str | None) -> str:
    """The device id a call is about: *device* (a :class:`Device` or its id), else
    the session's *default*."""
    if device is None:
        if default is None:
            raise ValidationError(
                "device",
                "no device given, and the session has none: pass the Device that "
                "register_device() returned, or its id",
            )
        return default
    if isinstance(device, models.Device):
        return device.id
    check_device_id("device", device)
    return device


def opened(
    messages: Iterable[models.ReceivedMessage], e2ee_key: E2EEKey | None
) -> list[models.ReceivedMessage]:
    """*messages*, each end-to-end encrypted one decrypted with *e2ee_key* (or flagged
    ``undecryptable``, never dropped).

    Whether a download marks encrypted messages is not documented. A message marked
    ``encrypted`` is decrypted; an unmarked one is decrypted only if its text opens
    with the key (the MAC proves it was sealed with it), and is left as it came
    otherwise.
    """
    if e2ee_key is None:
        return list(messages)
    check_e2ee_key(e2ee_key)
    return [_open(message, e2ee_key) for message in messages]


def check_e2ee_key(e2ee_key: object) -> None:
    """*e2ee_key* is ``None`` or an :class:`~chump_typed.e2ee.E2EEKey` (checked before
    anything is sent; cryptography is imported only when a key is given)."""
    if e2ee_key is None:
        return
    from chump_typed.e2ee import E2EEKey

    if not isinstance(e2ee_key, E2EEKey):
        raise TypeError(
            f"e2ee_key: expected an E2EEKey, got a {type(e2ee_key).__name__}"
        )


def device_from(registration: models.DeviceRegistration, name: str) -> models.Device:
    """The registered device; an id we could not use again is the server's fault."""
    try:
        return models.Device(id=registration.id, name=name)
    except ValidationError as error:
        from chump_typed.errors import UnexpectedResponseError

        raise UnexpectedResponseError(
            f"register_device: the device id in the answer {error.problem}",
            http_status=200,
            may_have_been_sent=True,
        ) from None


def _open(message: models.ReceivedMessage, key: E2EEKey) -> models.ReceivedMessage:
    from chump_typed.e2ee import ENCRYPTED_FIELDS, decrypt_field
    from chump_typed.errors import DecryptionError

    changes: dict[str, Any] = {}
    try:
        for name in ENCRYPTED_FIELDS:
            text = getattr(message, name)
            if text:
                changes[name] = decrypt_field(key, text)
    except DecryptionError:
        if not message.encrypted:
            return message  # plain text that only looked like ciphertext, or is not
        return attrs.evolve(message, undecryptable=True)
    return attrs.evolve(message, encrypted=True, **changes)
