"""End-to-end encryption (chump_typed.e2ee): the scheme's known vector, its bounds,
and every way a field can fail to decrypt, each a DecryptionError."""

from __future__ import annotations

import base64
import gzip
import importlib
import pickle
import sys
import zlib

import pytest
from cryptography.hazmat.primitives import hashes, hmac, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given
from hypothesis import strategies as st

from chump_typed import DecryptionError, PushoverError, ValidationError
from chump_typed.e2ee import (
    DEFAULT_TITLE,
    ENCRYPTED_FIELDS,
    MAX_PLAINTEXT,
    E2EEKey,
    decrypt_field,
    decrypt_fields,
    encrypt_field,
    seal_fields,
)

ZERO_KEY = E2EEKey(bytes(32))
#: The Ruby gem's test vector (pushover-api.md §4.8), checked on every Python.
VECTOR = (
    "AQEBAQEBAQEBAQEBAQEBAU0FqlkYIHEPzHs0NklFY9QT8ZekMQAM/J6iku1rmOJcEcm1SgT5ASVxoQW5"
    "SUFLnyWhe0y1Tp7q0YmS2iTpk4k="
)
HEX = "0123456789abcdefABCDEF"


def sealed_by_hand(key: bytes, payload: bytes, *, pad: bool = True) -> str:
    """IV‖AES-CBC(payload)‖MAC with a valid MAC, for payloads the encoder would never
    make (not gzip, not UTF-8, a bomb, bad padding)."""
    iv = b"\x02" * 16
    if pad:
        padder = padding.PKCS7(128).padder()
        payload = padder.update(payload) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    sealed = iv + encryptor.update(payload) + encryptor.finalize()
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(sealed)
    return base64.b64encode(sealed + mac.finalize()).decode()


class TestTheScheme:
    def test_the_known_vector(self) -> None:
        assert encrypt_field(ZERO_KEY, "secret", iv=b"\x01" * 16) == VECTOR
        assert decrypt_field(ZERO_KEY, VECTOR) == "secret"

    def test_the_gzip_header_is_fixed(self) -> None:
        raw = base64.b64decode(encrypt_field(ZERO_KEY, "x", iv=bytes(16)))
        decryptor = Cipher(algorithms.AES(bytes(32)), modes.CBC(raw[:16])).decryptor()
        padded = decryptor.update(raw[16:-32]) + decryptor.finalize()
        assert padded.startswith(bytes.fromhex("1f8b0800000000000203"))
        unpadder = padding.PKCS7(128).unpadder()
        assert gzip.decompress(unpadder.update(padded) + unpadder.finalize()) == b"x"

    def test_a_fresh_iv_each_time(self) -> None:
        assert encrypt_field(ZERO_KEY, "same") != encrypt_field(ZERO_KEY, "same")

    @given(
        text=st.text(st.characters(exclude_categories=["Cs"]), max_size=1024),
        key=st.binary(min_size=32, max_size=32),
    )
    def test_any_text_round_trips(self, text: str, key: bytes) -> None:
        sealed = E2EEKey(key)
        assert decrypt_field(sealed, encrypt_field(sealed, text)) == text

    def test_astral_characters_round_trip(self) -> None:
        text = "\U0001f512 locked \U00010348" * 100
        assert decrypt_field(ZERO_KEY, encrypt_field(ZERO_KEY, text)) == text

    @given(position=st.integers(0, 10_000), bit=st.integers(0, 7))
    def test_any_flipped_byte_is_refused(self, position: int, bit: int) -> None:
        raw = bytearray(base64.b64decode(VECTOR))
        raw[position % len(raw)] ^= 1 << bit
        with pytest.raises(DecryptionError):
            decrypt_field(ZERO_KEY, base64.b64encode(raw).decode())

    def test_another_key_is_refused_by_the_mac(self) -> None:
        with pytest.raises(DecryptionError, match="MAC does not match"):
            decrypt_field(E2EEKey(b"\x01" * 32), VECTOR)


class TestUndecryptable:
    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("not base64!", "not base64"),
            ("é", "not base64"),
            (base64.b64encode(bytes(40)).decode(), "not an IV, whole AES blocks"),
            (base64.b64encode(bytes(81)).decode(), "not an IV, whole AES blocks"),
        ],
    )
    def test_malformed(self, text: str, reason: str) -> None:
        with pytest.raises(DecryptionError, match=reason):
            decrypt_field(ZERO_KEY, text)

    def test_bad_padding_behind_a_valid_mac(self) -> None:
        with pytest.raises(DecryptionError, match="padding"):
            decrypt_field(ZERO_KEY, sealed_by_hand(bytes(32), b"\x00" * 32, pad=False))

    def test_not_gzip_behind_a_valid_mac(self) -> None:
        with pytest.raises(DecryptionError, match="not gzip"):
            decrypt_field(ZERO_KEY, sealed_by_hand(bytes(32), b"plain text"))

    def test_not_utf8_behind_a_valid_mac(self) -> None:
        with pytest.raises(DecryptionError, match="UTF-8"):
            decrypt_field(ZERO_KEY, sealed_by_hand(bytes(32), gzip.compress(b"\xff")))

    def test_two_gzip_streams_are_not_one_field(self) -> None:
        twice = gzip.compress(b"a") + gzip.compress(b"b")
        with pytest.raises(DecryptionError, match="one whole gzip stream"):
            decrypt_field(ZERO_KEY, sealed_by_hand(bytes(32), twice))

    def test_a_gzip_bomb_stays_small(self) -> None:
        bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
        payload = bomb.compress(b"\0" * 64 * 1024 * 1024) + bomb.flush()
        assert len(payload) < 100_000
        with pytest.raises(DecryptionError, match=f"larger than {MAX_PLAINTEXT}"):
            decrypt_field(ZERO_KEY, sealed_by_hand(bytes(32), payload))

    def test_just_under_the_cap_is_fine(self) -> None:
        text = "a" * MAX_PLAINTEXT
        assert decrypt_field(ZERO_KEY, encrypt_field(ZERO_KEY, text)) == text

    def test_it_is_a_pushover_error(self) -> None:
        assert issubclass(DecryptionError, PushoverError)


class TestTheKey:
    def test_from_hex_either_case(self) -> None:
        key = E2EEKey.from_hex("AB" * 32)
        assert key.hex() == "ab" * 32
        assert key == E2EEKey(b"\xab" * 32)
        assert hash(key) == hash(E2EEKey(b"\xab" * 32))
        assert key != E2EEKey.generate()

    @given(st.text(st.sampled_from(HEX), max_size=80).filter(lambda t: len(t) != 64))
    def test_not_64_digits_is_refused_with_the_bound(self, text: str) -> None:
        with pytest.raises(ValidationError) as info:
            E2EEKey.from_hex(text)
        assert info.value.field == "e2ee_key"
        assert "exactly 64 hex digits" in str(info.value)
        assert f"got {len(text)} characters" in str(info.value)

    @given(st.text(min_size=64, max_size=64).filter(lambda t: not set(t) <= set(HEX)))
    def test_non_hex_is_refused_and_not_shown(self, text: str) -> None:
        with pytest.raises(ValidationError) as info:
            E2EEKey.from_hex(text)
        assert "not all hex digits" in str(info.value)
        assert text.strip() not in str(info.value) or not text.strip()

    @pytest.mark.parametrize("pasted", [" " + "ab" * 32, "ab" * 32 + "\n"])
    def test_a_pasted_key_is_told_about_its_whitespace(self, pasted: str) -> None:
        with pytest.raises(ValidationError, match="leading or trailing whitespace"):
            E2EEKey.from_hex(pasted)

    @pytest.mark.parametrize("value", [b"00" * 32, 42, None])
    def test_a_wrong_type_is_a_type_error(self, value: object) -> None:
        with pytest.raises(TypeError, match="e2ee_key"):
            E2EEKey.from_hex(value)  # type: ignore[arg-type]

    @pytest.mark.parametrize("size", [0, 16, 31, 33])
    def test_raw_bytes_must_be_32(self, size: int) -> None:
        with pytest.raises(ValidationError, match="exactly 32 bytes"):
            E2EEKey(bytes(size))

    def test_never_shown(self) -> None:
        key = E2EEKey.from_hex("5e" * 32)
        for shown in (repr(key), str(key), f"{key}", repr([key])):
            assert "5e5e" not in shown
            assert "redacted" in shown

    def test_never_pickled(self) -> None:
        with pytest.raises(TypeError, match="not pickled"):
            pickle.dumps(E2EEKey.generate())

    def test_frozen(self) -> None:
        key = E2EEKey.generate()
        with pytest.raises(AttributeError, match="frozen"):
            setattr(key, "_key", bytes(32))  # noqa: B010 - what a caller might try
        with pytest.raises(AttributeError, match="frozen"):
            delattr(key, "_key")

    def test_a_missing_extra_is_named(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Without cryptography, asking for encryption names the extra to install,
        before anything is sent."""
        for name in [m for m in sys.modules if m.split(".")[0] == "cryptography"]:
            monkeypatch.delitem(sys.modules, name)
        monkeypatch.setitem(sys.modules, "cryptography", None)
        monkeypatch.delitem(sys.modules, "chump_typed.e2ee")
        with pytest.raises(ImportError, match=r"pip install 'chump_typed\[e2ee\]'"):
            importlib.import_module("chump_typed.e2ee")

    def test_generated_keys_differ(self) -> None:
        assert E2EEKey.generate() != E2EEKey.generate()


class TestFields:
    def test_seal_encrypts_the_four_fields_only(self) -> None:
        fields = {
            "message": "m",
            "title": "t",
            "url": "https://example.com",
            "url_title": "u",
            "priority": "1",
            "sound": "bike",
        }
        sealed = seal_fields(ZERO_KEY, fields)

        assert sealed["encrypted"] == "1"
        assert {sealed["priority"], sealed["sound"]} == {"1", "bike"}
        for name in ENCRYPTED_FIELDS:
            assert sealed[name] != fields[name]
            assert decrypt_field(ZERO_KEY, sealed[name]) == fields[name]
        assert decrypt_fields(ZERO_KEY, sealed) == {**fields, "encrypted": "1"}

    def test_no_title_gets_the_encrypted_default(self) -> None:
        sealed = seal_fields(ZERO_KEY, {"message": "m"})
        assert (
            decrypt_field(ZERO_KEY, sealed["title"]) == DEFAULT_TITLE == "Notification"
        )
        assert "url" not in sealed

    def test_unflagged_fields_are_left_alone(self) -> None:
        fields = {"message": "in clear"}
        assert decrypt_fields(ZERO_KEY, fields) == fields

    def test_a_lone_surrogate_is_refused_before_anything(self) -> None:
        with pytest.raises(ValidationError, match="surrogates"):
            encrypt_field(ZERO_KEY, "\ud800")

    @pytest.mark.parametrize("iv", [bytes(15), bytes(17)])
    def test_an_iv_is_16_bytes(self, iv: bytes) -> None:
        with pytest.raises(ValidationError, match="exactly 16 bytes"):
            encrypt_field(ZERO_KEY, "x", iv=iv)

    def test_wrong_types(self) -> None:
        with pytest.raises(TypeError, match="e2ee_key"):
            encrypt_field("00" * 32, "x")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="plaintext"):
            encrypt_field(ZERO_KEY, b"x")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="ciphertext"):
            decrypt_field(ZERO_KEY, b"x")  # type: ignore[arg-type]
