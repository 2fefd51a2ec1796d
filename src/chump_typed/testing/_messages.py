"""Messages and what follows them: sending, sounds, user validation, receipts, limits
(pushover-api.md §4-§7)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Final
from urllib.parse import urlsplit

import attrs

from chump_typed.testing._client_api import deliver
from chump_typed.testing._state import (
    EMERGENCY,
    LATEST_TIMESTAMP,
    MAX_ATTACHMENT_BYTES,
    MAX_EXPIRE,
    MAX_RECIPIENTS,
    MESSAGE_TEXT_LIMITS,
    MIN_RETRY,
    PRIORITIES,
    USER_INVALID,
    Call,
    Problems,
    ReceiptState,
    Rejection,
    Reply,
    Route,
    SentAttachment,
    SentMessage,
    State,
    current_receipt,
    invalid_user,
    new_key,
    route,
)

__all__ = ["ROUTES"]


# -------------------------------------------------------------------------- messages


def _received_attachment(call: Call, problems: Problems) -> SentAttachment | None:
    """The attachment as sent: a multipart part, or decoded ``attachment_base64``."""
    part = call.files.get("attachment")
    encoded = call.get("attachment_base64")
    if part is not None and encoded:
        problems.add("attachment", "send attachment or attachment_base64, not both")
        return None
    if part is not None:
        if not part.filename:
            problems.add("attachment", "attachment part needs a filename")
        return part
    if not encoded:
        return None
    kind = call.get("attachment_type")
    if not kind:
        problems.add("attachment_type", "attachment_type is required")
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        problems.add("attachment_base64", "attachment_base64 is not valid base64")
        return None
    return SentAttachment(content_type=kind, data=data)


def _attachment(call: Call, problems: Problems) -> SentAttachment | None:
    """The attachment, checked: an image of at most 5 MiB once decoded (§4.6)."""
    found = _received_attachment(call, problems)
    if found is None:
        return None
    if not found.content_type.startswith("image/"):
        problems.add("attachment", "attachment must be an image")
    if len(found.data) > MAX_ATTACHMENT_BYTES:
        problems.add(
            "attachment",
            f"attachment cannot be larger than {MAX_ATTACHMENT_BYTES} bytes",
        )
    return found


def _emergency(call: Call, problems: Problems) -> None:
    retry = problems.integer(call, "retry")
    expire = problems.integer(call, "expire")
    if retry is None:
        problems.add("retry", "retry is required for emergency priority")
    elif retry < MIN_RETRY:
        problems.add("retry", f"retry must be at least {MIN_RETRY} seconds")
    if expire is None:
        problems.add("expire", "expire is required for emergency priority")
    elif not 0 < expire <= MAX_EXPIRE:
        problems.add("expire", f"expire must be between 1 and {MAX_EXPIRE} seconds")


def _audience(st: State, keys: Iterable[str]) -> tuple[int, str | None]:
    """How many users a message reaches (quota units), and the first of them."""
    count, first = 0, None
    for key in keys:
        group = st.groups.get(key)
        users = [m.user for m in group.members if not m.disabled] if group else [key]
        unique = list(dict.fromkeys(users))
        count += len(unique)
        first = first or (unique[0] if unique else None)
    return count, first


def _is_callback(value: str) -> bool:
    """§7.3: Pushover POSTs to the callback from the internet, over HTTP or HTTPS."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)


def send_message(st: State, call: Call) -> Reply:
    """``POST /1/messages.json`` (§4)."""
    problems = Problems()
    headers = st.limit_headers()
    keys = call.get("user").split(",") if call.get("user") else []
    if not keys:
        problems.add("user", "user identifier is required")
    elif len(keys) > MAX_RECIPIENTS:
        problems.add("user", f"at most {MAX_RECIPIENTS} users per message")
    elif not all(st.base_user(k) or k in st.groups for k in keys):
        invalid_user(problems)
    if not call.get("message"):
        problems.add("message", "message cannot be blank")
    encrypted = problems.flag(call, "encrypted")
    opened = _opened(st, call, keys) if encrypted else _Opened(None, ())
    if opened.fields is not None:
        problems.text(attrs.evolve(call, params=opened.fields), MESSAGE_TEXT_LIMITS)
    else:
        # Ciphertext is longer than the text it hides: only clear fields are checked.
        problems.text(call, _clear_limits() if encrypted else MESSAGE_TEXT_LIMITS)
    problems.device("device", call.get("device"))
    priority = problems.integer(call, "priority") or 0
    if priority not in PRIORITIES:
        problems.add("priority", "priority must be -2, -1, 0, 1 or 2")
    elif priority == EMERGENCY:
        _emergency(call, problems)
    ttl = problems.integer(call, "ttl")
    if ttl is not None and ttl <= 0:
        problems.add("ttl", "ttl must be positive")
    # §1: Unix seconds; 0 means "never". The client refuses the same range.
    timestamp = problems.integer(call, "timestamp")
    if timestamp is not None and not 0 < timestamp <= LATEST_TIMESTAMP:
        problems.add("timestamp", "timestamp must be a positive Unix time")
    html, monospace = problems.flag(call, "html"), problems.flag(call, "monospace")
    if html and monospace:
        problems.add("monospace", "html and monospace cannot be used together")
    sound = call.get("sound")
    if sound and sound not in st.sounds:
        problems.add("sound", "sound is not a valid sound")
    if call.get("callback") and not _is_callback(call.get("callback")):
        problems.add("callback", "callback must be an http or https URL")
    attachment = _attachment(call, problems)
    problems.check(headers)

    count, first = _audience(st, keys)
    if count > st.remaining:
        raise Rejection(
            429,
            ["application has exceeded its monthly message limit"],
            headers=headers,
        )
    st.remaining -= count
    now = st.now()
    fields: dict[str, object] = {}
    receipt: str | None = None
    if priority == EMERGENCY:
        receipt = new_key()
        st.receipts[receipt] = ReceiptState(
            receipt=receipt,
            token=call.get("token"),
            recipients=(first,) if first else (),
            tags=tuple(t for t in call.get("tags").split(",") if t),
            callback=call.get("callback") or None,
            last_delivered_at=now,
            expires_at=now + int(call.get("expire")),
        )
        fields["receipt"] = receipt
    audience = deliver(st, call.params, keys, receipt)
    if receipt is not None:
        st.receipts[receipt] = attrs.evolve(st.receipts[receipt], audience=audience)
    st.messages.append(
        SentMessage(
            request=call.request,
            params=dict(call.params),
            recipients=tuple(keys),
            attachment=attachment,
            receipt=receipt,
            received_at=st.clock(),
            encrypted=encrypted,
            decrypted=opened.fields,
            unreadable_by=opened.unreadable_by,
        )
    )
    return Reply(fields=fields, headers=st.limit_headers())


@attrs.frozen
class _Opened:
    """An encrypted message as the recipients whose keys the fake knows read it."""

    fields: dict[str, str] | None
    unreadable_by: tuple[str, ...]


def _opened(st: State, call: Call, recipients: list[str]) -> _Opened:
    """The fields decrypted with the first recipient key that opens them (``None``
    when the fake knows no recipient's key, or none opens them), and the recipients
    whose known key does not. Through :mod:`chump_typed.e2ee`, the only module that
    decrypts."""
    known = [(user, st.e2ee_keys[user]) for user in recipients if user in st.e2ee_keys]
    if not known:
        return _Opened(None, ())
    from chump_typed.e2ee import decrypt_fields
    from chump_typed.errors import DecryptionError

    opened: dict[str, str] | None = None
    unreadable: list[str] = []
    for user, key in known:
        try:
            fields = decrypt_fields(key, call.params)
        except DecryptionError:
            unreadable.append(user)
            continue
        opened = opened or fields
    return _Opened(opened, tuple(unreadable))


def _clear_limits() -> dict[str, int]:
    from chump_typed.e2ee import ENCRYPTED_FIELDS

    return {
        name: most
        for name, most in MESSAGE_TEXT_LIMITS.items()
        if name not in ENCRYPTED_FIELDS
    }


# --------------------------------------------------------------------- sounds, users


def list_sounds(st: State, call: Call) -> Reply:
    """``GET /1/sounds.json`` (§5)."""
    del call
    return Reply(fields={"sounds": dict(st.sounds)})


def validate_user(st: State, call: Call) -> Reply:
    """``POST /1/users/validate.json`` (§6)."""
    key, device = call.get("user"), call.get("device")
    if key in st.groups:
        return Reply(fields={"devices": [], "licenses": [], "group": 1})
    user = st.base_user(key)
    if user is None:
        raise Rejection(400, [USER_INVALID], {"user": "invalid"})
    problems = Problems()
    devices = st.users[user]
    if not devices:
        problems.add("user", "user has no active devices")
    if device and device not in devices:
        problems.add(
            "device", "device name is not valid for this user", "invalid for this user"
        )
    problems.check()
    return Reply(
        fields={
            "devices": list(devices),
            "licenses": sorted(st.platforms.get(user, frozenset())),
            "group": 0,
        }
    )


# -------------------------------------------------------------------------- receipts


def _receipt(st: State, call: Call) -> ReceiptState:
    found = st.receipts.get(call.path_args["receipt"])
    if found is None or found.token != call.get("token"):
        raise Rejection(
            404,
            ["receipt not found; may be invalid or expired"],
            {"receipt": "not found"},
        )
    return current_receipt(st, found)


def get_receipt(st: State, call: Call) -> Reply:
    """``GET /1/receipts/{receipt}.json`` (§7.1)."""
    return Reply(fields=_receipt(st, call).to_wire())


def cancel_receipt(st: State, call: Call) -> Reply:
    """``POST /1/receipts/{receipt}/cancel.json`` (§7.2)."""
    found = _receipt(st, call)
    st.receipts[found.receipt] = attrs.evolve(found, canceled=True)
    return Reply()


def cancel_by_tag(st: State, call: Call) -> Reply:
    """``POST /1/receipts/cancel_by_tag/{tag}.json`` (§7.2): cancel active receipts."""
    tag, token = call.path_args["tag"], call.get("token")
    receipts = [current_receipt(st, r) for r in list(st.receipts.values())]
    hits = [r for r in receipts if r.token == token and r.active and tag in r.tags]
    for r in hits:
        st.receipts[r.receipt] = attrs.evolve(r, canceled=True)
    return Reply(fields={"canceled": len(hits)})


def app_limits(st: State, call: Call) -> Reply:
    """``GET /1/apps/limits.json`` (§2.4); costs no quota."""
    del call
    return Reply(
        fields={"limit": st.limit, "remaining": st.remaining, "reset": st.reset}
    )


#: This family's endpoints.
ROUTES: Final[tuple[Route, ...]] = (
    route("/1/messages.json", "POST", send_message),
    route("/1/sounds.json", "GET", list_sounds),
    route("/1/users/validate.json", "POST", validate_user),
    route("/1/receipts/cancel_by_tag/{tag}.json", "POST", cancel_by_tag),
    route("/1/receipts/{receipt}.json", "GET", get_receipt),
    route("/1/receipts/{receipt}/cancel.json", "POST", cancel_receipt),
    route("/1/apps/limits.json", "GET", app_limits),
)
