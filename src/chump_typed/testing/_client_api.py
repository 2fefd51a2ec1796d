"""Receiving: the Open Client API of pushover-api.md §13 — login, devices, download,
deletion and acknowledgement — and the delivery of each accepted message to the Open
Client devices it reaches."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Final

import attrs

from chump_typed.testing._state import (
    DEVICE_PATTERN,
    INT_PATTERN,
    Call,
    ClientDevice,
    Problems,
    ReceiptState,
    Rejection,
    Reply,
    Route,
    State,
    current_receipt,
    new_key,
    route,
)

__all__ = ["ROUTES", "acknowledged", "deliver", "queue_backlog", "queue_raw"]

#: The name the fake gives every sending application in a download.
APP_NAME: Final = "Fake Pushover app"
#: A session secret's length (the fake's choice: Pushover does not document it).
_SECRET_BYTES: Final = 24


def deliver(
    st: State,
    params: Mapping[str, str],
    recipients: Sequence[str],
    receipt: str | None,
) -> tuple[str, ...]:
    """Queue an accepted message on every Open Client device it reaches, and return
    the users it reached: each recipient key's user (a subscribed key's real user, a
    group's enabled members), only the devices ``device=`` names when it names any,
    and only a membership's device when a group member was added with one."""
    names = {n for n in params.get("device", "").split(",") if n}
    targets: dict[str, str | None] = {}  # user -> the only device, or None for all
    for key in recipients:
        group = st.groups.get(key)
        if group is not None:
            for member in group.members:
                if not member.disabled:
                    targets.setdefault(
                        st.base_user(member.user) or member.user, member.device
                    )
        else:
            targets.setdefault(st.base_user(key) or key, None)
    now = st.now()
    for device in list(st.devices.values()):
        if device.user not in targets:
            continue
        only = targets[device.user]
        if (only is not None and device.name != only) or (
            names and device.name not in names
        ):
            continue
        st.last_message_id += 1
        st.devices[device.id] = attrs.evolve(
            device, queue=(*device.queue, _wire(st, params, receipt, now))
        )
        st.pending_push.append(device.id)
    return tuple(targets)


def queue_raw(st: State, device_id: str, fields: Mapping[str, object]) -> int:
    """Queue a message for *device_id* as a download shows it, with *fields* in
    place of the fake's own (any value, of any type: a malformed message); its id."""
    device = st.devices.get(device_id)
    if device is None:
        raise ValueError(f"no Open Client device {device_id!r}: register one first")
    st.last_message_id += 1
    shown = {**_wire(st, {"message": "queued by the test"}, None, st.now()), **fields}
    st.devices[device_id] = attrs.evolve(device, queue=(*device.queue, shown))
    st.pending_push.append(device_id)
    return st.last_message_id


def queue_backlog(st: State, device_id: str, count: int, size: int) -> None:
    """Queue *count* messages of *size* characters for *device_id*: a device that
    was offline for a while."""
    if count < 0 or size < 1:
        raise ValueError("a backlog needs a count of 0 or more and a size of 1 or more")
    for number in range(count):
        text = f"backlog {number} ".ljust(size, "x")[:size]
        queue_raw(st, device_id, {"message": text})


def _wire(
    st: State, params: Mapping[str, str], receipt: str | None, now: int
) -> dict[str, object]:
    """One message as a download shows it (§13's fields)."""
    number = st.last_message_id
    when = params.get("timestamp", "").strip()
    wire: dict[str, object] = {
        "id": number,
        "id_str": str(number),
        "umid": number,
        "umid_str": str(number),
        "title": params.get("title", ""),
        "message": params.get("message", ""),
        "app": APP_NAME,
        "aid": 1,
        "aid_str": "1",
        "icon": "pushover",
        "date": int(when) if INT_PATTERN.match(when) else now,
        "queued_date": now,
        "dispatched_date": now,
        "priority": int(params.get("priority") or 0),
        "sound": params.get("sound", ""),
        "url": params.get("url", ""),
        "url_title": params.get("url_title", ""),
        "acked": 0,
        "receipt": receipt or "",
        "html": int(params.get("html", "").strip() == "1"),
    }
    if params.get("encrypted", "").strip() == "1":
        wire["encrypted"] = 1
    return wire


def acknowledged(
    st: State, current: ReceiptState, who: str, device: str
) -> ReceiptState:
    """*current* acknowledged now by *who* on *device* (a callback marked called)."""
    now = st.now()
    return attrs.evolve(
        current,
        acknowledged=True,
        acknowledged_at=now,
        acknowledged_by=who,
        acknowledged_by_device=device,
        called_back=current.callback is not None,
        called_back_at=now if current.callback is not None else 0,
    )


# ------------------------------------------------------------------------------ routes


def login(st: State, call: Call) -> Reply:
    """``POST /1/users/login.json``: a 412 asks for the 2FA code."""
    account = st.accounts.get(call.get("email"))
    if account is None or not secrets.compare_digest(
        account.password.encode(), call.get("password").encode()
    ):
        raise Rejection(400, ["invalid email and/or password"], {"email": "invalid"})
    if account.twofa is not None:
        code = call.get("twofa")
        if not code:
            raise Rejection(412, ["two-factor authentication code required"])
        if code != account.twofa:
            raise Rejection(400, ["two-factor code is invalid"], {"twofa": "invalid"})
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    st.sessions[secret] = account.user
    return Reply(fields={"id": account.user, "secret": secret})


def register_device(st: State, call: Call) -> Reply:
    """``POST /1/devices.json``: a name unique among the user's devices, ``os=O``."""
    user = st.sessions[call.get("secret")]
    name = call.get("name")
    problems = Problems()
    if not DEVICE_PATTERN.match(name):
        problems.add("name", "name is invalid")
    if call.get("os") != "O":
        problems.add("os", "os must be O (Open Client)")
    problems.check()
    if name in st.users.get(user, ()):
        raise Rejection(400, {"name": ["has already been taken"]})
    device = ClientDevice(id=new_key(), user=user, name=name, secret=call.get("secret"))
    st.devices[device.id] = device
    st.users[user] = (*st.users.get(user, ()), name)
    return Reply(fields={"id": device.id})


def _own_device(st: State, call: Call, device_id: str) -> ClientDevice:
    """The session's device *device_id*, or a 400."""
    device = st.devices.get(device_id)
    if device is None or device.user != st.sessions[call.get("secret")]:
        raise Rejection(400, ["device_id is invalid"], {"device_id": "invalid"})
    return device


def download(st: State, call: Call) -> Reply:
    """``GET /1/messages.json``: the device's waiting messages, oldest first, with
    ``acked`` as the receipts stand now."""
    device = _own_device(st, call, call.get("device_id"))
    messages: list[dict[str, object]] = []
    for item in device.queue:
        shown = dict(item)
        receipt = st.receipts.get(str(item.get("receipt", "")))
        shown["acked"] = int(receipt is not None and receipt.acknowledged)
        messages.append(shown)
    user = {
        "quiet_hours": False,
        "is_android_licensed": False,
        "is_ios_licensed": False,
        "is_desktop_licensed": True,
    }
    return Reply(fields={"messages": messages, "user": user})


def delete_through(st: State, call: Call) -> Reply:
    """``POST /1/devices/{device_id}/update_highest_message.json``."""
    device = _own_device(st, call, call.path_args["device_id"])
    highest = call.get("message").strip()
    if not INT_PATTERN.match(highest):
        raise Rejection(400, ["message must be an integer"], {"message": "invalid"})
    kept = tuple(item for item in device.queue if int(str(item["id"])) > int(highest))
    st.devices[device.id] = attrs.evolve(device, queue=kept)
    return Reply()


def acknowledge(st: State, call: Call) -> Reply:
    """``POST /1/receipts/{receipt}/acknowledge.json``, by a user it reached."""
    user = st.sessions[call.get("secret")]
    found = st.receipts.get(call.path_args["receipt"])
    if found is None or user not in found.audience:
        raise Rejection(404, ["receipt not found"], {"receipt": "not found"})
    current = current_receipt(st, found)
    if current.acknowledged:
        return Reply()
    if not current.active:
        raise Rejection(400, ["receipt is no longer active"], {"receipt": "invalid"})
    secret = call.get("secret")
    device = next(
        (d.name for d in st.devices.values() if d.secret == secret and d.user == user),
        "",
    )
    st.receipts[current.receipt] = acknowledged(st, current, user, device)
    return Reply()


ROUTES: Final[tuple[Route, ...]] = (
    route("/1/users/login.json", "POST", login, auth="account"),
    route("/1/devices.json", "POST", register_device, auth="session"),
    route("/1/messages.json", "GET", download, auth="session"),
    route(
        "/1/devices/{device_id}/update_highest_message.json",
        "POST",
        delete_through,
        auth="session",
    ),
    route(
        "/1/receipts/{receipt}/acknowledge.json", "POST", acknowledge, auth="session"
    ),
)
