"""What both Open Clients share: the requests each method builds, the checks on
their settings, and the decryption of downloaded messages. Pure: no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

import attrs

from chump_typed import _endpoints as ep
from chump_typed import models
from chump_typed._checks import check_service_url, url_or_env
from chump_typed.errors import ValidationError
from chump_typed.models.client_api import check_device_id, check_secret

if TYPE_CHECKING:
    from chump_typed.e2ee import E2EEKey

__all__ = [
    "DEFAULT_PUSH_URL",
    "PUSH_URL_VARIABLE",
    "check_e2ee_key",
    "check_push_url",
    "check_stream_settings",
    "device_from",
    "device_id_of",
    "opened",
    "push_url_or_env",
    "require_websockets",
    "session_credentials",
]

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
