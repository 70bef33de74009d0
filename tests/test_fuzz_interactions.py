"""Every command, subcommand, autocomplete, button, select and form, sent forged payloads (issue 14).

Values come from each option's own declaration and from outside it (wrong types, out of range,
huge numbers, unknown choices, superscript digits, empty and over-long text, broken option
lists), as a member and as a moderator, from the local server, another server and the bot's DM;
then every kind of component the bot showed is pressed with garbage arguments, from the other
server and from a DM, and selects are sent values their menu does not offer; then every form is
submitted with fields over their length, empty or missing. For every interaction: the bot answers,
logs no ERROR, breaks no Discord rule (the double records breaches, the 3-second deadline
included), sends nothing whose ``allowed_mentions`` could ping, and shows nothing of the local
server's rows anywhere else. Hypothesis draws a fixed number of examples per command with a
derandomized search, so every run sends the same interactions.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock, utc
from bot.inference.pool import InferencePool
from bot.local.session import Exchange, LocalFailure, LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings
from tests.support.fuzz import (
    SECRET,
    CommandCase,
    Uploads,
    autocomplete_cases,
    command_cases,
    command_payload,
    draw,
    garbage_ids,
    placed,
)
from tests.support.maximal import Driver, Leaf, component_kind, leaves
from tests.support.sessions import clocked, setup_guild

#: Discord's real 3 s deadline for first responses (the other tests relax it: see conftest.py).
pytestmark = pytest.mark.discord_deadline

#: Examples per command (half as many autocompletes per command that completes anything).
EXAMPLES = 6
LIVE = utc(2031, 3, 20, 17, 10)  # ten minutes into the first session (Thursday 18:00 in Paris)
MENTION = re.compile(r"@everyone|@here|<@[!&]?\d+>")


@dataclass
class Fuzz:
    session: LocalSession
    driver: Driver
    uploads: Uploads
    sent: int = 0
    forms: dict[str, Exchange] = field(default_factory=dict)

    async def send(self, payload: dict[str, Any], what: str, *, away: bool) -> Exchange:
        """Send one forged interaction and check everything the issue asks of its answer."""
        try:
            exchange = await self.session.send(payload)
        except LocalFailure as failure:
            raise AssertionError(f"{what}: {failure}") from None
        self.sent += 1
        assert exchange.answered, f"{what}: the bot did not answer"
        for request in exchange.requests:
            problem = could_ping(request.method, request.json)
            assert problem is None, f"{what}: {problem} in {request.method} {request.path}"
        if away:
            shown = json.dumps([request.json for request in exchange.requests])
            shown += "".join(
                item.data.decode("utf-8", "replace") for r in exchange.requests for item in r.files
            )
            assert SECRET not in shown, f"{what}: the local server's rows were shown elsewhere: {shown[:300]}"
        if exchange.modal is not None:
            self.forms.setdefault(str(exchange.modal.get("title")), exchange)
        return exchange


def could_ping(method: str, body: Any) -> str | None:
    """Why a request that creates a message could ping someone (None if it cannot)."""
    if method != "POST" or not isinstance(body, dict):
        return None
    message = body.get("data") if "type" in body and isinstance(body.get("data"), dict) else body
    if body.get("type") not in (None, 4):  # only new messages ping (not edits, updates or modals)
        return None
    content = str(message.get("content") or "")
    found = MENTION.findall(content)
    if not found:
        return None
    allowed = message.get("allowed_mentions")
    if allowed is None:
        return f"mentions {found} with no allowed_mentions"
    parse = set(allowed.get("parse") or [])
    for mention in found:
        if mention in ("@everyone", "@here") and "everyone" in parse:
            return f"{mention} allowed"
        if mention.startswith("<@&") and ("roles" in parse or mention[3:-1] in (allowed.get("roles") or [])):
            return f"{mention} allowed"
        user = mention.strip("<@!>")
        if (
            mention.startswith("<@")
            and not mention.startswith("<@&")
            and ("users" in parse or user in [str(u) for u in allowed.get("users") or []])
        ):
            return f"{mention} allowed"
    return None


@pytest.fixture
async def fuzz(settings: Settings, shared_pool: InferencePool, tmp_path: Path) -> AsyncIterator[Fuzz]:
    async with clocked(settings, shared_pool) as (session, _clock):
        await setup_guild(session)
        await session.run("/config channel purpose:homework channel:#homework", moderator=True)
        driver = Driver(session, ["Grace", "Linus", "Ada"], tmp_path)
        yield Fuzz(session, driver, Uploads(tmp_path))
        assert session.double.breaches == []
        assert session.error_records == []


async def seed(session: LocalSession, clock: ManualClock) -> None:
    """Rows of every kind in the local server, each carrying :data:`SECRET`."""
    lines = [
        f"/homework post week:1 title:{SECRET} homework due:2031-06-30 18:00 description:{SECRET} notes",
        f"/resources add title:{SECRET} resource url:https://example.org/{SECRET} category:course "
        f"description:{SECRET} text tags:{SECRET}",
        f"/papers add title:{SECRET} paper url:https://example.org/paper theme:{SECRET}",
        f"/session schedule title:{SECRET} session weekday:Thursday time:18:00 duration:90 weeks:2 "
        f"link:https://meet.example.org/{SECRET}",
    ]
    for line in lines:
        assert (await session.run(line, moderator=True)).reply is not None
    await clock.set(LIVE)
    await session.run(f"/ask question:{SECRET} question", user="Grace")


def by_name(session: LocalSession) -> dict[str, Leaf]:
    return {leaf.display: leaf for leaf in leaves(session.schemas())}


async def fuzz_commands(fuzz: Fuzz, commands: dict[str, Leaf], places: tuple[str, ...]) -> None:
    for leaf in commands.values():
        cases: list[CommandCase] = draw(command_cases(leaf, places), EXAMPLES)
        if any(option.get("autocomplete") for option in leaf.options):
            cases += draw(autocomplete_cases(leaf), EXAMPLES // 2)
        for case in cases:
            payload = command_payload(fuzz.session, leaf, case, fuzz.uploads)
            await fuzz.send(payload, case.describe(), away=case.place != "home")


def components(messages: list[StoredMessage]) -> dict[str, tuple[StoredMessage, dict[str, Any]]]:
    """One component of each kind the bot shows (links excluded), with its message."""
    found: dict[str, tuple[StoredMessage, dict[str, Any]]] = {}
    for message in messages:
        for row in message.components:
            for item in row.get("components") or []:
                if item.get("type") in (2, 3) and item.get("style") != 5 and "custom_id" in item:
                    found.setdefault(component_kind(item["custom_id"]), (message, item))
    return found


def press_payload(
    fuzz: Fuzz,
    message: StoredMessage,
    item: dict[str, Any],
    custom_id: str,
    *,
    moderator: bool,
    values: Any = None,
    kind: int | None = None,
) -> dict[str, Any]:
    """A press of ``custom_id`` on ``message`` (the owner presses ephemeral ones). The message
    shows that one component, as a message the bot posted with such an id would."""
    owner = (message.interaction_metadata or {}).get("user", {}).get("id")
    world = fuzz.session.double.world
    user = (
        world.users[int(owner)] if message.ephemeral and owner else fuzz.session.member(moderator=moderator)
    )
    kind = kind or item["type"]
    payload = fuzz.session.payloads.component(message, item["custom_id"], kind, user)
    payload["data"]["custom_id"] = custom_id
    component: dict[str, Any] = {"type": kind, "custom_id": custom_id}
    if kind == 2:
        component |= {"style": 2, "label": "Pressed"}
    else:
        offered = item.get("options") or [{"label": "One", "value": "1"}]
        component |= {"options": offered, "min_values": 1, "max_values": 1}
    payload["message"]["components"] = [{"type": 1, "components": [component]}]
    if values is not None:
        payload["data"]["values"] = values
    return payload


async def fuzz_components(fuzz: Fuzz) -> None:
    session = fuzz.session
    shown = components(list(session.double.messages.values()))
    assert len(shown) >= 15, sorted(shown)  # the lists, panels and demos seeded buttons and selects
    for turn, (kind, (message, item)) in enumerate(sorted(shown.items())):
        custom_id = item["custom_id"]
        user = session.member(moderator=turn % 2 == 0)
        for place in ("other", "dm"):
            payload = placed(
                session, press_payload(fuzz, message, item, custom_id, moderator=turn % 2 == 0), user, place
            )
            await fuzz.send(payload, f"{kind} pressed from {place}", away=True)
        junk = list(garbage_ids(custom_id))
        for forged in junk[turn % 3 :: 3]:
            payload = press_payload(fuzz, message, item, forged, moderator=turn % 2 == 1)
            await fuzz.send(payload, f"{kind} forged as {forged!r}", away=False)
        if item["type"] == 3:
            offered = [option["value"] for option in item["options"]]
            for values in (["abc"], ["²"], ["-1"], [str(2**70)], [], offered * 2, [1], [None], "0"):
                payload = press_payload(fuzz, message, item, custom_id, moderator=True, values=values)
                await fuzz.send(payload, f"{kind} chosen with {values!r}", away=False)
            payload = press_payload(fuzz, message, item, custom_id, moderator=True, kind=2)
            await fuzz.send(payload, f"{kind} pressed as a button", away=False)
        else:
            payload = press_payload(fuzz, message, item, custom_id, moderator=True, values=["1"], kind=3)
            await fuzz.send(payload, f"{kind} chosen as a select", away=False)
    registry = session.bot.actions if session.bot is not None else None
    assert registry is not None
    message, item = next(iter(shown.values()))
    for turn, (feature, action) in enumerate(registry.registered()):
        for forged in list(garbage_ids(f"{feature.name}:{action.name}"))[turn % 4 :: 4]:
            payload = press_payload(fuzz, message, item, forged, moderator=turn % 2 == 0)
            await fuzz.send(payload, f"registered action forged as {forged!r}", away=False)
    for forged in ("gone:press:1", "not-ours", "", "x" * 101, "Homework:done:1"):  # no feature's
        payload = press_payload(fuzz, message, item, forged, moderator=False)
        await fuzz.send(payload, f"unknown id {forged!r}", away=False)


async def fuzz_forms(fuzz: Fuzz, commands: dict[str, Leaf]) -> None:
    session = fuzz.session
    for line in ("/homework post", "/resources add"):
        opened = await fuzz.driver.run(commands[line], {}, user="Ada")
        assert opened.modal is not None, line
        fuzz.forms.setdefault(str(opened.modal.get("title")), opened)
    assert len(fuzz.forms) >= 3, sorted(fuzz.forms)
    for title, opened in sorted(fuzz.forms.items()):
        modal = opened.modal
        assert modal is not None
        inputs = [
            inner
            for row in modal.get("components") or []
            for inner in ([row.get("component")] if row.get("type") == 18 else row.get("components") or [])
            if inner and inner.get("type") == 4
        ]
        owner = opened.state.payload.get("member", {}).get("user") or opened.state.payload.get("user")
        user = session.double.world.users[int(owner["id"])]
        message_id = (opened.state.payload.get("message") or {}).get("id")
        message = session.double.messages.get(int(message_id)) if message_id else None
        variants: list[tuple[str, dict[str, Any]]] = []
        for item in inputs:
            size = int(item.get("max_length") or 4000)
            variants.append((f"{item['custom_id']} over its length", {item["custom_id"]: "x" * (size + 1)}))
            if item.get("required", True):
                variants.append((f"{item['custom_id']} empty", {item["custom_id"]: ""}))
                variants.append((f"{item['custom_id']} missing", {item["custom_id"]: None}))
        for what, changed in variants:
            values = {item["custom_id"]: "1" for item in inputs} | changed
            payload = session.payloads.modal_submit(
                modal, {k: v for k, v in values.items() if v is not None}, user, session.channel(), message
            )
            if None in changed.values():
                drop = {key for key, value in changed.items() if value is None}
                for row in payload["data"]["components"]:
                    if row.get("type") == 18 and row["component"]["custom_id"] in drop:
                        row["component"].pop("value")
                    for inner in row.get("components") or []:
                        if inner["custom_id"] in drop:
                            inner.pop("value")
            await fuzz.send(payload, f"the form {title!r} with {what}", away=False)
        closed = session.payloads.modal_submit(
            {**modal, "custom_id": "closed-form"},
            {item["custom_id"]: "1" for item in inputs},
            user,
            session.channel(),
            message,
        )
        await fuzz.send(closed, f"the form {title!r} once closed", away=False)


async def test_forged_interactions_are_answered_with_a_sentence_and_leak_nothing(fuzz: Fuzz) -> None:
    session = fuzz.session
    clock = session.clock
    assert isinstance(clock, ManualClock)
    await seed(session, clock)
    commands = by_name(session)
    for display in ("/homework list", "/resources list", "/papers list", "/session list", "/session next"):
        await fuzz.driver.run_plain(commands[display])
    await session.run("/questions list", moderator=True)
    await session.run("/sentiment text:A calm sentence", user="Grace")
    await session.run("/attention text:The cat sat", user="Grace")
    await session.run("/architecture", user="Grace")
    await session.run("/status", moderator=True)
    await session.run(f"/resources search query:{SECRET}", user="Grace")
    await fuzz_components(fuzz)
    await fuzz_commands(fuzz, commands, ("other", "dm"))  # away first: the seeded rows are all there
    await fuzz_commands(fuzz, commands, ("home",))
    await fuzz_forms(fuzz, commands)
    assert fuzz.sent >= 600, fuzz.sent
    assert session.double.breaches == []
