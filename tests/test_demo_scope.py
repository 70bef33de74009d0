"""A demo's stored input stays with its server (and a DM demo's with its member) whatever id a
payload carries: buttons pressed — or forged — from another server or another member's DMs find
nothing, and new buttons name calls by unguessable keys (issue 14, "Leaks and trust")."""

from __future__ import annotations

import copy
import re
from typing import Any

from bot.local.session import Exchange, LocalSession
from bot.local.store import StoredMessage

#: A server the bot is also in (its payloads name a guild and channel the local world does not hold).
OTHER_GUILD = 1_200_000_000_000_000_001
OTHER_CHANNEL = 1_200_000_000_000_000_002
SECRET = "my private draft about the exam"
TOO_OLD_CODE = "This demo is too old: its code is no longer kept. Run the command again."
TOO_OLD_AGAIN = "This demo is too old to run again. Use the command instead."
TOO_OLD_MAP = "This attention map is too old to change. Run /attention again."
KEY = re.compile(r"[A-Za-z0-9_-]{20}")


def custom_ids(message: StoredMessage) -> dict[str, str]:
    """Label (or placeholder) → custom id of the message's components."""
    found = {}
    for row in message.components:
        for component in row["components"]:
            if "custom_id" in component:
                found[component.get("label") or component.get("placeholder")] = component["custom_id"]
    return found


def from_other_server(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` as the same member would send it from a message in another server."""
    forged = copy.deepcopy(payload)
    guild, channel = str(OTHER_GUILD), str(OTHER_CHANNEL)
    forged["guild_id"] = guild
    forged["guild"] = {"id": guild, "locale": "en-US", "features": []}
    forged["authorizing_integration_owners"] = {"0": guild}
    forged["channel_id"] = channel
    forged["channel"] = {**forged["channel"], "id": channel, "guild_id": guild}
    forged["message"]["channel_id"] = channel
    return forged


async def press(
    session: LocalSession,
    message: StoredMessage,
    custom_id: str,
    *,
    user: str = "Linus",
    dm: bool = False,
    other_server: bool = False,
    values: list[str] | None = None,
) -> Exchange:
    """Press ``custom_id`` as ``user``: on ``message``, in ``user``'s DMs, or from another server.

    The message carries only that component (as a message with a forged or old id would).
    """
    member = session.member(user)
    kind = 2 if values is None else 3
    payload = session.payloads.component(message, custom_id, kind, member, values=values)
    component: dict[str, Any] = {"type": kind, "custom_id": custom_id}
    if values is None:
        component |= {"style": 2, "label": "Pressed"}
    else:
        component |= {"options": [{"label": v, "value": v} for v in values], "min_values": 1, "max_values": 1}
    payload["message"]["components"] = [{"type": 1, "components": [component]}]
    if dm:
        payload = session.payloads.base(payload["type"], member, session.channel(), in_guild=False) | {
            "data": payload["data"],
            "message": {**payload["message"], "channel_id": None},
        }
        payload["message"]["channel_id"] = payload["channel_id"]
    if other_server:
        payload = from_other_server(payload)
    return await session.send(payload)


def answer(exchange: Exchange) -> StoredMessage:
    """The one message the bot sent for a press, which must be ephemeral."""
    (message,) = exchange.messages
    assert message.ephemeral, exchange.render()
    return message


async def test_new_buttons_name_calls_by_keys_that_do_not_count_up(session: LocalSession) -> None:
    first = await session.run("/generate prompt:One max_new_tokens:3 do_sample:true", user="Grace")
    second = await session.run("/generate prompt:Two max_new_tokens:3 do_sample:true", user="Linus")
    ids = [custom_ids(first.reply), custom_ids(second.reply)]
    keys = [ids[0]["Show code"].split(":")[2], ids[1]["Show code"].split(":")[2]]
    assert all(KEY.fullmatch(key) for key in keys) and keys[0] != keys[1]
    assert ids[0]["Run again"] == f"demo:again:{keys[0]}"


async def test_show_code_and_run_again_from_another_server_find_nothing(session: LocalSession) -> None:
    demo = await session.run(f"/sentiment text:{SECRET}", user="Grace")
    code_id = custom_ids(demo.reply)["Show code"]
    key = code_id.split(":")[2]
    for custom_id in (code_id, "demo:code:1"):  # the new key, and the old row-id form
        shown = answer(await press(session, demo.reply, custom_id, other_server=True))
        assert shown.content == TOO_OLD_CODE and SECRET not in shown.content
    for custom_id in (f"demo:again:{key}", "demo:again:1"):
        again = await press(session, demo.reply, custom_id, other_server=True)
        assert answer(again).content == TOO_OLD_AGAIN  # nothing public was posted
    at_home = await press(session, demo.reply, code_id, user="Linus")
    assert SECRET in answer(at_home).content  # the same button works on its own server


async def test_a_direct_messages_demo_is_only_found_in_its_members_dms(session: LocalSession) -> None:
    private = await session.run(f"/sentiment text:{SECRET}", user="Grace", dm=True)
    in_server = (await session.run("/sentiment text:A public demo", user="Linus")).reply
    code_id = custom_ids(private.reply)["Show code"]
    row_id = "demo:code:1"  # the first call stored: Grace's DM demo
    for custom_id in (code_id, row_id):
        for user in ("Linus", "Grace"):  # not even its own member, outside her DMs
            from_server = answer(await press(session, in_server, custom_id, user=user))
            assert from_server.content == TOO_OLD_CODE
        other_dm = answer(await press(session, private.reply, custom_id, user="Linus", dm=True))
        assert other_dm.content == TOO_OLD_CODE
        again = await press(session, in_server, "demo:again:1", user="Linus")
        assert answer(again).content == TOO_OLD_AGAIN
    own = answer(await press(session, private.reply, code_id, user="Grace", dm=True))
    assert SECRET in own.content


async def test_attention_controls_from_another_server_find_nothing(session: LocalSession) -> None:
    drawn = await session.run(f"/attention text:{SECRET}", user="Grace")
    ids = custom_ids(drawn.reply)
    key = ids["Show code"].split(":")[2]
    assert KEY.fullmatch(key)
    code = answer(await press(session, drawn.reply, ids["Show code"], user="Grace", other_server=True))
    assert code.content == TOO_OLD_MAP and SECRET not in code.content
    layer = await press(session, drawn.reply, ids["Layer"], user="Grace", other_server=True, values=["1"])
    assert answer(layer).content == TOO_OLD_MAP
    old_form = await press(session, drawn.reply, "attn:code:1:1:0", user="Grace", other_server=True)
    assert answer(old_form).content == TOO_OLD_MAP
    assert drawn.reply.embeds[0]["fields"][0]["value"].startswith("Layer 2 of 2")  # the map is unchanged
