"""End-to-end encryption of message fields (pushover.net/api#e2ee).

Pushover's apps (5.0 and later) decrypt the ``message``, ``title``, ``url`` and
``url_title`` of a message the sender encrypted with a key the user set on their
devices; Pushover itself only relays the ciphertext. Each field is, in turn:

1. the UTF-8 text, gzipped with a fixed 10-byte header (``1f8b0800 00000000 02 03``)
   around raw deflate at level 9, so that a fixed IV gives the same bytes on every
   Python (``gzip.compress`` writes a different OS byte on 3.10 and 3.13);
2. encrypted with AES-256-CBC, a fresh random 16-byte IV and PKCS#7 padding;
3. authenticated with HMAC-SHA256 over IV‖ciphertext, with the same key;
4. sent as the base64 of IV‖ciphertext‖MAC, with ``encrypted=1``.

Decryption checks the MAC first, in constant time, and caps what it decompresses. This
is the only module that imports ``cryptography`` (extra ``chump_typed[e2ee]``).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import struct
import zlib
from collections.abc import Mapping
from typing import Final, NoReturn

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, hmac, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
except ImportError as exc:  # pragma: no cover - depends on what is installed
    raise ImportError(
        "end-to-end encryption needs cryptography: pip install 'chump_typed[e2ee]'"
    ) from exc

from chump_typed._redact import remember
from chump_typed._scrub import scrub_public
from chump_typed.errors import DecryptionError, ValidationError

__all__ = [
    "DEFAULT_TITLE",
    "ENCRYPTED_FIELDS",
    "MAX_PLAINTEXT",
    "E2EEKey",
    "decrypt_field",
    "decrypt_fields",
    "encrypt_field",
    "seal_fields",
]

#: The fields Pushover's apps decrypt; every other parameter stays in clear.
ENCRYPTED_FIELDS: Final[tuple[str, ...]] = ("message", "title", "url", "url_title")
#: The title sent, encrypted, when an encrypted message has none: without one,
#: Pushover inserts a plaintext default title that the device fails to decrypt.
DEFAULT_TITLE: Final = "Notification"
#: The largest decrypted field, in bytes: far above Pushover's longest field (1024
#: characters), small enough that a gzip bomb stays small.
MAX_PLAINTEXT: Final = 64 * 1024

_KEY_BYTES: Final = 32
_IV_BYTES: Final = 16
_MAC_BYTES: Final = 32
_BLOCK: Final = 16
#: gzip's header: magic, deflate, no flags, mtime 0, "maximum compression", Unix.
_GZIP_HEADER: Final = bytes.fromhex("1f8b0800000000000203")
_HEX: Final = frozenset("0123456789abcdefABCDEF")


class E2EEKey:
    """A 32-byte end-to-end encryption key, as the user set it on their devices.

    Make one with :meth:`from_hex` (the 64 hex digits the app shows) or
    :meth:`generate`. Its ``repr`` and ``str`` never show it; :meth:`hex` does, when
    asked. Keys are equal when their bytes are.
    """

    __slots__ = ("__weakref__", "_key")
    _key: bytes

    def __init__(self, key: bytes, /) -> None:
        if not isinstance(key, bytes):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"key: expected bytes, got a {type(key).__name__}")
        if len(key) != _KEY_BYTES:
            raise ValidationError(
                "e2ee_key", f"must be exactly {_KEY_BYTES} bytes, got {len(key)}"
            )
        object.__setattr__(self, "_key", key)
        remember(self, key.hex(), key.hex().upper())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"an E2EEKey is frozen: {name} cannot be set")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"an E2EEKey is frozen: {name} cannot be deleted")

    @classmethod
    def from_hex(cls, text: str, /) -> E2EEKey:
        """The key written as exactly 64 hex digits (upper or lower case)."""
        if not isinstance(text, str):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"e2ee_key: expected a str, got a {type(text).__name__}")
        if len(text) != 2 * _KEY_BYTES or not _HEX.issuperset(text):
            stripped = text.strip()
            pasted = len(stripped) == 2 * _KEY_BYTES and _HEX.issuperset(stripped)
            raise ValidationError(
                "e2ee_key",
                f"must be exactly {2 * _KEY_BYTES} hex digits (0-9, a-f), got "
                f"{len(text)} characters"
                + (
                    ": it has leading or trailing whitespace"
                    if pasted
                    else ""
                    if _HEX.issuperset(text)
                    else " that are not all hex digits"
                ),
            )
        return cls(bytes.fromhex(text))

    @classmethod
    def generate(cls) -> E2EEKey:
        """A fresh random key (to set on the user's devices: :meth:`hex`)."""
        return cls(secrets.token_bytes(_KEY_BYTES))

    def hex(self) -> str:
        """The key as 64 lower-case hex digits: shows the secret."""
        return self._key.hex()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, E2EEKey):
            return NotImplemented
        return secrets.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        return hash((E2EEKey, self._key))

    def __repr__(self) -> str:
        return "E2EEKey(<redacted>)"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("an E2EEKey is not pickled: store its hex() where secrets go")


def _gzip(data: bytes) -> bytes:
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = deflate.compress(data) + deflate.flush()
    trailer = struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)
    return _GZIP_HEADER + body + trailer


def _gunzip(data: bytes) -> bytes:
    """Any valid gzip stream (other encoders write other headers), within the cap."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        text = inflate.decompress(data, MAX_PLAINTEXT + 1)
    except zlib.error:
        raise DecryptionError("the decrypted field is not gzip data") from None
    if len(text) > MAX_PLAINTEXT:
        raise DecryptionError(
            f"the decrypted field is larger than {MAX_PLAINTEXT} bytes"
        ) from None
    if not inflate.eof or inflate.unused_data:
        raise DecryptionError("the decrypted field is not one whole gzip stream")
    return text


def _mac(key: bytes, data: bytes) -> hmac.HMAC:
    signer = hmac.HMAC(key, hashes.SHA256())
    signer.update(data)
    return signer


def encrypt_field(key: E2EEKey, plaintext: str, *, iv: bytes | None = None) -> str:
    """*plaintext* encrypted for the devices holding *key*: the base64 of
    IV‖ciphertext‖MAC. A fresh random IV is drawn unless *iv* (16 bytes) is given,
    which only tests should do: an IV must never be used twice with one key."""
    if not isinstance(key, E2EEKey):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"e2ee_key: expected an E2EEKey, got a {type(key).__name__}")
    if not isinstance(plaintext, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"plaintext: expected a str, got a {type(plaintext).__name__}")
    if iv is None:
        iv = secrets.token_bytes(_IV_BYTES)
    elif not isinstance(iv, bytes):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"iv: expected bytes, got a {type(iv).__name__}")
    elif len(iv) != _IV_BYTES:
        raise ValidationError("iv", f"must be exactly {_IV_BYTES} bytes, got {len(iv)}")
    try:
        data = plaintext.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "plaintext", "must be text without lone surrogates"
        ) from None
    padder = padding.PKCS7(_BLOCK * 8).padder()
    padded = padder.update(_gzip(data)) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key._key), modes.CBC(iv)).encryptor()  # pyright: ignore[reportPrivateUsage]
    sealed = iv + encryptor.update(padded) + encryptor.finalize()
    tag = _mac(key._key, sealed).finalize()  # pyright: ignore[reportPrivateUsage]
    return base64.b64encode(sealed + tag).decode("ascii")


def decrypt_field(key: E2EEKey, ciphertext: str) -> str:
    """The text *ciphertext* carries, if *key* sealed it.

    :raises DecryptionError: the MAC does not match (checked first, in constant time),
        or the field is not base64, padded AES-CBC, gzip within
        :data:`MAX_PLAINTEXT` bytes and UTF-8, in that order.
    """
    if not isinstance(key, E2EEKey):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"e2ee_key: expected an E2EEKey, got a {type(key).__name__}")
    if not isinstance(ciphertext, str):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(
            f"ciphertext: expected a str, got a {type(ciphertext).__name__}"
        )
    try:
        raw = base64.b64decode(ciphertext.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise DecryptionError("the field is not base64") from None
    if len(raw) < _IV_BYTES + _BLOCK + _MAC_BYTES or len(raw) % _BLOCK:
        raise DecryptionError(
            f"the field is {len(raw)} bytes: not an IV, whole AES blocks and a MAC"
        )
    sealed, tag = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    try:
        _mac(key._key, sealed).verify(tag)  # pyright: ignore[reportPrivateUsage]
    except InvalidSignature:
        raise DecryptionError(
            "the field's MAC does not match: a wrong key, or the field was altered"
        ) from None
    decryptor = Cipher(
        algorithms.AES(key._key),  # pyright: ignore[reportPrivateUsage]
        modes.CBC(sealed[:_IV_BYTES]),
    ).decryptor()
    padded = decryptor.update(sealed[_IV_BYTES:]) + decryptor.finalize()
    unpadder = padding.PKCS7(_BLOCK * 8).unpadder()
    try:
        compressed = unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise DecryptionError("the decrypted field's padding is invalid") from None
    try:
        return _gunzip(compressed).decode("utf-8")
    except UnicodeDecodeError:
        raise DecryptionError("the decrypted field is not UTF-8 text") from None


def seal_fields(key: E2EEKey, fields: Mapping[str, str]) -> dict[str, str]:
    """A message's wire *fields* with its :data:`ENCRYPTED_FIELDS` encrypted for *key*,
    ``encrypted=1`` set, and the encrypted :data:`DEFAULT_TITLE` when there is no
    title (Pushover would insert a plaintext one the device cannot decrypt). Fails
    closed: it raises rather than return a field in clear."""
    sealed = dict(fields)
    sealed.setdefault("title", DEFAULT_TITLE)
    for name in ENCRYPTED_FIELDS:
        if name in sealed:
            sealed[name] = encrypt_field(key, sealed[name])
    sealed["encrypted"] = "1"
    return sealed


def decrypt_fields(key: E2EEKey, fields: Mapping[str, str]) -> dict[str, str]:
    """A received message's *fields* with its encrypted ones decrypted, when its
    ``encrypted`` flag is ``1`` (otherwise the fields as they are): what a receiver
    shows.

    :raises DecryptionError: a field does not decrypt with *key*.
    """
    opened = dict(fields)
    if str(opened.get("encrypted", "")).strip() != "1":
        return opened
    for name in ENCRYPTED_FIELDS:
        if opened.get(name):
            opened[name] = decrypt_field(key, opened[name])
    return opened


scrub_public(globals())
