"""The whole API's public return types, as both strict checkers see them.

Type-checked by the repository-wide mypy --strict and pyright strict runs; never
imported or executed, so nothing here reaches the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from typing_extensions import assert_type

from chump_typed import (
    REMOVE_GROUP_USER,
    REMOVE_GROUP_USER_LEGACY,
    Application,
    Attachment,
    Client,
    GlanceResult,
    GlanceUpdate,
    GroupAddUserResult,
    GroupCreateResult,
    GroupDisableUserResult,
    GroupEnableUserResult,
    GroupInfo,
    GroupList,
    GroupRemoveUserRequest,
    GroupRemoveUserResult,
    GroupRenameResult,
    LicenseAssignResult,
    LicenseCredits,
    Message,
    Notification,
    SendResult,
    SubscriptionMigrateResult,
    TeamAddUserResult,
    TeamInfo,
    TeamRemoveUserResult,
    TeamRevokeInvitationResult,
)
from chump_typed.callbacks import AcknowledgementCallback, callback_app, parse_callback


def whole_api(client: Client, image: Path, file: BinaryIO) -> None:
    attachment = Attachment.from_path(image)
    assert_type(attachment, Attachment)
    assert_type(Attachment.from_file(file, filename="a.png"), Attachment)
    assert_type(attachment.base64(), str)
    note = Notification(user="u", message="m", attachment=attachment)
    assert_type(client.send(note), SendResult)

    assert_type(client.create_group("g"), GroupCreateResult)
    assert_type(client.list_groups(), GroupList)
    assert_type(client.group_info("g"), GroupInfo)
    assert_type(client.add_group_user("g", "u", memo="m"), GroupAddUserResult)
    assert_type(client.remove_group_user("g", "u"), GroupRemoveUserResult)
    assert_type(client.disable_group_user("g", "u"), GroupDisableUserResult)
    assert_type(client.enable_group_user("g", "u"), GroupEnableUserResult)
    assert_type(client.rename_group("g", "n"), GroupRenameResult)
    removal = GroupRemoveUserRequest(group="g", user="u")
    assert_type(client.call(REMOVE_GROUP_USER, removal), GroupRemoveUserResult)
    assert_type(client.call(REMOVE_GROUP_USER_LEGACY, removal), GroupRemoveUserResult)

    assert_type(client.update_glance(GlanceUpdate(user="u", percent=5)), GlanceResult)
    assert_type(client.migrate_subscription("s", "u"), SubscriptionMigrateResult)
    assert_type(client.assign_license(email="a@b.co", os="iOS"), LicenseAssignResult)
    assert_type(client.license_credits(), LicenseCredits)
    assert_type(client.license_credits().credits, int)

    teams = Client("t", team_token="team")
    assert_type(teams.add_team_user("a@b.co", admin=True), TeamAddUserResult)
    assert_type(teams.remove_team_user("a@b.co"), TeamRemoveUserResult)
    assert_type(teams.team_info(), TeamInfo)
    assert_type(teams.revoke_team_invitation("a@b.co"), TeamRevokeInvitationResult)


def facade(app: Application, image: Path, file: BinaryIO) -> None:
    user = app.get_user("u")
    assert_type(user.send_message("m", attachment=image), Message)
    assert_type(user.create_message("m", attachment=file), Message)
    assert_type(user.create_message("m", attachment=b"\x89PNG"), Message)
    message = user.create_message("m", attachment=str(image))
    assert_type(message.attachment, Attachment | None)


def callbacks() -> None:
    parsed = parse_callback(b"receipt=r")
    assert_type(parsed, AcknowledgementCallback)
    assert_type(parse_callback({"receipt": "r"}), AcknowledgementCallback)

    def handler(callback: AcknowledgementCallback) -> None:
        del callback

    callback_app(handler)
