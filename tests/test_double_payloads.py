"""Interaction payloads shaped as Discord sends them, and the double's answers shaped as Discord's."""

from __future__ import annotations

from bot.local.server import COMPONENT, MODAL_SUBMIT
from bot.local.session import LocalSession
from bot.local.world import DM_PERMISSIONS, MANAGE_EVENTS


async def test_a_dm_interaction_has_the_dms_permissions_and_a_guild_installs_owner(
    session: LocalSession,
) -> None:
    payload = session.command_payload("/about", dm=True)
    assert payload["context"] == 1  # BOT_DM
    assert payload["authorizing_integration_owners"] == {"0": "0"}  # guild install, used in the bot's DM
    assert int(payload["app_permissions"]) == DM_PERMISSIONS
    assert not int(payload["app_permissions"]) & MANAGE_EVENTS  # not the guild's permissions
    assert "guild_id" not in payload and "member" not in payload and payload["user"]["id"]
    exchange = await session.send(payload)
    assert exchange.reply.content or exchange.reply.embeds


async def test_a_guild_interaction_names_its_guild_install(session: LocalSession) -> None:
    payload = session.command_payload("/about")
    world = session.double.world
    assert payload["context"] == 0
    assert payload["authorizing_integration_owners"] == {"0": str(world.guild_id)}
    assert int(payload["member"]["permissions"]) == session.member().permissions


async def test_a_command_without_options_has_no_options_key(session: LocalSession) -> None:
    assert "options" not in session.command_payload("/about")["data"]
    (sub,) = session.command_payload("/homework mine")["data"]["options"]
    assert sub == {"type": 1, "name": "mine"}  # a subcommand without options has none either
    assert session.command_payload("/homework list")["data"]["options"][0]["name"] == "list"


async def test_resolved_members_are_partial_and_channels_carry_the_invokers_permissions(
    session: LocalSession,
) -> None:
    share = session.command_payload("/resources share name:x to:Grace")
    resolved = share["data"]["resolved"]
    grace = session.member("Grace")
    member = resolved["members"][str(grace.id)]
    assert not {"user", "deaf", "mute"} & set(member) and member["flags"] == 0
    assert resolved["users"][str(grace.id)]["username"] == "grace"
    config = session.command_payload("/config channel purpose:sessions channel:#sessions", moderator=True)
    (channel,) = config["data"]["resolved"]["channels"].values()
    assert int(channel["permissions"]) == session.member(moderator=True).permissions


async def test_components_carry_discords_numeric_ids_both_ways(session: LocalSession) -> None:
    await session.run("/homework post week:1 title:Read chapter 1 due:2031-03-30 18:00", moderator=True)
    (announcement,) = [m for m in session.double.channel_messages(session.channel().id) if not m.ephemeral]
    buttons = [item for row in announcement.components for item in row["components"]]
    ids = [row["id"] for row in announcement.components] + [item["id"] for item in buttons]
    assert sorted(ids) == list(range(1, len(ids) + 1))  # numbered in order from 1
    payload = session.payloads.component(announcement, buttons[0]["custom_id"], 2, session.member())
    assert payload["type"] == COMPONENT and payload["data"]["id"] == buttons[0]["id"]
    clicked = await session.send(payload)
    # Messages that answer an interaction say so, as Discord's interaction_metadata.
    metadata = clicked.reply.to_json(session.double.world)["interaction_metadata"]
    assert metadata["type"] == COMPONENT and metadata["interacted_message_id"] == str(announcement.id)
    assert metadata["user"]["id"] == str(session.member().id)


async def test_a_modal_submit_carries_the_component_ids_discord_gave_the_modal(session: LocalSession) -> None:
    opened = await session.run("/homework post", moderator=True)
    modal = opened.modal
    assert modal is not None
    first = modal["components"][0]
    assert isinstance(first["id"], int)
    inner = first.get("component") or first["components"][0]
    payload = session.payloads.modal_submit(
        modal, {inner["custom_id"]: "x"}, session.member(), session.channel()
    )
    assert payload["type"] == MODAL_SUBMIT
    row = payload["data"]["components"][0]
    sent = row.get("component") or row["components"][0]
    assert row["id"] == first["id"] and sent["id"] == inner["id"]
