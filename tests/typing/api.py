"""The public types of chump_typed, pinned with ``assert_type``.

Every name in the ``__all__`` of ``chump_typed``, ``chump_typed.testing``,
``chump_typed.callbacks``, ``chump_typed.logging`` and ``chump_typed.receive``, and every public method and
attribute of each public class, has its type asserted here. mypy --strict and pyright
strict check this file in the repository-wide runs (a changed type fails them);
tests/integration/test_typing.py checks that no public name is missing. Never imported or executed:
everything sits in functions that nothing calls, so nothing here reaches the network.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import ssl
import time
from collections.abc import (
    AsyncGenerator,
    Collection,
    Generator,
    Iterable,
    Mapping,
)
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import httpx
import urllib3
from typing_extensions import assert_type

import chump_typed
from chump_typed import (
    ACKNOWLEDGE,
    ADD_GROUP_USER,
    ADD_TEAM_USER,
    ASSIGN_LICENSE,
    CANCEL_BY_TAG,
    CANCEL_RECEIPT,
    CLEAR,
    CREATE_GROUP,
    DEFAULT_BASE_URL,
    DELETE_THROUGH,
    DISABLE_GROUP_USER,
    DOWNLOAD_MESSAGES,
    EMERGENCY,
    ENABLE_GROUP_USER,
    ENDPOINTS,
    GET_LIMITS,
    GET_RECEIPT,
    GROUP_INFO,
    HIGH,
    LICENSE_CREDITS,
    LIST_GROUPS,
    LIST_SOUNDS,
    LOGIN,
    LOW,
    LOWEST,
    MIGRATE_SUBSCRIPTION,
    NORMAL,
    REGISTER_DEVICE,
    REMOVE_GROUP_USER,
    REMOVE_GROUP_USER_LEGACY,
    REMOVE_TEAM_USER,
    RENAME_GROUP,
    REVOKE_TEAM_INVITATION,
    SEND_EMERGENCY,
    SEND_MESSAGE,
    TEAM_INFO,
    UPDATE_GLANCE,
    VALIDATE_USER,
    AcknowledgeRequest,
    AcknowledgeResult,
    AiohttpTransport,
    Answered,
    AnyNotification,
    APIError,
    Application,
    AppLimits,
    AsyncClient,
    AsyncHttpxTransport,
    AsyncTransport,
    Attachment,
    AttachmentSource,
    BroadcastRepair,
    BudgetExceededError,
    CancelByTagRequest,
    CancelByTagResult,
    CancelRequest,
    CancelResult,
    Clear,
    Client,
    Credential,
    DecryptionError,
    DeleteThroughRequest,
    DeleteThroughResult,
    Device,
    DeviceRegistration,
    DeviceRequest,
    DownloadRequest,
    EmergencyMessage,
    EmergencyNotification,
    EmergencySendResult,
    Endpoint,
    ErrorResponse,
    Failed,
    GlanceResult,
    GlanceUpdate,
    GroupAddUserRequest,
    GroupAddUserResult,
    GroupCreateRequest,
    GroupCreateResult,
    GroupDisableUserRequest,
    GroupDisableUserResult,
    GroupEnableUserRequest,
    GroupEnableUserResult,
    GroupInfo,
    GroupInfoRequest,
    GroupList,
    GroupListRequest,
    GroupMember,
    GroupRemoveUserRequest,
    GroupRemoveUserResult,
    GroupRenameRequest,
    GroupRenameResult,
    GroupSummary,
    HTTPRequest,
    HTTPResponse,
    HttpxTransport,
    KeyStatus,
    LicenseAssignRequest,
    LicenseAssignResult,
    LicenseCredits,
    LicenseCreditsRequest,
    LicenseOS,
    LimitsRequest,
    LoggedInElsewhereError,
    LoginRequest,
    LoginResult,
    MaybeSent,
    Message,
    MessageList,
    NotAttempted,
    NotConnected,
    Notification,
    NotificationPriority,
    Priority,
    PushoverError,
    PushRejectedError,
    PushStreamError,
    QuotaExceededError,
    RateLimit,
    Receipt,
    ReceiptRequest,
    ReceivedMessage,
    Result,
    RetryAfter,
    RetryEvent,
    RetryPolicy,
    RetryStop,
    SendOutcome,
    SendProgress,
    SendResult,
    Sent,
    SoundList,
    SoundsRequest,
    SubscriptionMigrateRequest,
    SubscriptionMigrateResult,
    TeamAddUserRequest,
    TeamAddUserResult,
    TeamDevice,
    TeamInfo,
    TeamInfoRequest,
    TeamRemoveUserRequest,
    TeamRemoveUserResult,
    TeamRevokeInvitationRequest,
    TeamRevokeInvitationResult,
    TeamUser,
    Transport,
    TransportError,
    TwoFactorRequired,
    UnexpectedResponseError,
    Urllib3Transport,
    User,
    UserValidation,
    ValidateUserRequest,
    ValidationError,
    chunk_recipients,
    e2ee,
    notification_for,
    testing,
)
from chump_typed.budget import Budget, MemoryBudget
from chump_typed.callbacks import (
    MAX_CALLBACK_BODY,
    AcknowledgementCallback,
    ASGIApplication,
    Receive,
    Scope,
    Send,
    callback_app,
    callback_asgi_app,
    parse_callback,
)
from chump_typed.e2ee import (
    E2EEKey,
    decrypt_field,
    decrypt_fields,
    encrypt_field,
    seal_fields,
)
from chump_typed.logging import (
    DEFAULT_PER_DAY,
    DEFAULT_PER_HOUR,
    DEFAULT_PRIORITIES,
    DEFAULT_QUEUE_SIZE,
    DEFAULT_RATE_LIMIT,
    DEFAULT_WINDOW,
    MIN_CLOSURE,
    SUMMARY_TITLE,
    TRUNCATION_MARKER,
    PushoverHandler,
)
from chump_typed.protocol import SendOptions, is_async_transport
from chump_typed.receive import (
    DEFAULT_MAX_DOWNLOAD_SIZE,
    DEFAULT_PUSH_URL,
    AsyncListener,
    AsyncOpenClient,
    AsyncSession,
    Listener,
    OnUndecodable,
    OpenClient,
    Session,
    UndecodableMessage,
)
from chump_typed.testing import (
    APP_TOKEN,
    BUILTIN_SOUNDS,
    DEFAULT_CREDITS,
    DEFAULT_LIMIT,
    GROUP_KEY,
    MAX_ATTACHMENT_BYTES,
    SUBSCRIPTION_CODE,
    TEAM_TOKEN,
    USER_DEVICES,
    USER_KEY,
    AsyncFakeTransport,
    ClientDevice,
    Disconnect,
    Exchange,
    FakePushover,
    FakeTransport,
    Fault,
    FaultStep,
    Group,
    License,
    ReceivedRequest,
    SentMessage,
    Slow,
    TeamMember,
    serve,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Method = Literal["GET", "POST"]
When = dt.datetime


# -- Constants ---------------------------------------------------------------------------


def constants() -> None:
    assert_type(LOWEST, Literal[-2])
    assert_type(LOW, Literal[-1])
    assert_type(NORMAL, Literal[0])
    assert_type(HIGH, Literal[1])
    assert_type(EMERGENCY, Literal[2])
    assert_type(DEFAULT_BASE_URL, Literal["https://api.pushover.net/1/"])
    assert_type(chump_typed.__version__, str)
    assert_type(chump_typed.__all__, list[str])
    # The models' and the rows' constants, exported from the package too.
    assert_type(chump_typed.ATTACHMENT_MAX, Literal[5242880])
    assert_type(chump_typed.EXPIRE_MAX, Literal[10800])
    assert_type(chump_typed.MAX_RECIPIENTS, Literal[50])
    assert_type(chump_typed.MESSAGE_MAX, Literal[1024])
    assert_type(chump_typed.RETRY_MIN, Literal[30])
    assert_type(chump_typed.TITLE_MAX, Literal[250])
    assert_type(chump_typed.URL_MAX, Literal[512])
    assert_type(chump_typed.URL_TITLE_MAX, Literal[100])
    assert_type(chump_typed.GLANCE_TEXT_MAX, Literal[100])
    assert_type(chump_typed.MEMO_MAX, Literal[200])
    assert_type(chump_typed.PERCENT_MAX, Literal[100])
    assert_type(chump_typed.PERCENT_MIN, Literal[0])
    assert_type(chump_typed.OPEN_CLIENT_OS, Literal["O"])
    assert_type(chump_typed.DEVICE_ID_PATTERN, re.Pattern[str])
    assert_type(chump_typed.SECRET_PATTERN, re.Pattern[str])
    assert_type(chump_typed.GLANCE_FIELDS[0], Literal["title"])
    assert_type(
        chump_typed.LICENSE_OS, tuple[Literal["Android", "iOS", "Desktop"], ...]
    )
    assert_type(
        chump_typed.GROUP_DELETE_USER_PATH, Literal["groups/{group}/delete_user.json"]
    )
    assert_type(
        chump_typed.GROUP_REMOVE_USER_PATH, Literal["groups/{group}/remove_user.json"]
    )
    assert_type(chump_typed.guess_image_type("a.png"), str | None)


def priority() -> None:
    assert_type(Priority.LOWEST, Literal[Priority.LOWEST])
    assert_type(Priority.LOW, Literal[Priority.LOW])
    assert_type(Priority.NORMAL, Literal[Priority.NORMAL])
    assert_type(Priority.HIGH, Literal[Priority.HIGH])
    assert_type(Priority.EMERGENCY, Literal[Priority.EMERGENCY])
    assert_type(Priority(2), Priority)
    assert_type(Priority.HIGH.value, Literal[1])
    assert_type(int(Priority.HIGH), int)


# -- The endpoint table: each row's request and result types -----------------------------


def endpoint_rows() -> None:
    assert_type(SEND_MESSAGE, Endpoint[Notification, SendResult])
    assert_type(SEND_EMERGENCY, Endpoint[EmergencyNotification, EmergencySendResult])
    assert_type(LIST_SOUNDS, Endpoint[SoundsRequest, SoundList])
    assert_type(VALIDATE_USER, Endpoint[ValidateUserRequest, UserValidation])
    assert_type(GET_RECEIPT, Endpoint[ReceiptRequest, Receipt])
    assert_type(CANCEL_RECEIPT, Endpoint[CancelRequest, CancelResult])
    assert_type(CANCEL_BY_TAG, Endpoint[CancelByTagRequest, CancelByTagResult])
    assert_type(GET_LIMITS, Endpoint[LimitsRequest, AppLimits])
    assert_type(ENDPOINTS, tuple[Endpoint[Any, Any], ...])


def whole_api_rows() -> None:
    assert_type(CREATE_GROUP, Endpoint[GroupCreateRequest, GroupCreateResult])
    assert_type(LIST_GROUPS, Endpoint[GroupListRequest, GroupList])
    assert_type(GROUP_INFO, Endpoint[GroupInfoRequest, GroupInfo])
    assert_type(ADD_GROUP_USER, Endpoint[GroupAddUserRequest, GroupAddUserResult])
    assert_type(
        REMOVE_GROUP_USER, Endpoint[GroupRemoveUserRequest, GroupRemoveUserResult]
    )
    # The legacy path is the same call: same request, same result.
    assert_type(
        REMOVE_GROUP_USER_LEGACY,
        Endpoint[GroupRemoveUserRequest, GroupRemoveUserResult],
    )
    assert_type(
        DISABLE_GROUP_USER, Endpoint[GroupDisableUserRequest, GroupDisableUserResult]
    )
    assert_type(
        ENABLE_GROUP_USER, Endpoint[GroupEnableUserRequest, GroupEnableUserResult]
    )
    assert_type(RENAME_GROUP, Endpoint[GroupRenameRequest, GroupRenameResult])
    assert_type(UPDATE_GLANCE, Endpoint[GlanceUpdate, GlanceResult])
    assert_type(
        MIGRATE_SUBSCRIPTION,
        Endpoint[SubscriptionMigrateRequest, SubscriptionMigrateResult],
    )
    assert_type(ASSIGN_LICENSE, Endpoint[LicenseAssignRequest, LicenseAssignResult])
    assert_type(LICENSE_CREDITS, Endpoint[LicenseCreditsRequest, LicenseCredits])
    assert_type(ADD_TEAM_USER, Endpoint[TeamAddUserRequest, TeamAddUserResult])
    assert_type(REMOVE_TEAM_USER, Endpoint[TeamRemoveUserRequest, TeamRemoveUserResult])
    assert_type(TEAM_INFO, Endpoint[TeamInfoRequest, TeamInfo])
    assert_type(
        REVOKE_TEAM_INVITATION,
        Endpoint[TeamRevokeInvitationRequest, TeamRevokeInvitationResult],
    )
    assert_type(TEAM_INFO.credential, Credential)
    assert_type(TEAM_INFO.credential.kind, str)
    assert_type(TEAM_INFO.credential.param, str)
    assert_type(TEAM_INFO.credential.keyword, str)
    assert_type(TEAM_INFO.credential.needed_for, str)
    assert_type(ASSIGN_LICENSE.retryable, bool)


def endpoint_fields(row: Endpoint[Notification, SendResult]) -> None:
    assert_type(row.name, str)
    assert_type(row.method, Method)
    assert_type(row.path, str)
    assert_type(row.request_type, type[Notification])
    assert_type(row.response_type, type[SendResult])
    assert_type(row.retryable, bool)
    assert_type(row.credential, Credential)
    assert_type(row.placeholders, tuple[str, ...])


# -- The typed client --------------------------------------------------------------------


def client_call(
    client: Client,
    notification: Notification,
    user: ValidateUserRequest,
    receipt: ReceiptRequest,
    cancel: CancelRequest,
    by_tag: CancelByTagRequest,
) -> None:
    # The generic executor returns the row's result type, for every row.
    assert_type(client.call(SEND_MESSAGE, notification), SendResult)
    alarm = EmergencyNotification(user=USER_KEY, message="m", retry=30, expire=60)
    assert_type(client.call(SEND_EMERGENCY, alarm), EmergencySendResult)
    assert_type(client.call(LIST_SOUNDS, SoundsRequest()), SoundList)
    assert_type(client.call(VALIDATE_USER, user), UserValidation)
    assert_type(client.call(GET_RECEIPT, receipt), Receipt)
    assert_type(client.call(CANCEL_RECEIPT, cancel), CancelResult)
    assert_type(client.call(CANCEL_BY_TAG, by_tag), CancelByTagResult)
    assert_type(client.call(GET_LIMITS, LimitsRequest()), AppLimits)


def client_call_whole_api(  # one request of each kind
    client: Client,
    group_add: GroupAddUserRequest,
    group_remove: GroupRemoveUserRequest,
    group_disable: GroupDisableUserRequest,
    group_enable: GroupEnableUserRequest,
    group_rename: GroupRenameRequest,
    glance: GlanceUpdate,
    migrate: SubscriptionMigrateRequest,
    assign: LicenseAssignRequest,
    team_add: TeamAddUserRequest,
    team_remove: TeamRemoveUserRequest,
    team_revoke: TeamRevokeInvitationRequest,
) -> None:
    create = GroupCreateRequest(name="ops")
    info = GroupInfoRequest(group=GROUP_KEY)
    assert_type(client.call(CREATE_GROUP, create), GroupCreateResult)
    assert_type(client.call(LIST_GROUPS, GroupListRequest()), GroupList)
    assert_type(client.call(GROUP_INFO, info), GroupInfo)
    assert_type(client.call(ADD_GROUP_USER, group_add), GroupAddUserResult)
    assert_type(client.call(REMOVE_GROUP_USER, group_remove), GroupRemoveUserResult)
    assert_type(
        client.call(REMOVE_GROUP_USER_LEGACY, group_remove), GroupRemoveUserResult
    )
    assert_type(client.call(DISABLE_GROUP_USER, group_disable), GroupDisableUserResult)
    assert_type(client.call(ENABLE_GROUP_USER, group_enable), GroupEnableUserResult)
    assert_type(client.call(RENAME_GROUP, group_rename), GroupRenameResult)
    assert_type(client.call(UPDATE_GLANCE, glance), GlanceResult)
    assert_type(client.call(MIGRATE_SUBSCRIPTION, migrate), SubscriptionMigrateResult)
    assert_type(client.call(ASSIGN_LICENSE, assign), LicenseAssignResult)
    assert_type(client.call(LICENSE_CREDITS, LicenseCreditsRequest()), LicenseCredits)
    assert_type(client.call(ADD_TEAM_USER, team_add), TeamAddUserResult)
    assert_type(client.call(REMOVE_TEAM_USER, team_remove), TeamRemoveUserResult)
    assert_type(client.call(TEAM_INFO, TeamInfoRequest()), TeamInfo)
    assert_type(
        client.call(REVOKE_TEAM_INVITATION, team_revoke), TeamRevokeInvitationResult
    )


def client_methods_whole_api(client: Client, glance: GlanceUpdate) -> None:
    # Groups.
    assert_type(client.create_group("ops"), GroupCreateResult)
    assert_type(client.list_groups(), GroupList)
    assert_type(client.group_info(GROUP_KEY), GroupInfo)
    assert_type(client.add_group_user(GROUP_KEY, USER_KEY), GroupAddUserResult)
    assert_type(
        client.add_group_user(GROUP_KEY, USER_KEY, device="iphone", memo="on call"),
        GroupAddUserResult,
    )
    assert_type(client.remove_group_user(GROUP_KEY, USER_KEY), GroupRemoveUserResult)
    assert_type(
        client.remove_group_user(GROUP_KEY, USER_KEY, device="iphone"),
        GroupRemoveUserResult,
    )
    assert_type(
        client.disable_group_user(GROUP_KEY, USER_KEY, device=None),
        GroupDisableUserResult,
    )
    assert_type(
        client.enable_group_user(GROUP_KEY, USER_KEY, device="iphone"),
        GroupEnableUserResult,
    )
    assert_type(client.rename_group(GROUP_KEY, "night shift"), GroupRenameResult)
    # Glances, subscriptions, licensing.
    assert_type(client.update_glance(glance), GlanceResult)
    assert_type(
        client.update_glance(GlanceUpdate(user=USER_KEY, percent=50)), GlanceResult
    )
    assert_type(
        client.migrate_subscription(SUBSCRIPTION_CODE, USER_KEY),
        SubscriptionMigrateResult,
    )
    assert_type(
        client.migrate_subscription(
            SUBSCRIPTION_CODE, USER_KEY, device_name="iphone", sound="bike"
        ),
        SubscriptionMigrateResult,
    )
    assert_type(client.assign_license(user=USER_KEY), LicenseAssignResult)
    assert_type(
        client.assign_license(email="ops@example.com", os="iOS"), LicenseAssignResult
    )
    assert_type(client.license_credits(), LicenseCredits)
    # Teams: the client needs the team token.
    teams = Client(APP_TOKEN, team_token=TEAM_TOKEN)
    assert_type(teams, Client)
    assert_type(teams.add_team_user("ops@example.com"), TeamAddUserResult)
    assert_type(
        teams.add_team_user(
            "ops@example.com",
            name="Ops",
            password="s3cret",
            instant=True,
            admin=False,
            group="on call",
        ),
        TeamAddUserResult,
    )
    assert_type(teams.remove_team_user("ops@example.com"), TeamRemoveUserResult)
    assert_type(teams.team_info(), TeamInfo)
    assert_type(
        teams.revoke_team_invitation("ops@example.com"), TeamRevokeInvitationResult
    )


def client_methods(client: Client, notification: Notification) -> None:
    assert_type(Client(APP_TOKEN), Client)
    assert_type(Client(APP_TOKEN, base_url="http://127.0.0.1:1/1/"), Client)
    assert_type(Client(APP_TOKEN, transport=FakeTransport()), Client)
    assert_type(client.send(notification), SendResult)
    alarm = EmergencyNotification(user=USER_KEY, message="m", retry=30, expire=60)
    sent = client.send(alarm)
    assert_type(sent, EmergencySendResult)
    assert_type(client.receipt(sent.receipt), Receipt)  # no narrowing needed
    assert_type(client.send(alarm, e2ee_key=None, extra_params={}), EmergencySendResult)
    either = notification_for(priority=Priority.HIGH, user=USER_KEY, message="m")
    assert_type(either, Notification | EmergencyNotification)
    assert_type(either, AnyNotification)
    assert_type(client.send(either), SendResult)
    assert_type(client.sounds(), SoundList)
    assert_type(client.validate_user(USER_KEY), UserValidation)
    assert_type(client.validate_user(USER_KEY, "iphone"), UserValidation)
    assert_type(client.receipt("r" * 30), Receipt)
    assert_type(client.cancel("r" * 30), CancelResult)
    assert_type(client.cancel_by_tag("outage"), CancelByTagResult)
    assert_type(client.limits(), AppLimits)
    assert_type(client.send(notification, extra_params={"new": "v"}), SendResult)
    assert_type(client.call(SEND_MESSAGE, notification, extra_params={}), SendResult)
    quick = client.with_options(deadline=5.0, retries=RetryPolicy(retries=1))
    assert_type(quick, Client)
    assert_type(client.with_options(retries=0), Client)
    assert_type(client.close(), None)
    assert_type(client.base_url, str)
    assert_type(client.transport, Transport)
    with client as entered:
        assert_type(entered, Client)


async def async_client_methods_whole_api(
    client: AsyncClient, glance: GlanceUpdate
) -> None:
    # Groups.
    assert_type(await client.create_group("ops"), GroupCreateResult)
    assert_type(await client.list_groups(), GroupList)
    assert_type(await client.group_info(GROUP_KEY), GroupInfo)
    assert_type(await client.add_group_user(GROUP_KEY, USER_KEY), GroupAddUserResult)
    assert_type(
        await client.add_group_user(
            GROUP_KEY, USER_KEY, device="iphone", memo="on call"
        ),
        GroupAddUserResult,
    )
    assert_type(
        await client.remove_group_user(GROUP_KEY, USER_KEY), GroupRemoveUserResult
    )
    assert_type(
        await client.remove_group_user(GROUP_KEY, USER_KEY, device="iphone"),
        GroupRemoveUserResult,
    )
    assert_type(
        await client.disable_group_user(GROUP_KEY, USER_KEY, device=None),
        GroupDisableUserResult,
    )
    assert_type(
        await client.enable_group_user(GROUP_KEY, USER_KEY, device="iphone"),
        GroupEnableUserResult,
    )
    assert_type(await client.rename_group(GROUP_KEY, "night shift"), GroupRenameResult)
    # Glances, subscriptions, licensing.
    assert_type(await client.update_glance(glance), GlanceResult)
    assert_type(
        await client.update_glance(GlanceUpdate(user=USER_KEY, percent=50)),
        GlanceResult,
    )
    assert_type(
        await client.migrate_subscription(SUBSCRIPTION_CODE, USER_KEY),
        SubscriptionMigrateResult,
    )
    assert_type(
        await client.migrate_subscription(
            SUBSCRIPTION_CODE, USER_KEY, device_name="iphone", sound="bike"
        ),
        SubscriptionMigrateResult,
    )
    assert_type(await client.assign_license(user=USER_KEY), LicenseAssignResult)
    assert_type(
        await client.assign_license(email="ops@example.com", os="iOS"),
        LicenseAssignResult,
    )
    assert_type(await client.license_credits(), LicenseCredits)
    # Teams: the client needs the team token.
    teams = AsyncClient(APP_TOKEN, team_token=TEAM_TOKEN)
    assert_type(teams, AsyncClient)
    assert_type(await teams.add_team_user("ops@example.com"), TeamAddUserResult)
    assert_type(
        await teams.add_team_user(
            "ops@example.com",
            name="Ops",
            password="s3cret",
            instant=True,
            admin=False,
            group="on call",
        ),
        TeamAddUserResult,
    )
    assert_type(await teams.remove_team_user("ops@example.com"), TeamRemoveUserResult)
    assert_type(await teams.team_info(), TeamInfo)
    assert_type(
        await teams.revoke_team_invitation("ops@example.com"),
        TeamRevokeInvitationResult,
    )


async def async_client_methods(client: AsyncClient, notification: Notification) -> None:
    assert_type(AsyncClient(APP_TOKEN), AsyncClient)
    assert_type(AsyncClient(APP_TOKEN, base_url="http://127.0.0.1:1/1/"), AsyncClient)
    assert_type(AsyncClient(APP_TOKEN, transport=AsyncFakeTransport()), AsyncClient)
    assert_type(await client.send(notification), SendResult)
    alarm = EmergencyNotification(user=USER_KEY, message="m", retry=30, expire=60)
    sent = await client.send(alarm)
    assert_type(sent, EmergencySendResult)
    assert_type(await client.receipt(sent.receipt), Receipt)
    assert_type(await client.call(SEND_EMERGENCY, alarm), EmergencySendResult)
    either = notification_for(priority=Priority.EMERGENCY, user=USER_KEY, message="m")
    assert_type(await client.send(either), SendResult)
    assert_type(await client.send_many([notification, alarm]), list[SendOutcome])
    assert_type(await client.sounds(), SoundList)
    assert_type(await client.validate_user(USER_KEY), UserValidation)
    assert_type(await client.validate_user(USER_KEY, "iphone"), UserValidation)
    assert_type(await client.receipt("r" * 30), Receipt)
    assert_type(await client.cancel("r" * 30), CancelResult)
    assert_type(await client.cancel_by_tag("outage"), CancelByTagResult)
    assert_type(await client.limits(), AppLimits)
    assert_type(client.with_options(deadline=5.0, retries=1), AsyncClient)
    assert_type(await client.send(notification, extra_params={"new": "v"}), SendResult)
    assert_type(await client.aclose(), None)
    assert_type(client.base_url, str)
    assert_type(client.transport, AsyncTransport)
    async with client as entered:
        assert_type(entered, AsyncClient)
    assert_type(await client.send_many([notification]), list[SendOutcome])
    assert_type(
        await client.send_many(iter([notification]), max_in_flight=1),
        list[SendOutcome],
    )
    assert_type(
        await client.broadcast(notification, [USER_KEY], max_in_flight=2),
        list[SendOutcome],
    )
    assert_type(
        await client.repair_broadcast([], known={USER_KEY: "valid"}, max_rejections=2),
        BroadcastRepair,
    )
    seen: list[SendOutcome] = []
    assert_type(client.send_iter([notification]), AsyncGenerator[SendOutcome, None])
    assert_type(
        client.send_iter(iter([notification]), max_in_flight=1, on_outcome=seen.append),
        AsyncGenerator[SendOutcome, None],
    )
    async for streamed in client.send_iter([notification]):
        assert_type(streamed, SendOutcome)
    assert_type(
        await client.send_many([notification], on_outcome=seen.append),
        list[SendOutcome],
    )
    assert_type(
        await client.broadcast(notification, [USER_KEY], on_outcome=seen.append),
        list[SendOutcome],
    )


def bulk(client: Client, notification: Notification, outcome: SendOutcome) -> None:
    seen: list[SendOutcome] = []
    assert_type(client.send_iter([notification]), Generator[SendOutcome, None, None])
    assert_type(
        client.send_iter(
            iter([notification]), max_in_flight=1, e2ee_key=None, on_outcome=seen.append
        ),
        Generator[SendOutcome, None, None],
    )
    assert_type(
        client.send_many([notification], on_outcome=seen.append), list[SendOutcome]
    )
    assert_type(
        client.broadcast(notification, [USER_KEY], on_outcome=print), list[SendOutcome]
    )
    progress = SendProgress.of(RuntimeError())
    assert_type(progress, SendProgress | None)
    if progress is not None:
        assert_type(progress.read, int)
        assert_type(progress.outcomes, tuple[SendOutcome, ...])
        assert_type(progress.not_sent, tuple[Notification | EmergencyNotification, ...])
    assert_type(client.send_many([notification]), list[SendOutcome])
    assert_type(
        client.send_many(iter([notification]), max_in_flight=1), list[SendOutcome]
    )
    assert_type(client.broadcast(notification, [USER_KEY]), list[SendOutcome])
    assert_type(chunk_recipients([USER_KEY]), list[str])
    assert_type(chunk_recipients([USER_KEY], size=10), list[str])
    assert_type(outcome.notification, Notification | EmergencyNotification)
    alarm = EmergencyNotification(user=USER_KEY, message="m", retry=30, expire=60)
    assert_type(client.send_many([notification, alarm]), list[SendOutcome])
    assert_type(client.broadcast(alarm, [USER_KEY]), list[SendOutcome])
    assert_type(outcome.index, int)
    repair = client.repair_broadcast([outcome], known={USER_KEY: "valid"})
    assert_type(repair, BroadcastRepair)
    assert_type(repair.resent, list[SendOutcome])
    assert_type(repair.invalid, tuple[str, ...])
    assert_type(repair.unchecked, tuple[str, ...])
    assert_type(repair.known, dict[str, KeyStatus])
    assert_type(client.repair_broadcast([], max_rejections=2), BroadcastRepair)
    assert_type(outcome.result, SendResult | None)
    assert_type(outcome.error, PushoverError | TypeError | None)
    if isinstance(outcome, Sent):
        assert_type(outcome.result, SendResult)
        assert_type(outcome.error, None)
    elif isinstance(outcome, Failed):
        assert_type(outcome.error, PushoverError | TypeError)
        assert_type(outcome.result, None)
    else:
        assert_type(outcome, NotAttempted)
        assert_type(outcome.result, None)
        assert_type(outcome.error, None)


# -- Request models ----------------------------------------------------------------------


def emergency_notification(n: EmergencyNotification) -> None:
    made = EmergencyNotification(user=USER_KEY, message="hi", retry=30, expire=600)
    assert_type(made, EmergencyNotification)
    assert_type(n.priority, Literal[Priority.EMERGENCY])
    assert_type(n.retry, int)
    assert_type(n.expire, int)
    assert_type(n.callback, str | None)
    assert_type(n.tags, str | None)
    assert_type(n.user, str)
    assert_type(n.message, str)
    assert_type(n.attachment, Attachment | None)


def notification(n: Notification) -> None:
    assert_type(Notification(user=USER_KEY, message="hi"), Notification)
    assert_type(n.user, str)
    assert_type(n.message, str)
    assert_type(n.title, str | None)
    assert_type(n.url, str | None)
    assert_type(n.url_title, str | None)
    assert_type(n.device, str | None)
    assert_type(n.priority, NotificationPriority)
    assert_type(
        n.priority,
        Literal[Priority.LOWEST, Priority.LOW, Priority.NORMAL, Priority.HIGH],
    )
    assert_type(n.sound, str | None)
    assert_type(n.timestamp, When | int | None)
    assert_type(n.ttl, int | None)
    assert_type(n.html, bool)
    assert_type(n.monospace, bool)
    assert_type(n.attachment, Attachment | None)
    # The Base64 form of an image; its MIME type stays a str (any image/* type).
    assert_type(n.attachment_base64, str | None)
    assert_type(n.attachment_type, str | None)


def attachments(
    attachment: Attachment, image: Path, file: BinaryIO, source: AttachmentSource
) -> None:
    assert_type(Attachment(data=b"\x89PNG", filename="a.png"), Attachment)
    assert_type(
        Attachment(data=b"\x89PNG", filename="a", content_type="image/png"),
        Attachment,
    )
    assert_type(Attachment.from_path(image), Attachment)
    assert_type(Attachment.from_path("a.png"), Attachment)
    assert_type(
        Attachment.from_path(image, content_type="image/png", filename="b.png"),
        Attachment,
    )
    assert_type(Attachment.from_file(file), Attachment)
    assert_type(
        Attachment.from_file(file, filename="a.png", content_type="image/png"),
        Attachment,
    )
    assert_type(attachment.data, bytes)
    assert_type(attachment.filename, str)
    assert_type(attachment.content_type, str)
    assert_type(attachment.base64(), str)
    assert_type(
        Notification(user=USER_KEY, message="m", attachment=attachment), Notification
    )
    # What attachment= accepts: an Attachment, the bytes, a path or a binary file.
    assert_type(
        source,
        Attachment | bytes | bytearray | memoryview | str | PathLike[str] | BinaryIO,
    )


def other_requests(
    validate: ValidateUserRequest,
    receipt: ReceiptRequest,
    cancel: CancelRequest,
    by_tag: CancelByTagRequest,
) -> None:
    assert_type(SoundsRequest(), SoundsRequest)
    assert_type(LimitsRequest(), LimitsRequest)
    assert_type(ValidateUserRequest(user=USER_KEY), ValidateUserRequest)
    assert_type(validate.user, str)
    assert_type(validate.device, str | None)
    assert_type(ReceiptRequest(receipt="r" * 30), ReceiptRequest)
    assert_type(receipt.receipt, str)
    assert_type(CancelRequest(receipt="r" * 30), CancelRequest)
    assert_type(cancel.receipt, str)
    assert_type(CancelByTagRequest(tag="outage"), CancelByTagRequest)
    assert_type(by_tag.tag, str)


def group_requests(
    add: GroupAddUserRequest,
    remove: GroupRemoveUserRequest,
    disable: GroupDisableUserRequest,
    enable: GroupEnableUserRequest,
    rename: GroupRenameRequest,
    create: GroupCreateRequest,
    info: GroupInfoRequest,
) -> None:
    assert_type(GroupListRequest(), GroupListRequest)
    assert_type(GroupCreateRequest(name="ops"), GroupCreateRequest)
    assert_type(create.name, str)
    assert_type(GroupInfoRequest(group=GROUP_KEY), GroupInfoRequest)
    assert_type(info.group, str)
    assert_type(
        GroupAddUserRequest(group=GROUP_KEY, user=USER_KEY, memo="m"),
        GroupAddUserRequest,
    )
    assert_type(add.group, str)
    assert_type(add.user, str)
    assert_type(add.device, str | None)
    assert_type(add.memo, str | None)
    assert_type(
        GroupRemoveUserRequest(group=GROUP_KEY, user=USER_KEY), GroupRemoveUserRequest
    )
    assert_type(remove.group, str)
    assert_type(remove.user, str)
    assert_type(remove.device, str | None)
    assert_type(
        GroupDisableUserRequest(group=GROUP_KEY, user=USER_KEY),
        GroupDisableUserRequest,
    )
    assert_type(disable.group, str)
    assert_type(disable.user, str)
    assert_type(disable.device, str | None)
    assert_type(
        GroupEnableUserRequest(group=GROUP_KEY, user=USER_KEY, device="iphone"),
        GroupEnableUserRequest,
    )
    assert_type(enable.group, str)
    assert_type(enable.user, str)
    assert_type(enable.device, str | None)
    assert_type(GroupRenameRequest(group=GROUP_KEY, name="n"), GroupRenameRequest)
    assert_type(rename.group, str)
    assert_type(rename.name, str)


def glance_and_subscription_requests(
    glance: GlanceUpdate, migrate: SubscriptionMigrateRequest
) -> None:
    assert_type(GlanceUpdate(user=USER_KEY, count=3), GlanceUpdate)
    assert_type(
        GlanceUpdate(
            user=USER_KEY,
            device="iphone",
            title="t",
            text="x",
            subtext="s",
            count=-1,
            percent=100,
        ),
        GlanceUpdate,
    )
    assert_type(glance.user, str)
    assert_type(glance.device, str | None)
    assert_type(glance.title, str | Clear | None)
    assert_type(glance.text, str | Clear | None)
    assert_type(glance.subtext, str | Clear | None)
    assert_type(glance.count, int | Clear | None)
    assert_type(glance.percent, int | Clear | None)
    assert_type(CLEAR, Literal[Clear.CLEAR])
    assert_type(Clear.CLEAR, Literal[Clear.CLEAR])
    assert_type(
        GlanceUpdate(user=USER_KEY, count=CLEAR, percent=CLEAR, title=CLEAR),
        GlanceUpdate,
    )
    assert_type(
        SubscriptionMigrateRequest(subscription=SUBSCRIPTION_CODE, user=USER_KEY),
        SubscriptionMigrateRequest,
    )
    assert_type(migrate.subscription, str)
    assert_type(migrate.user, str)
    assert_type(migrate.device_name, str | None)
    assert_type(migrate.sound, str | None)


def license_and_team_requests(
    assign: LicenseAssignRequest,
    add: TeamAddUserRequest,
    remove: TeamRemoveUserRequest,
    revoke: TeamRevokeInvitationRequest,
    platform: LicenseOS,
) -> None:
    # The licence platform is a closed set.
    assert_type(platform, Literal["Android", "iOS", "Desktop"])
    assert_type(LicenseAssignRequest(user=USER_KEY), LicenseAssignRequest)
    assert_type(
        LicenseAssignRequest(email="a@example.com", os="Android"), LicenseAssignRequest
    )
    assert_type(assign.user, str | None)
    assert_type(assign.email, str | None)
    assert_type(assign.os, Literal["Android", "iOS", "Desktop"] | None)
    assert_type(LicenseCreditsRequest(), LicenseCreditsRequest)
    assert_type(TeamAddUserRequest(email="a@example.com"), TeamAddUserRequest)
    assert_type(add.email, str)
    assert_type(add.name, str | None)
    assert_type(add.password, str | None)
    assert_type(add.instant, bool)
    assert_type(add.admin, bool)
    assert_type(add.group, str | None)
    assert_type(TeamRemoveUserRequest(email="a@example.com"), TeamRemoveUserRequest)
    assert_type(remove.email, str)
    assert_type(TeamInfoRequest(), TeamInfoRequest)
    assert_type(
        TeamRevokeInvitationRequest(email="a@example.com"), TeamRevokeInvitationRequest
    )
    assert_type(revoke.email, str)


# -- Result models -----------------------------------------------------------------------


def results(
    result: Result,
    sent: SendResult,
    emergency_sent: EmergencySendResult,
    sounds: SoundList,
    validation: UserValidation,
    cancelled: CancelResult,
    by_tag: CancelByTagResult,
    limits: AppLimits,
    rate: RateLimit,
) -> None:
    assert_type(result.request, str)
    assert_type(result.rate_limit, RateLimit | None)
    assert_type(rate.limit, int)
    assert_type(rate.remaining, int)
    assert_type(rate.reset, When)
    assert_type(rate.is_newer_than(rate), bool)
    assert_type(sent.request, str)
    assert_type(sent.rate_limit, RateLimit | None)
    assert_type(emergency_sent.receipt, str)
    assert_type(emergency_sent.request, str)
    sent = emergency_sent  # an emergency's result is a SendResult
    assert_type(sounds.sounds, dict[str, str])
    assert_type(validation.devices, tuple[str, ...])
    assert_type(validation.licenses, tuple[str, ...])
    assert_type(validation.group, bool)
    assert_type(cancelled.request, str)
    assert_type(by_tag.canceled, int | None)
    assert_type(limits.limit, int)
    assert_type(limits.remaining, int)
    assert_type(limits.reset, When)


def receipt_result(receipt: Receipt) -> None:
    assert_type(receipt.acknowledged, bool)
    assert_type(receipt.acknowledged_at, When | None)
    assert_type(receipt.acknowledged_by, str | None)
    assert_type(receipt.acknowledged_by_device, str | None)
    assert_type(receipt.last_delivered_at, When | None)
    assert_type(receipt.expired, bool)
    assert_type(receipt.expires_at, When | None)
    assert_type(receipt.called_back, bool)
    assert_type(receipt.called_back_at, When | None)
    assert_type(receipt.request, str)
    assert_type(receipt.rate_limit, RateLimit | None)


def group_results(  # one result of each kind
    created: GroupCreateResult,
    listed: GroupList,
    summary: GroupSummary,
    info: GroupInfo,
    member: GroupMember,
    added: GroupAddUserResult,
    removed: GroupRemoveUserResult,
    disabled: GroupDisableUserResult,
    enabled: GroupEnableUserResult,
    renamed: GroupRenameResult,
) -> None:
    assert_type(created.group, str)
    assert_type(created.request, str)
    assert_type(listed.groups, tuple[GroupSummary, ...])
    assert_type(summary.group, str)
    assert_type(summary.name, str)
    assert_type(info.name, str)
    assert_type(info.users, tuple[GroupMember, ...])
    assert_type(info.rate_limit, RateLimit | None)
    assert_type(member.user, str)
    assert_type(member.device, str | None)
    assert_type(member.memo, str)
    assert_type(member.disabled, bool)
    assert_type(member.name, str | None)
    assert_type(member.email, str | None)
    # The acknowledgements carry only what every result has.
    assert_type(added.request, str)
    assert_type(removed.request, str)
    assert_type(disabled.request, str)
    assert_type(enabled.request, str)
    assert_type(renamed.rate_limit, RateLimit | None)


def other_whole_api_results(  # one result of each kind
    glance: GlanceResult,
    migrated: SubscriptionMigrateResult,
    assigned: LicenseAssignResult,
    credits: LicenseCredits,
    team_added: TeamAddUserResult,
    team_removed: TeamRemoveUserResult,
    revoked: TeamRevokeInvitationResult,
    team: TeamInfo,
    team_user: TeamUser,
    device: TeamDevice,
) -> None:
    assert_type(glance.request, str)
    assert_type(migrated.subscribed_user_key, str)
    assert_type(assigned.credits, int | None)
    assert_type(credits.credits, int)
    assert_type(credits.rate_limit, RateLimit | None)
    assert_type(team_added.request, str)
    assert_type(team_removed.request, str)
    assert_type(revoked.request, str)
    assert_type(team.name, str)
    assert_type(team.users, tuple[TeamUser, ...])
    assert_type(team_user.name, str | None)
    assert_type(team_user.email, str | None)
    assert_type(team_user.administrator, bool)
    assert_type(team_user.devices, tuple[TeamDevice, ...])
    assert_type(device.name, str)
    assert_type(device.os, str | None)
    assert_type(device.os_version, str | None)
    assert_type(device.enabled, bool)
    assert_type(device.administratively_disabled, bool)


def error_response(response: ErrorResponse) -> None:
    assert_type(response.status, int)
    assert_type(response.request, str | None)
    assert_type(response.errors, tuple[str, ...] | dict[str, tuple[str, ...]])
    assert_type(response.bad_inputs, dict[str, str])
    assert_type(response.receipt, str | None)
    assert_type(response.extra, dict[str, object])
    assert_type(response.messages(), list[str])
    assert_type(response.to_dict(), dict[str, Any])


# -- Errors ------------------------------------------------------------------------------


def errors(
    api: APIError,
    quota: QuotaExceededError,
    invalid: ValidationError,
    transport: TransportError,
    unexpected: UnexpectedResponseError,
    response: ErrorResponse,
) -> None:
    assert_type(APIError("u", {}, response, None), APIError)
    assert_type(api.url, str)
    assert_type(api.request, dict[str, Any])
    assert_type(api.response, dict[str, Any])
    assert_type(api.timestamp, When)
    assert_type(api.http_status, int | None)
    assert_type(api.error_response, ErrorResponse)
    assert_type(ErrorResponse.from_body({"status": 0}), ErrorResponse)
    assert_type(api.timestamp.isoformat(), str)  # chump documents a datetime
    assert_type(api.id.upper(), str)  # and a string
    assert_type(api.id, str)
    assert_type(api.status, int)
    assert_type(api.errors, list[str])
    assert_type(api.bad_inputs, dict[str, str])
    assert_type(api.receipt, str | None)
    assert_type(quota.rate_limit, RateLimit | None)
    assert_type(quota.reset_at, When | None)
    assert_type(quota.errors, list[str])
    spent = BudgetExceededError(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert_type(spent, BudgetExceededError)
    assert_type(spent.retry_at, When)
    assert_type(invalid.field, str)
    assert_type(invalid.problem, str)
    assert_type(transport.may_have_been_sent, bool)
    assert_type(transport.reason_type, str | None)
    assert_type(transport.reason, str | None)
    assert_type(unexpected.http_status, int)
    assert_type(unexpected.body, bytes)
    assert_type(unexpected.may_have_been_sent, bool)
    assert_type(PushoverError("any"), PushoverError)
    assert_type(ValidationError("priority", "must be -2..2"), ValidationError)
    assert_type(TransportError("reset", may_have_been_sent=True), TransportError)
    assert_type(
        TransportError("reset", reason_type="ProtocolError", reason="aborted"),
        TransportError,
    )
    assert_type(
        UnexpectedResponseError("big", http_status=200, may_have_been_sent=True),
        UnexpectedResponseError,
    )
    assert_type(
        UnexpectedResponseError("bad", http_status=502), UnexpectedResponseError
    )


# -- The sans-I/O values and the transports ----------------------------------------------


def http_values(request: HTTPRequest, response: HTTPResponse) -> None:
    assert_type(request.method, Method)
    assert_type(request.url, str)
    assert_type(request.headers, Mapping[str, str])
    assert_type(request.body, bytes)
    assert_type(request.retryable, bool)
    assert_type(request.params, Mapping[str, str])
    assert_type(request.options, SendOptions | None)
    options = SendOptions(deadline=5, retries=RetryPolicy(retries=0))
    assert_type(options.deadline, float | None)
    assert_type(options.retries, RetryPolicy | None)
    assert_type(HTTPRequest(method="GET", url="u", options=options), HTTPRequest)
    assert_type(response.status, int)
    assert_type(response.headers, Mapping[str, str])
    assert_type(response.body, bytes)


def transports(
    transport: Transport, real: Urllib3Transport, request: HTTPRequest
) -> None:
    assert_type(transport.send(request), HTTPResponse)
    assert_type(transport.close(), None)
    assert_type(Urllib3Transport(), Urllib3Transport)
    assert_type(
        Urllib3Transport(timeout=5.0, retries=RetryPolicy(retries=0, backoff_floor=0)),
        Urllib3Transport,
    )
    assert_type(real.send(request), HTTPResponse)
    assert_type(real.close(), None)
    assert_type(real.timeout, urllib3.Timeout)
    assert_type(real.retries, RetryPolicy)
    assert_type(real.deadline, float)
    assert_type(real.max_response_size, int)
    assert_type(real.trust_env, bool)
    assert_type(real.proxy, str | None)
    assert_type(repr(real), str)
    with real as entered:
        assert_type(entered, Urllib3Transport)
    # Both transports satisfy the protocol.
    assert_type(Client(APP_TOKEN, transport=real), Client)
    assert_type(Client(APP_TOKEN, transport=FakeTransport()), Client)


async def aiohttp_transport(real: AiohttpTransport, request: HTTPRequest) -> None:
    assert_type(AiohttpTransport(), AiohttpTransport)
    assert_type(
        AiohttpTransport(
            timeout=5.0,
            deadline=30,
            retries=2,
            max_response_size=65536,
            proxy="http://proxy.example:3128",
            trust_env=False,
            maxsize=1,
            on_retry=print,
        ),
        AiohttpTransport,
    )
    assert_type(await real.send(request), HTTPResponse)
    assert_type(await real.aclose(), None)
    assert_type(real.retries, RetryPolicy)
    assert_type(real.deadline, float)
    assert_type(real.max_response_size, int)
    assert_type(real.trust_env, bool)
    assert_type(real.proxy, str | None)
    async with real as entered:
        assert_type(entered, AiohttpTransport)
    assert_type(AsyncClient(APP_TOKEN, transport=real), AsyncClient)


async def async_transports(real: AsyncHttpxTransport, request: HTTPRequest) -> None:
    assert_type(AsyncHttpxTransport(), AsyncHttpxTransport)
    assert_type(
        AsyncHttpxTransport(
            timeout=5.0,
            deadline=30,
            retries=RetryPolicy(retries=1),
            max_response_size=65536,
            proxy="http://proxy.example:3128",
            trust_env=False,
            maxsize=1,
            on_retry=print,
            clock=lambda: 0.0,
        ),
        AsyncHttpxTransport,
    )
    assert_type(await real.send(request), HTTPResponse)
    assert_type(await real.aclose(), None)
    assert_type(real.retries, RetryPolicy)
    assert_type(real.deadline, float)
    assert_type(real.max_response_size, int)
    assert_type(real.trust_env, bool)
    assert_type(real.proxy, str | None)
    async with real as entered:
        assert_type(entered, AsyncHttpxTransport)
    fake = AsyncFakeTransport()
    assert_type(await fake.send(request), HTTPResponse)
    assert_type(await fake.aclose(), None)
    assert_type(fake.closed, bool)
    assert_type(fake.fake, FakePushover)
    assert_type(fake.sync, FakeTransport)
    assert_type(is_async_transport(fake), bool)
    transport: AsyncTransport = fake
    assert_type(await transport.send(request), HTTPResponse)


def httpx_transport(
    real: HttpxTransport, request: HTTPRequest, shared: httpx.Client
) -> None:
    assert_type(HttpxTransport(), HttpxTransport)
    assert_type(HttpxTransport(client=shared, sleep=lambda _: None), HttpxTransport)
    assert_type(real.send(request), HTTPResponse)
    assert_type(real.close(), None)
    assert_type(real.retries, RetryPolicy)
    assert_type(real.deadline, float)
    with real as entered:
        assert_type(entered, HttpxTransport)
    transport: Transport = real
    assert_type(Client(APP_TOKEN, transport=transport), Client)


def transport_knobs(
    context: ssl.SSLContext, statuses: Collection[int], policy: RetryPolicy
) -> None:
    # Every knob is keyword-only and takes the type its docstring names.
    assert_type(
        Urllib3Transport(
            timeout=urllib3.Timeout(connect=2.0, read=5.0),
            retries=policy,
            ca_certs="/etc/ssl/certs/ca-certificates.crt",
            ssl_context=context,
            maxsize=1,
            deadline=30,
            max_response_size=65536,
            proxy="http://proxy.example:3128",
            trust_env=False,
            on_retry=print,
            sleep=lambda seconds: None,
            clock=lambda: 0.0,
        ),
        Urllib3Transport,
    )
    assert_type(
        Urllib3Transport(
            timeout=10,
            retries=RetryPolicy(
                retries=5,
                connect_retries=3,
                read_retries=0,
                status_retries=1,
                retry_statuses=statuses,
                backoff_floor=0,
                backoff_factor=0.5,
                backoff_max=30.0,
                max_wait=120,
            ),
        ),
        Urllib3Transport,
    )
    assert_type(Urllib3Transport(timeout=None, retries=5, sleep=None), Urllib3Transport)


def retry_policy(policy: RetryPolicy, event: RetryEvent) -> None:
    assert_type(RetryPolicy(), RetryPolicy)
    assert_type(
        RetryPolicy(
            retries=3,
            connect_retries=3,
            read_retries=2,
            status_retries=2,
            retry_statuses={500, 503},
            backoff_floor=5,
            backoff_factor=5.0,
            backoff_max=60,
            max_wait=60.0,
        ),
        RetryPolicy,
    )
    assert_type(policy.retries, int)
    assert_type(policy.connect_retries, int)
    assert_type(policy.read_retries, int)
    assert_type(policy.status_retries, int)
    assert_type(policy.retry_statuses, frozenset[int])
    assert_type(policy.backoff_floor, float)
    assert_type(policy.backoff_factor, float)
    assert_type(policy.backoff_max, float)
    assert_type(policy.max_wait, float)
    assert_type(policy.backoff(2), float)
    assert_type(
        policy.decide("GET", [NotConnected()], retryable=True, remaining=5, now=0),
        RetryAfter | RetryStop,
    )
    assert_type(
        policy.decide("POST", [MaybeSent(), Answered(503, "5")]), RetryAfter | RetryStop
    )
    decision = policy.decide("GET", [Answered(status=500, retry_after=None)])
    if isinstance(decision, RetryAfter):
        assert_type(decision.wait, float)
    assert_type(decision.reason, str)
    assert_type(Answered(503).status, int)
    assert_type(Answered(503).retry_after, str | None)
    assert_type(NotConnected().kind, Literal["connect"])
    assert_type(MaybeSent().kind, Literal["read"])
    assert_type(Answered(503).kind, Literal["status"])
    assert_type(event.method, str)
    assert_type(event.url, str)
    assert_type(event.attempt, int)
    assert_type(event.wait, float)
    assert_type(event.reason, str)
    assert_type(event.detail, str)


# -- The chump-compatible facade ---------------------------------------------------------


def application(app: Application) -> None:
    assert_type(Application(APP_TOKEN), Application)
    assert_type(Application(APP_TOKEN, base_url="http://127.0.0.1:1/1/"), Application)
    assert_type(app.token, str)
    assert_type(app.client, Client)
    assert_type(app.limit, int | None)
    assert_type(app.remaining, int | None)
    assert_type(app.rate_limit, RateLimit | None)
    assert_type(app.reset, When | None)
    assert_type(app.is_authenticated, bool)
    assert_type(app.sounds, dict[str, str] | None)
    assert_type(app.get_user(USER_KEY), User)
    assert_type(app.known_authentication, bool | None)
    assert_type(app.token_accepted(APP_TOKEN), None)
    assert_type(app.token_rejected(APP_TOKEN), None)
    assert_type(app.rate_limit_reported(None), None)


def user(user: User) -> None:
    assert_type(User(user.app, USER_KEY), User)
    assert_type(user.app, Application)
    assert_type(user.token, str)
    assert_type(user.is_authenticated, bool)
    assert_type(user.devices, set[str] | None)
    assert_type(user.user_accepted(USER_KEY), None)
    assert_type(user.user_rejected(USER_KEY), None)
    assert_type(user.user_unknown(USER_KEY), None)
    assert_type(user.user_checked(USER_KEY, {"iphone"}), None)


def create_message_overloads(user: User, level: int, chosen: Priority) -> None:
    # EMERGENCY, however it is spelt, gives an EmergencyMessage ...
    assert_type(user.create_message("m", priority=EMERGENCY), EmergencyMessage)
    assert_type(user.create_message("m", priority=Priority.EMERGENCY), EmergencyMessage)
    assert_type(user.create_message("m", priority=2), EmergencyMessage)
    assert_type(
        user.create_message("m", priority=2, callback="https://e.example", retry=60),
        EmergencyMessage,
    )
    assert_type(
        user.create_message("m", False, None, None, None, None, None, 2),
        EmergencyMessage,
    )
    assert_type(
        user.create_message("m", False, None, 0, None, None, None, EMERGENCY, None, 60),
        EmergencyMessage,
    )
    # ... any other literal priority gives a Message ...
    assert_type(user.create_message("m"), Message)
    assert_type(user.create_message("m", priority=LOWEST), Message)
    assert_type(user.create_message("m", priority=LOW), Message)
    assert_type(user.create_message("m", priority=NORMAL), Message)
    assert_type(user.create_message("m", priority=HIGH), Message)
    assert_type(user.create_message("m", priority=Priority.HIGH), Message)
    assert_type(user.create_message("m", priority=-2), Message)
    assert_type(user.create_message("m", priority=1, ttl=60), Message)
    assert_type(
        user.create_message("m", False, None, None, None, None, None, 1), Message
    )
    # ... and a priority known only at run time gives either.
    assert_type(user.create_message("m", priority=level), Message | EmergencyMessage)
    assert_type(user.create_message("m", priority=chosen), Message | EmergencyMessage)


def send_message_overloads(user: User, level: int) -> None:
    assert_type(user.send_message("m", priority=EMERGENCY), EmergencyMessage)
    assert_type(user.send_message("m", priority=Priority.EMERGENCY), EmergencyMessage)
    assert_type(user.send_message("m", priority=2), EmergencyMessage)
    assert_type(
        user.send_message("m", False, None, None, None, None, None, 2),
        EmergencyMessage,
    )
    assert_type(user.send_message("m"), Message)
    assert_type(user.send_message("m", priority=HIGH), Message)
    assert_type(user.send_message("m", priority=Priority.LOWEST), Message)
    assert_type(user.send_message("m", priority=-1), Message)
    assert_type(user.send_message("m", False, None, None, None, None, None, 0), Message)
    assert_type(user.send_message("m", priority=level), Message | EmergencyMessage)


def attachment_overloads(
    user: User, attachment: Attachment, image: Path, file: BinaryIO, level: int
) -> None:
    # attachment= never changes which kind of message comes back.
    assert_type(user.create_message("m", attachment=attachment), Message)
    assert_type(user.create_message("m", attachment=image), Message)
    assert_type(user.create_message("m", attachment=str(image)), Message)
    assert_type(user.create_message("m", attachment=file), Message)
    assert_type(user.create_message("m", attachment=b"\x89PNG"), Message)
    assert_type(user.create_message("m", attachment=bytearray(b"GIF89a")), Message)
    assert_type(user.create_message("m", attachment=None), Message)
    assert_type(
        user.create_message("m", priority=EMERGENCY, attachment=image),
        EmergencyMessage,
    )
    assert_type(
        user.create_message("m", priority=level, attachment=file),
        Message | EmergencyMessage,
    )
    assert_type(user.send_message("m", attachment=image), Message)
    assert_type(user.send_message("m", priority=HIGH, attachment=file), Message)
    assert_type(
        user.send_message("m", priority=Priority.EMERGENCY, attachment=b"\xff\xd8\xff"),
        EmergencyMessage,
    )
    assert_type(
        user.send_message("m", priority=level, attachment=attachment),
        Message | EmergencyMessage,
    )
    assert_type(Message(user, "hi", attachment=image), Message)
    assert_type(EmergencyMessage(user, "fire", attachment=file), EmergencyMessage)


def message(user: User, message: Message) -> None:
    assert_type(Message(user, "hi"), Message)
    assert_type(message.user, User)
    assert_type(message.message, str)
    assert_type(message.html, bool)
    assert_type(message.title, str | None)
    assert_type(message.timestamp, When | None)
    assert_type(message.url, str | None)
    assert_type(message.url_title, str | None)
    assert_type(message.device, str | None)
    assert_type(message.priority, int)
    assert_type(message.sound, str | None)
    assert_type(message.monospace, bool)
    assert_type(message.ttl, int | None)
    assert_type(message.id, str | None)
    assert_type(message.is_sent, bool)
    assert_type(message.sent_at, When | None)
    assert_type(message.error, APIError | None)
    assert_type(message.notification, Notification | EmergencyNotification)
    assert_type(message.attachment, Attachment | None)
    assert_type(message.send(), bool)
    assert_type(message.update(html=False, monospace=True), None)


def emergency_message(user: User, alert: EmergencyMessage) -> None:
    assert_type(EmergencyMessage(user, "fire"), EmergencyMessage)
    assert_type(alert.callback, str | None)
    assert_type(alert.retry, int)
    assert_type(alert.expire, int)
    assert_type(alert.tags, str | None)
    assert_type(alert.receipt, str | None)
    assert_type(alert.last_polled_at, When | None)
    assert_type(alert.last_delivered_at, When | None)
    assert_type(alert.is_acknowledged, bool | None)
    assert_type(alert.acknowledged_at, When | None)
    assert_type(alert.acknowledged_by, User | None)
    assert_type(alert.is_expired, bool | None)
    assert_type(alert.expires_at, When | None)
    assert_type(alert.is_called_back, bool | None)
    assert_type(alert.called_back_at, When | None)
    assert_type(alert.send(), bool)
    assert_type(alert.poll(), bool | None)
    assert_type(alert.cancel(), bool)
    # Everything a Message has.
    assert_type(alert.priority, int)
    assert_type(alert.is_sent, bool)
    assert_type(alert.error, APIError | None)
    assert_type(alert.notification, Notification | EmergencyNotification)


# -- chump_typed.callbacks ---------------------------------------------------------------


def acknowledgement_callbacks(
    ack: AcknowledgementCallback,
    fields: Mapping[str, str],
    environ: WSGIEnvironment,
    start_response: StartResponse,
) -> None:
    assert_type(MAX_CALLBACK_BODY, Literal[16384])
    assert_type(parse_callback(b"receipt=r"), AcknowledgementCallback)
    assert_type(parse_callback(fields), AcknowledgementCallback)
    assert_type(
        parse_callback({"receipt": "r", "acknowledged": 1}), AcknowledgementCallback
    )
    assert_type(ack.receipt, str)
    assert_type(ack.acknowledged, bool)
    assert_type(ack.acknowledged_at, When)
    assert_type(ack.acknowledged_by, str)
    assert_type(ack.acknowledged_by_device, str | None)
    assert_type(
        AcknowledgementCallback(
            receipt="r" * 30,
            acknowledged=True,
            acknowledged_at=dt.datetime.now(dt.timezone.utc),
            acknowledged_by=USER_KEY,
        ),
        AcknowledgementCallback,
    )

    def handler(callback: AcknowledgementCallback) -> None:
        del callback

    app = callback_app(handler)
    assert_type(app, WSGIApplication)
    # Any handler result is ignored; the application is an ordinary WSGI callable.
    assert_type(callback_app(lambda callback: callback.receipt), WSGIApplication)
    assert_type(app(environ, start_response), Iterable[bytes])


async def asgi_callbacks(scope: Scope, receive: Receive, send: Send) -> None:
    async def handler(callback: AcknowledgementCallback) -> None:
        del callback

    app = callback_asgi_app(handler)
    assert_type(app, ASGIApplication)
    assert_type(callback_asgi_app(lambda callback: None), ASGIApplication)
    assert_type(await app(scope, receive, send), None)


# -- chump_typed.logging -----------------------------------------------------------------


def log_handler(handler: PushoverHandler, record: logging.LogRecord) -> None:
    assert_type(DEFAULT_PRIORITIES, Mapping[int, Priority])
    assert_type(TRUNCATION_MARKER, Literal[" [… truncated]"])
    assert_type(PushoverHandler(APP_TOKEN, USER_KEY), PushoverHandler)
    assert_type(
        PushoverHandler(
            APP_TOKEN,
            USER_KEY,
            logging.WARNING,
            base_url="http://127.0.0.1:1/1/",
            transport=FakeTransport(),
            timeout=2.5,
            priorities={logging.ERROR: Priority.HIGH},
            rate_limit=20,
            window=30.0,
            queue_size=100,
            background=False,
        ),
        PushoverHandler,
    )
    assert_type(DEFAULT_RATE_LIMIT, Literal[10])
    assert_type(DEFAULT_WINDOW, float)
    assert_type(DEFAULT_QUEUE_SIZE, Literal[1000])
    assert_type(SUMMARY_TITLE, Literal["chump_typed.logging: summary"])
    assert_type(handler.dropped, int)
    assert_type(handler.timeout, float)
    assert_type(handler.background, bool)
    assert_type(handler.handleError(record), None)
    assert_type(handler.client, Client)
    assert_type(handler.priority_for(logging.ERROR), NotificationPriority)
    assert_type(handler.notification(record), Notification)
    assert_type(handler.emit(record), None)
    assert_type(handler.close(), None)
    assert_type(handler.flush(), None)
    assert_type(handler.budget, Budget)
    assert_type(DEFAULT_PER_HOUR, Literal[20])
    assert_type(DEFAULT_PER_DAY, Literal[100])
    assert_type(MIN_CLOSURE, float)
    budget = MemoryBudget(per_hour=20, per_day=100, clock=time.time)
    assert_type(budget, MemoryBudget)
    assert_type(budget.spend(1, reserve=1), bool)
    assert_type(budget.try_spend(1, reserve=1), float | None)
    assert_type(budget.refund(1), None)
    assert_type(budget.claim("disk full", 60.0), bool)
    assert_type(budget.take_collapsed("disk full"), int)
    assert_type(budget.closed_until(), float | None)
    assert_type(budget.close_until(0.0), None)
    assert_type(budget.per_hour, int | None)
    shared = PushoverHandler(
        APP_TOKEN,
        USER_KEY,
        budget=budget,
        group_sizes={GROUP_KEY: 3},
        clock=time.time,
    )
    assert_type(shared, PushoverHandler)


# -- chump_typed.testing -----------------------------------------------------------------


def testing_constants() -> None:
    assert_type(APP_TOKEN, Literal["azGDORePK8gMaC0QOYAMyEEuzJnyUi"])
    assert_type(USER_KEY, Literal["uQiRzpo4DXghDmr9QzzfQu27cmVRsG"])
    assert_type(GROUP_KEY, Literal["gznej3rKEVAvPUxu9vvNnqpmZpokzF"])
    assert_type(TEAM_TOKEN, Literal["tEAMtoKEN0000000000000000000te"])
    assert_type(SUBSCRIPTION_CODE, Literal["Example-abcd1234"])
    assert_type(USER_DEVICES, tuple[str, ...])
    assert_type(DEFAULT_LIMIT, Literal[10000])
    assert_type(DEFAULT_CREDITS, Literal[10])
    assert_type(MAX_ATTACHMENT_BYTES, Literal[5242880])
    assert_type(BUILTIN_SOUNDS, Mapping[str, str])
    assert_type(testing.__all__, list[str])


def fake_pushover(fake: FakePushover, headers: Mapping[str, str]) -> None:
    assert_type(FakePushover(), FakePushover)
    assert_type(
        FakePushover(users={USER_KEY: ("iphone",)}, faults=[Fault.BAD_REQUEST, None]),
        FakePushover,
    )
    assert_type(fake.reset(), None)
    assert_type(fake.inject(Fault.QUOTA_EXCEEDED, Slow(0.5), None), None)
    assert_type(fake.acknowledge("r" * 30), testing.ReceiptState)
    assert_type(
        fake.acknowledge("r" * 30, user=USER_KEY, device="iphone"), testing.ReceiptState
    )
    assert_type(fake.expire("r" * 30), testing.ReceiptState)
    assert_type(fake.receipt("r" * 30), testing.ReceiptState)
    assert_type(fake.messages, tuple[SentMessage, ...])
    assert_type(fake.requests, tuple[ReceivedRequest, ...])
    assert_type(fake.groups, Mapping[str, Group])
    assert_type(fake.glances, Mapping[tuple[str, str | None], Mapping[str, str]])
    assert_type(fake.licenses, tuple[License, ...])
    assert_type(fake.credits, int)
    assert_type(fake.remaining, int)
    assert_type(fake.team, Mapping[str, TeamMember])
    assert_type(fake.subscribers, Mapping[str, str])
    assert_type(fake.connection_opened(), None)
    assert_type(fake.connection_closed(), None)
    assert_type(fake.connections_opened, int)
    assert_type(fake.peak_connections, int)
    assert_type(fake.handle("GET", "/1/sounds.json", headers, b""), HTTPResponse)
    assert_type(fake.exchange("GET", "/1/sounds.json", headers, b""), Exchange)


def fake_transport(transport: FakeTransport, request: HTTPRequest) -> None:
    assert_type(FakeTransport(), FakeTransport)
    assert_type(FakeTransport(FakePushover()), FakeTransport)
    assert_type(transport.fake, FakePushover)
    assert_type(transport.closed, bool)
    assert_type(transport.send(request), HTTPResponse)
    assert_type(transport.close(), None)


def serving(context: ssl.SSLContext) -> None:
    # serve() is a context manager yielding the base URL.
    with serve() as base_url:
        assert_type(base_url, str)
    with serve(FakePushover(), ssl_context=context, server_hostname="localhost") as url:
        assert_type(url, str)
    with serve(host="::1", delay=0.1) as url:
        assert_type(url, str)


def fault_scripts(
    fault: Fault, slow: Slow, exchange: Exchange, step: FaultStep
) -> None:
    assert_type(step, Fault | Slow | None)
    assert_type(fault.delivered, bool)
    assert_type(fault.disconnects, bool)
    assert_type(Fault.RESET_BEFORE_READ, Literal[Fault.RESET_BEFORE_READ])
    assert_type(Fault.RESET_AFTER_READ, Literal[Fault.RESET_AFTER_READ])
    assert_type(Fault.SERVER_ERROR_HTML, Literal[Fault.SERVER_ERROR_HTML])
    assert_type(Fault.BAD_GATEWAY_EMPTY, Literal[Fault.BAD_GATEWAY_EMPTY])
    assert_type(Fault.UNAVAILABLE_JSON, Literal[Fault.UNAVAILABLE_JSON])
    assert_type(Fault.MALFORMED_JSON, Literal[Fault.MALFORMED_JSON])
    assert_type(Fault.TRUNCATED_BODY, Literal[Fault.TRUNCATED_BODY])
    assert_type(Fault.QUOTA_EXCEEDED, Literal[Fault.QUOTA_EXCEEDED])
    assert_type(Fault.BAD_REQUEST, Literal[Fault.BAD_REQUEST])
    assert_type(Slow(), Slow)
    assert_type(slow.seconds, float)
    assert_type(slow.delivered, bool)
    assert_type(exchange.response, HTTPResponse | None)
    assert_type(exchange.delay, float)
    assert_type(exchange.disconnect, Fault | None)
    disconnect = Disconnect(Fault.RESET_AFTER_READ)
    assert_type(disconnect.fault, Fault)
    assert_type(disconnect.request_read, bool)


def records(
    received: ReceivedRequest,
    sent: SentMessage,
    receipt: testing.ReceiptState,
    attachment: testing.SentAttachment,
) -> None:
    assert_type(received.method, str)
    assert_type(received.path, str)
    assert_type(received.params, Mapping[str, str])
    assert_type(received.request, str)
    assert_type(sent.request, str)
    assert_type(sent.params, Mapping[str, str])
    assert_type(sent.recipients, tuple[str, ...])
    assert_type(sent.attachment, testing.SentAttachment | None)
    assert_type(sent.receipt, str | None)
    assert_type(sent.received_at, float)
    assert_type(sent.message, str)
    assert_type(sent.priority, int)
    assert_type(sent.encrypted, bool)
    assert_type(sent.decrypted, Mapping[str, str] | None)
    assert_type(sent.unreadable_by, tuple[str, ...])
    assert_type(attachment.content_type, str)
    assert_type(attachment.data, bytes)
    assert_type(attachment.filename, str | None)
    assert_type(receipt.receipt, str)
    assert_type(receipt.token, str)
    assert_type(receipt.recipients, tuple[str, ...])
    assert_type(receipt.tags, tuple[str, ...])
    assert_type(receipt.callback, str | None)
    assert_type(receipt.acknowledged, bool)
    assert_type(receipt.acknowledged_at, int)
    assert_type(receipt.acknowledged_by, str)
    assert_type(receipt.acknowledged_by_device, str)
    assert_type(receipt.last_delivered_at, int)
    assert_type(receipt.expired, bool)
    assert_type(receipt.expires_at, int)
    assert_type(receipt.called_back, bool)
    assert_type(receipt.called_back_at, int)
    assert_type(receipt.canceled, bool)
    assert_type(receipt.audience, tuple[str, ...])
    assert_type(receipt.active, bool)
    assert_type(receipt.to_wire(), dict[str, object])


def directory_records(
    group: Group, member: testing.Membership, team: TeamMember, lic: License
) -> None:
    assert_type(group.key, str)
    assert_type(group.name, str)
    assert_type(group.members, tuple[testing.Membership, ...])
    assert_type(member.user, str)
    assert_type(member.device, str | None)
    assert_type(member.memo, str)
    assert_type(member.disabled, bool)
    assert_type(team.email, str)
    assert_type(team.name, str)
    assert_type(team.admin, bool)
    assert_type(team.instant, bool)
    assert_type(team.group, str)
    assert_type(lic.user, str | None)
    assert_type(lic.email, str | None)
    assert_type(lic.os, str)


async def end_to_end_encryption(
    client: Client,
    aclient: AsyncClient,
    note: Notification,
    fake: FakePushover,
    app: Application,
) -> None:
    key = E2EEKey.from_hex("00" * 32)
    assert_type(key, E2EEKey)
    assert_type(E2EEKey.generate(), E2EEKey)
    assert_type(E2EEKey(bytes(32)), E2EEKey)
    assert_type(key.hex(), str)
    assert_type(encrypt_field(key, "text"), str)
    assert_type(encrypt_field(key, "text", iv=bytes(16)), str)
    assert_type(decrypt_field(key, "AAAA"), str)
    assert_type(seal_fields(key, {"message": "hi"}), dict[str, str])
    assert_type(decrypt_fields(key, {"message": "hi"}), dict[str, str])
    assert_type(e2ee.ENCRYPTED_FIELDS, tuple[str, ...])
    assert_type(e2ee.DEFAULT_TITLE, Literal["Notification"])
    assert_type(e2ee.MAX_PLAINTEXT, Literal[65536])
    assert_type(client.send(note, e2ee_key=key), SendResult)
    assert_type(await aclient.send(note, e2ee_key=key), SendResult)
    assert_type(fake.set_e2ee_key(USER_KEY, key), None)
    assert_type(client.send_many([note], e2ee_key=key), list[SendOutcome])
    assert_type(client.send_many([note], e2ee_key={USER_KEY: key}), list[SendOutcome])
    assert_type(client.broadcast(note, [USER_KEY], e2ee_key=key), list[SendOutcome])
    assert_type(await aclient.send_many([note], e2ee_key=key), list[SendOutcome])
    assert_type(
        await aclient.broadcast(note, [USER_KEY], e2ee_key={USER_KEY: key}),
        list[SendOutcome],
    )
    user = app.get_user(USER_KEY, e2ee_key=key)
    assert_type(user.e2ee_key, E2EEKey | None)
    assert_type(User(app, USER_KEY, e2ee_key=None), User)
    assert_type(FakePushover(e2ee_keys={USER_KEY: key}), FakePushover)
    error = DecryptionError("the field's MAC does not match")
    assert_type(error, DecryptionError)
    assert isinstance(error, PushoverError)


def clients_from_the_environment(environ: Mapping[str, str]) -> None:
    assert_type(Client.from_env(), Client)
    assert_type(Client.from_env(environ=environ, transport=FakeTransport()), Client)
    assert_type(AsyncClient.from_env(), AsyncClient)
    assert_type(
        AsyncClient.from_env(environ=environ, transport=AsyncFakeTransport()),
        AsyncClient,
    )


# -- Receiving -----------------------------------------------------------------------------


def receiving_rows() -> None:
    assert_type(LOGIN, Endpoint[LoginRequest, LoginResult])
    assert_type(REGISTER_DEVICE, Endpoint[DeviceRequest, DeviceRegistration])
    assert_type(DOWNLOAD_MESSAGES, Endpoint[DownloadRequest, MessageList])
    assert_type(DELETE_THROUGH, Endpoint[DeleteThroughRequest, DeleteThroughResult])
    assert_type(ACKNOWLEDGE, Endpoint[AcknowledgeRequest, AcknowledgeResult])
    assert_type(LOGIN.status_errors, Mapping[int, type[APIError]])
    assert_type(LOGIN.credential.hint, str)
    assert_type(LOGIN.credential.missing(), str)
    assert_type(DEFAULT_PUSH_URL, Literal["wss://client.pushover.net/push"])


def receiving_requests() -> None:
    login = LoginRequest(email="a@b.co", password="pw", twofa="123456")
    assert_type(login.email, str)
    assert_type(login.password, str)
    assert_type(login.twofa, str | None)
    assert_type(DeviceRequest(name="desk").name, str)
    assert_type(DeviceRequest(name="desk").os, str)
    assert_type(DownloadRequest(device_id="d").device_id, str)
    delete = DeleteThroughRequest(device_id="d", message=3)
    assert_type(delete.device_id, str)
    assert_type(delete.message, int)
    assert_type(AcknowledgeRequest(receipt="r").receipt, str)


def receiving_results(
    login: LoginResult,
    registration: DeviceRegistration,
    listed: MessageList,
    message: ReceivedMessage,
    device: Device,
    deleted: DeleteThroughResult,
    acknowledged: AcknowledgeResult,
) -> None:
    assert_type(login.id, str)
    assert_type(login.secret, str)
    assert_type(registration.id, str)
    assert_type(listed.messages, tuple[ReceivedMessage, ...])
    assert_type(device.id, str)
    assert_type(device.name, str | None)
    assert_type(deleted.request, str)
    assert_type(acknowledged.request, str)
    assert_type(message.id, int)
    assert_type(message.umid, int | None)
    assert_type(message.message, str)
    assert_type(message.title, str | None)
    assert_type(message.app, str | None)
    assert_type(message.aid, int | None)
    assert_type(message.icon, str | None)
    assert_type(message.date, When | None)
    assert_type(message.queued_date, When | None)
    assert_type(message.dispatched_date, When | None)
    assert_type(message.priority, Priority)
    assert_type(message.sound, str | None)
    assert_type(message.url, str | None)
    assert_type(message.url_title, str | None)
    assert_type(message.acked, bool)
    assert_type(message.receipt, str | None)
    assert_type(message.html, bool)
    assert_type(message.encrypted, bool)
    assert_type(message.undecryptable, bool)


def open_client(client: OpenClient, session: Session, device: Device) -> None:
    assert_type(client.base_url, str)
    assert_type(client.push_url, str)
    assert_type(client.transport, Transport)
    assert_type(client.login("a@b.co", "pw", twofa=None), Session)
    assert_type(client.session("secret", "device"), Session)
    assert_type(client.close(), None)
    with OpenClient(base_url="https://api.pushover.net/1/") as entered:
        assert_type(entered, OpenClient)
    assert_type(session.client, OpenClient)
    assert_type(session.secret, str)
    assert_type(session.user, str | None)
    assert_type(session.device, Device | None)
    assert_type(
        session.call(LOGIN, LoginRequest(email="a@b.co", password="p")), LoginResult
    )
    assert_type(session.register_device("desk"), Device)
    assert_type(session.download(device, e2ee_key=None), list[ReceivedMessage])
    assert_type(session.download("device-id"), list[ReceivedMessage])
    assert_type(session.delete_through(device, 3), DeleteThroughResult)
    assert_type(session.acknowledge("r"), AcknowledgeResult)
    assert_type(client.max_download_size, int | None)
    assert_type(OpenClient(max_download_size=32 * 2**20), OpenClient)
    assert_type(DEFAULT_MAX_DOWNLOAD_SIZE, int)
    assert_type(chump_typed.DEFAULT_MAX_DOWNLOAD_SIZE, int)
    assert_type(DOWNLOAD_MESSAGES.max_response_size, int | None)

    def report(message: UndecodableMessage) -> None:  # an OnUndecodable
        assert_type(message.id, int | None)
        assert_type(message.fields, Mapping[str, str])
        assert_type(message.reason, str)

    assert_type(session.download(device, on_undecodable=report), list[ReceivedMessage])
    assert_type(session.listen(device, on_undecodable=report), Listener)
    callback: OnUndecodable = report
    assert_type(
        session.download(device, on_undecodable=callback), list[ReceivedMessage]
    )
    assert_type(chump_typed.UndecodableMessage, type[UndecodableMessage])


async def async_open_client(
    client: AsyncOpenClient, session: AsyncSession, device: Device
) -> None:
    assert_type(client.base_url, str)
    assert_type(client.push_url, str)
    assert_type(client.transport, AsyncTransport)
    assert_type(await client.login("a@b.co", "pw", twofa="1"), AsyncSession)
    assert_type(client.session("secret"), AsyncSession)
    assert_type(await client.aclose(), None)
    async with AsyncOpenClient() as entered:
        assert_type(entered, AsyncOpenClient)
    assert_type(session.client, AsyncOpenClient)
    assert_type(session.secret, str)
    assert_type(session.user, str | None)
    assert_type(session.device, Device | None)
    assert_type(
        await session.call(ACKNOWLEDGE, AcknowledgeRequest(receipt="r")),
        AcknowledgeResult,
    )
    assert_type(await session.register_device("desk"), Device)
    assert_type(await session.download(device), list[ReceivedMessage])
    assert_type(await session.delete_through(None, 3), DeleteThroughResult)
    assert_type(await session.acknowledge("r"), AcknowledgeResult)
    assert_type(client.max_download_size, int | None)
    assert_type(AsyncOpenClient(max_download_size=None), AsyncOpenClient)


def two_factor(error: TwoFactorRequired) -> None:
    assert_type(error.http_status, int | None)
    assert_type(error.id, str)
    caught: APIError = error  # a 412 is an APIError like any rejection
    assert_type(caught.errors, list[str])


def fake_receives(fake: FakePushover, device: ClientDevice) -> None:
    assert_type(fake.add_account("a@b.co", "pw", twofa=None), str)
    assert_type(fake.devices, Mapping[str, ClientDevice])
    assert_type(device.id, str)
    assert_type(device.user, str)
    assert_type(device.name, str)
    assert_type(device.secret, str)
    assert_type(device.queue, tuple[Mapping[str, object], ...])
    assert_type(device.pending, tuple[int, ...])
    assert_type(fake.queue_message(device.id, priority="urgent"), int)
    assert_type(fake.queue_backlog(device.id, 2000, size=1000), None)
    assert_type(fake.answer_push_logins("R"), None)
    assert_type(fake.answer_push_logins(None), None)


def realtime(
    session: Session, device: Device, fake: FakePushover, key: E2EEKey
) -> None:
    listener = session.listen(device, e2ee_key=key, silence=30.0, reconnect_wait=0.5)
    assert_type(listener, Listener)
    assert_type(next(listener), ReceivedMessage)
    assert_type(iter(listener), Listener)
    assert_type(listener.close(), None)
    with session.listen() as messages:
        assert_type(messages, Listener)
        for message in messages:
            assert_type(message, ReceivedMessage)
    assert_type(fake.push_url, str)
    assert_type(fake.push("R"), int)
    assert_type(fake.push(b"!", device_id="d"), int)
    assert_type(fake.drop_push(device_id=None), int)
    assert_type(fake.push_logins, int)
    assert_type(fake.push_connections, int)


async def async_realtime(session: AsyncSession, device: Device) -> None:
    listener = session.listen(device, silence=30.0)
    assert_type(listener, AsyncListener)
    assert_type(await listener.__anext__(), ReceivedMessage)
    assert_type(await listener.aclose(), None)
    async with session.listen() as messages:
        assert_type(messages, AsyncListener)
        async for message in messages:
            assert_type(message, ReceivedMessage)


def stream_errors(
    ended: PushStreamError,
    rejected: PushRejectedError,
    elsewhere: LoggedInElsewhereError,
) -> None:
    assert_type(str(ended), str)
    caught: PushStreamError = rejected
    also: PushStreamError = elsewhere
    assert_type(caught.args, tuple[Any, ...])
    assert_type(also.args, tuple[Any, ...])
