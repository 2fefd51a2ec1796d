"""Hypothesis strategies: one per model, plus the building blocks of Pushover's rules.

Every new model gets a strategy here (the attrs habit), so the round-trip and table
tests cover it automatically through :data:`REQUESTS` and :data:`RESULTS`.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import Any, Final

import attrs
from hypothesis import strategies as st

from chump_typed import models

ALNUM: Final = string.ascii_letters + string.digits
DEVICE_CHARS: Final = ALNUM + "_-"
UTC: Final = dt.timezone.utc

keys = st.text(ALNUM, min_size=30, max_size=30)
"""User keys, group keys, tokens and receipts: exactly 30 letters and digits."""

device_names = st.text(DEVICE_CHARS, min_size=1, max_size=25)
request_ids = st.uuids().map(str)

#: The C0 control characters (U+0000 to U+001F), refused in every text field ...
C0 = "".join(map(chr, range(32)))
#: ... but tab, LF and CR, which a message body may hold.
C0_BUT_LINES = C0.replace("\t", "").replace("\n", "").replace("\r", "")

# Text without surrogates (they cannot be encoded to send) or C0 controls.
characters = st.characters(exclude_categories=["Cs"], exclude_characters=C0)
any_text = st.text(characters)
message_characters = st.characters(
    exclude_categories=["Cs"], exclude_characters=C0_BUT_LINES
)


def text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    return st.text(characters, min_size=min_size, max_size=max_size)


def message_text(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    """A message body: any text but surrogates and controls other than tab, CR, LF."""
    return st.text(message_characters, min_size=min_size, max_size=max_size)


line = st.text(characters, min_size=1, max_size=40)
"""Free strings that may reach a path or a header: no control characters."""

callbacks = st.builds(
    "{}://{}/{}".format,
    st.sampled_from(["http", "https", "HTTPS"]),
    st.text(
        string.ascii_lowercase + string.digits + ".-", min_size=1, max_size=20
    ).filter(lambda host: host.strip(".")),
    st.text(string.ascii_letters + string.digits + "/?=&%-_", max_size=30),
)
"""Absolute http(s) URLs with a host, as ``callback`` takes."""

epochs = st.integers(min_value=1, max_value=4_102_444_800)  # up to 2100
aware_datetimes = epochs.map(lambda s: dt.datetime.fromtimestamp(s, tz=UTC))


@st.composite
def recipients(draw: st.DrawFn) -> str:
    return ",".join(draw(st.lists(keys, min_size=1, max_size=50)))


@st.composite
def device_lists(draw: st.DrawFn) -> str:
    return ",".join(draw(st.lists(device_names, min_size=1, max_size=4)))


@st.composite
def notifications(draw: st.DrawFn) -> models.Notification:
    """Any valid message request, emergency or not."""
    priority = draw(st.sampled_from(models.Priority))
    html = draw(st.booleans())
    fields: dict[str, Any] = {
        "user": draw(recipients()),
        "message": draw(message_text(1024, min_size=1)),
        "title": draw(st.none() | text(250)),
        "url": draw(st.none() | text(512)),
        "url_title": draw(st.none() | text(100)),
        "device": draw(st.none() | device_lists()),
        "priority": priority,
        "sound": draw(st.none() | line),
        "timestamp": draw(st.none() | epochs | aware_datetimes),
        "html": html,
        "monospace": (not html) and draw(st.booleans()),
    }
    if priority == models.Priority.EMERGENCY:
        fields["retry"] = draw(st.integers(min_value=30, max_value=100_000))
        fields["expire"] = draw(st.integers(min_value=1, max_value=10800))
        fields["callback"] = draw(st.none() | callbacks)
        fields["tags"] = draw(st.none() | line)
    else:
        fields["ttl"] = draw(st.none() | st.integers(min_value=1, max_value=10**9))
    return models.Notification(**fields)


rate_limits = st.builds(
    models.RateLimit,
    limit=st.integers(min_value=0, max_value=10**9),
    remaining=st.integers(min_value=0, max_value=10**9),
    reset=aware_datetimes,
)
optional_rate_limits = st.none() | rate_limits

send_results = st.builds(
    models.SendResult,
    request=request_ids,
    rate_limit=optional_rate_limits,
    receipt=st.none() | keys,
)
sound_lists = st.builds(
    models.SoundList,
    request=request_ids,
    rate_limit=optional_rate_limits,
    sounds=st.dictionaries(st.text(DEVICE_CHARS, min_size=1, max_size=20), text(40)),
)
user_validations = st.builds(
    models.UserValidation,
    request=request_ids,
    rate_limit=optional_rate_limits,
    devices=st.lists(device_names, max_size=5).map(tuple),
    licenses=st.lists(st.sampled_from(["Android", "iOS", "Desktop"]), max_size=3).map(
        tuple
    ),
    group=st.booleans(),
)
receipts = st.builds(
    models.Receipt,
    request=request_ids,
    rate_limit=optional_rate_limits,
    acknowledged=st.booleans(),
    acknowledged_at=st.none() | aware_datetimes,
    acknowledged_by=st.none() | keys,
    acknowledged_by_device=st.none() | device_names,
    last_delivered_at=st.none() | aware_datetimes,
    expired=st.booleans(),
    expires_at=st.none() | aware_datetimes,
    called_back=st.booleans(),
    called_back_at=st.none() | aware_datetimes,
)
cancel_results = st.builds(
    models.CancelResult, request=request_ids, rate_limit=optional_rate_limits
)
cancel_by_tag_results = st.builds(
    models.CancelByTagResult,
    request=request_ids,
    rate_limit=optional_rate_limits,
    canceled=st.none() | st.integers(min_value=0, max_value=10**6),
)
app_limits = st.builds(
    models.AppLimits,
    request=request_ids,
    rate_limit=optional_rate_limits,
    limit=st.integers(min_value=0, max_value=10**9),
    remaining=st.integers(min_value=0, max_value=10**9),
    reset=aware_datetimes,
)

# -- The whole API: attachments, groups, glances, subscriptions, licensing, teams -------

image_types = st.sampled_from(["image/png", "image/jpeg", "image/gif", "image/webp"])
filenames = st.text(
    st.characters(exclude_categories=["Cs", "Zs", "Cc"], exclude_characters="\\"),
    min_size=1,
    max_size=60,
)
"""Attachment file names (without spaces or backslashes, which multipart parsers
treat differently: a part header's quoted string is not escaped, as browsers do)."""
attachments = st.builds(
    models.Attachment,
    data=st.binary(max_size=2048),
    filename=filenames,
    content_type=image_types,
)
emails = st.builds(
    "{}@{}.{}".format,
    st.text(ALNUM + "._+-", min_size=1, max_size=20),
    st.text(ALNUM + "-", min_size=1, max_size=20),
    st.text(string.ascii_lowercase, min_size=2, max_size=6),
)
names = st.text(characters, min_size=1, max_size=60).filter(str.strip)
"""Group, team and subscription names: not blank, no control characters."""


@st.composite
def notifications_with_attachment(draw: st.DrawFn) -> models.Notification:
    """A message carrying an image, as a multipart part or as base64."""
    base = draw(notifications())
    attachment = draw(attachments)
    if draw(st.booleans()):
        return attrs.evolve(base, attachment=attachment)
    return attrs.evolve(
        base,
        attachment_base64=attachment.base64(),
        attachment_type=attachment.content_type,
    )


@st.composite
def glance_updates(draw: st.DrawFn) -> models.GlanceUpdate:
    """Any valid glance: at least one of the five data fields."""
    values: dict[str, Any] = {
        "title": draw(st.none() | st.just(models.CLEAR) | text(100)),
        "text": draw(st.none() | st.just(models.CLEAR) | text(100)),
        "subtext": draw(st.none() | st.just(models.CLEAR) | text(100)),
        "count": draw(
            st.none()
            | st.just(models.CLEAR)
            | st.integers(min_value=-(10**9), max_value=10**9)
        ),
        "percent": draw(
            st.none() | st.just(models.CLEAR) | st.integers(min_value=0, max_value=100)
        ),
    }
    if all(v is None for v in values.values()):
        values["percent"] = draw(st.integers(min_value=0, max_value=100))
    return models.GlanceUpdate(
        user=draw(keys), device=draw(st.none() | device_names), **values
    )


@st.composite
def license_assignments(draw: st.DrawFn) -> models.LicenseAssignRequest:
    os_name = draw(st.none() | st.sampled_from(models.LICENSE_OS))
    if draw(st.booleans()):
        return models.LicenseAssignRequest(user=draw(keys), os=os_name)
    return models.LicenseAssignRequest(email=draw(emails), os=os_name)


def _membership(cls: type[Any]) -> st.SearchStrategy[Any]:
    return st.builds(cls, group=keys, user=keys, device=st.none() | device_names)


group_summaries = st.builds(models.GroupSummary, group=keys, name=names)
group_members = st.builds(
    models.GroupMember,
    user=keys,
    device=st.none() | device_names,
    memo=text(200),
    disabled=st.booleans(),
    name=st.none() | names,
    email=st.none() | emails,
)


team_devices = st.builds(
    models.TeamDevice,
    name=device_names,
    os=st.none() | st.sampled_from(["iOS", "Android", "Desktop"]),
    os_version=st.none() | st.text(ALNUM + ".", min_size=1, max_size=8),
    enabled=st.booleans(),
    administratively_disabled=st.booleans(),
)
team_users = st.builds(
    models.TeamUser,
    name=st.none() | names,
    email=st.none() | emails,
    administrator=st.booleans(),
    devices=st.lists(team_devices, max_size=3).map(tuple),
)


# -- Receiving (the Open Client API) -----------------------------------------------

secrets_ = st.text(
    string.ascii_letters + string.digits + "-_.~+/=", min_size=1, max_size=64
)
"""Session secrets (printable ASCII without spaces; urlsafe base64 in practice)."""
device_ids = st.text(DEVICE_CHARS, min_size=1, max_size=64)
twofa_codes = st.text(string.digits, min_size=1, max_size=16)
passwords = st.text(characters, min_size=1, max_size=64)
message_ids = st.integers(min_value=0, max_value=2**53)
blank_or = st.none() | line  # a field the server may leave blank: None or some text

received_messages = st.builds(
    models.ReceivedMessage,
    id=message_ids,
    umid=st.none() | message_ids,
    message=message_text(200, min_size=1),
    title=blank_or,
    app=blank_or,
    aid=st.none() | message_ids,
    icon=blank_or,
    date=st.none() | aware_datetimes,
    queued_date=st.none() | aware_datetimes,
    dispatched_date=st.none() | aware_datetimes,
    priority=st.sampled_from(models.Priority),
    sound=blank_or,
    url=blank_or,
    url_title=blank_or,
    acked=st.booleans(),
    receipt=st.none() | keys,
    html=st.booleans(),
    encrypted=st.booleans(),
)


def _plain(cls: type[Any]) -> st.SearchStrategy[Any]:
    """A result with nothing but the envelope."""
    return st.builds(cls, request=request_ids, rate_limit=optional_rate_limits)


#: A strategy for every request model, keyed by the model.
REQUESTS: Final[dict[type[Any], st.SearchStrategy[Any]]] = {
    models.Notification: notifications(),
    models.SoundsRequest: st.just(models.SoundsRequest()),
    models.ValidateUserRequest: st.builds(
        models.ValidateUserRequest, user=keys, device=st.none() | device_names
    ),
    models.ReceiptRequest: st.builds(models.ReceiptRequest, receipt=keys),
    models.CancelRequest: st.builds(models.CancelRequest, receipt=keys),
    models.CancelByTagRequest: st.builds(models.CancelByTagRequest, tag=line),
    models.LimitsRequest: st.just(models.LimitsRequest()),
    models.GroupCreateRequest: st.builds(models.GroupCreateRequest, name=names),
    models.GroupListRequest: st.just(models.GroupListRequest()),
    models.GroupInfoRequest: st.builds(models.GroupInfoRequest, group=keys),
    models.GroupAddUserRequest: st.builds(
        models.GroupAddUserRequest,
        group=keys,
        user=keys,
        device=st.none() | device_names,
        memo=st.none() | text(200),
    ),
    models.GroupRemoveUserRequest: _membership(models.GroupRemoveUserRequest),
    models.GroupDisableUserRequest: _membership(models.GroupDisableUserRequest),
    models.GroupEnableUserRequest: _membership(models.GroupEnableUserRequest),
    models.GroupRenameRequest: st.builds(
        models.GroupRenameRequest, group=keys, name=names
    ),
    models.GlanceUpdate: glance_updates(),
    models.SubscriptionMigrateRequest: st.builds(
        models.SubscriptionMigrateRequest,
        subscription=names,
        user=keys,
        device_name=st.none() | device_names,
        sound=st.none() | line,
    ),
    models.LicenseAssignRequest: license_assignments(),
    models.LicenseCreditsRequest: st.just(models.LicenseCreditsRequest()),
    models.TeamAddUserRequest: st.builds(
        models.TeamAddUserRequest,
        email=emails,
        name=st.none() | names,
        password=st.none() | text(40, min_size=1),
        instant=st.booleans(),
        admin=st.booleans(),
        group=st.none() | names,
    ),
    models.TeamRemoveUserRequest: st.builds(models.TeamRemoveUserRequest, email=emails),
    models.TeamInfoRequest: st.just(models.TeamInfoRequest()),
    models.TeamRevokeInvitationRequest: st.builds(
        models.TeamRevokeInvitationRequest, email=emails
    ),
    models.LoginRequest: st.builds(
        models.LoginRequest,
        email=emails,
        password=passwords,
        twofa=st.none() | twofa_codes,
    ),
    models.DeviceRequest: st.builds(models.DeviceRequest, name=device_names),
    models.DownloadRequest: st.builds(models.DownloadRequest, device_id=device_ids),
    models.DeleteThroughRequest: st.builds(
        models.DeleteThroughRequest, device_id=device_ids, message=message_ids
    ),
    models.AcknowledgeRequest: st.builds(models.AcknowledgeRequest, receipt=keys),
}

#: A strategy for every result model, keyed by the model.
RESULTS: Final[dict[type[Any], st.SearchStrategy[Any]]] = {
    models.SendResult: send_results,
    models.SoundList: sound_lists,
    models.UserValidation: user_validations,
    models.Receipt: receipts,
    models.CancelResult: cancel_results,
    models.CancelByTagResult: cancel_by_tag_results,
    models.AppLimits: app_limits,
    models.GroupCreateResult: st.builds(
        models.GroupCreateResult,
        request=request_ids,
        rate_limit=optional_rate_limits,
        group=keys,
    ),
    models.GroupList: st.builds(
        models.GroupList,
        request=request_ids,
        rate_limit=optional_rate_limits,
        groups=st.lists(group_summaries, max_size=4).map(tuple),
    ),
    models.GroupInfo: st.builds(
        models.GroupInfo,
        request=request_ids,
        rate_limit=optional_rate_limits,
        name=names,
        users=st.lists(group_members, max_size=4).map(tuple),
    ),
    models.GroupAddUserResult: _plain(models.GroupAddUserResult),
    models.GroupRemoveUserResult: _plain(models.GroupRemoveUserResult),
    models.GroupDisableUserResult: _plain(models.GroupDisableUserResult),
    models.GroupEnableUserResult: _plain(models.GroupEnableUserResult),
    models.GroupRenameResult: _plain(models.GroupRenameResult),
    models.GlanceResult: _plain(models.GlanceResult),
    models.SubscriptionMigrateResult: st.builds(
        models.SubscriptionMigrateResult,
        request=request_ids,
        rate_limit=optional_rate_limits,
        subscribed_user_key=keys,
    ),
    models.LicenseAssignResult: st.builds(
        models.LicenseAssignResult,
        request=request_ids,
        rate_limit=optional_rate_limits,
        credits=st.integers(min_value=0, max_value=10**6),
    ),
    models.LicenseCredits: st.builds(
        models.LicenseCredits,
        request=request_ids,
        rate_limit=optional_rate_limits,
        credits=st.integers(min_value=0, max_value=10**6),
    ),
    models.TeamAddUserResult: _plain(models.TeamAddUserResult),
    models.TeamRemoveUserResult: _plain(models.TeamRemoveUserResult),
    models.TeamRevokeInvitationResult: _plain(models.TeamRevokeInvitationResult),
    models.TeamInfo: st.builds(
        models.TeamInfo,
        request=request_ids,
        rate_limit=optional_rate_limits,
        name=names,
        users=st.lists(team_users, max_size=3).map(tuple),
    ),
    models.LoginResult: st.builds(
        models.LoginResult,
        request=request_ids,
        rate_limit=optional_rate_limits,
        id=keys,
        secret=secrets_,
    ),
    models.DeviceRegistration: st.builds(
        models.DeviceRegistration,
        request=request_ids,
        rate_limit=optional_rate_limits,
        id=device_ids,
    ),
    models.MessageList: st.builds(
        models.MessageList,
        request=request_ids,
        rate_limit=optional_rate_limits,
        messages=st.lists(received_messages, max_size=3).map(tuple),
    ),
    models.DeleteThroughResult: _plain(models.DeleteThroughResult),
    models.AcknowledgeResult: _plain(models.AcknowledgeResult),
}

error_responses = st.builds(
    models.ErrorResponse,
    status=st.integers(min_value=-5, max_value=5).filter(lambda s: s != 1),
    request=st.none() | request_ids,
    errors=st.lists(text(60), max_size=3).map(tuple)
    | st.dictionaries(
        st.text(ALNUM, min_size=1, max_size=12),
        st.lists(text(60), min_size=1, max_size=2).map(tuple),
        max_size=3,
    ),
    bad_inputs=st.dictionaries(
        st.sampled_from(["user", "token", "device", "message", "sound"]), text(30)
    ),
    receipt=st.none() | keys,
)
