"""Drive the bot with the largest inputs its commands accept, and press everything it shows.

Used by ``tests/test_double_maximal.py``: every slash command and subcommand with every option at
its maximum, then every button, select and form on the messages that came back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.db.demo_runs import DemoRunStore
from bot.local.commandline import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    SUB_COMMAND,
    SUB_COMMAND_GROUP,
    USER,
    ParsedCommand,
)
from bot.local.session import Exchange, LocalSession
from bot.local.store import StoredMessage

#: Member text at its worst for the limits: markdown that escaping doubles, mentions that must
#: not ping, long words, newlines.
PIECES = (
    "Transformers **learn** __patterns__ from `data`; ",
    "@everyone <@&1> <@1> *attention* ~~is~~ all you need! ",
    "Supercalifragilisticexpialidocious_tokenization\n",
    "> quoted || spoiler || [link](https://example.org) # heading ",
)


def filler(length: int, offset: int = 0, *, lines: bool = False) -> str:
    """Exactly ``length`` characters of troublesome member text (``offset`` varies it).

    ``lines``: with newlines, as a form's paragraph input allows (a slash-command option has none).
    """
    text = ""
    index = offset
    while len(text) < length:
        text += PIECES[index % len(PIECES)]
        index += 1
    if not lines:
        text = text.replace("\n", " ")
    cut = text[:length].rstrip()
    return cut + "x" * (length - len(cut))


def long_url(length: int, base: str = "https://example.org/") -> str:
    """A well-formed http(s) URL of exactly ``length`` characters."""
    return base + "p" * max(0, length - len(base))


@dataclass(frozen=True)
class Leaf:
    """One slash command or subcommand: its path of names and its options."""

    schema: dict[str, Any]
    path: tuple[str, ...]
    leaf: dict[str, Any]

    @property
    def display(self) -> str:
        return "/" + " ".join(self.path)

    @property
    def options(self) -> list[dict[str, Any]]:
        return list(self.leaf.get("options") or [])


def leaves(schemas: list[dict[str, Any]]) -> Iterator[Leaf]:
    """Every command and subcommand that can be run."""

    def walk(schema: dict[str, Any], node: dict[str, Any], path: tuple[str, ...]) -> Iterator[Leaf]:
        subs = [o for o in node.get("options") or [] if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)]
        if not subs:
            yield Leaf(schema, path, node)
        for sub in subs:
            yield from walk(schema, sub, (*path, sub["name"]))

    for schema in schemas:
        if schema.get("type", 1) == 1:
            yield from walk(schema, schema, (schema["name"],))


@dataclass
class Driver:
    """Runs commands and presses components as members, recording what was driven."""

    session: LocalSession
    members: list[str]
    upload_dir: Path
    driven: set[str] = field(default_factory=set)
    pressed: set[str] = field(default_factory=set)
    submitted: set[str] = field(default_factory=set)
    _turn: int = 0

    def next_member(self) -> str:
        """Members take turns (each has their own demo cooldown)."""
        self._turn += 1
        return self.members[self._turn % len(self.members)]

    async def suggestion(self, leaf: Leaf, option: dict[str, Any], user: str) -> str | None:
        """The bot's first autocomplete suggestion for ``option`` (None if it has none)."""
        parsed = ParsedCommand(leaf.schema, list(leaf.path), leaf.leaf, {})
        payload = self.session.payloads.autocomplete(
            parsed, option["name"], self.session.member(user), self.session.channel()
        )
        choices = (await self.session.send(payload)).choices
        return str(choices[0]["value"]) if choices else None

    async def maximal_value(self, leaf: Leaf, option: dict[str, Any], user: str) -> str | None:
        """The largest value a member could give ``option`` (as typed text), or None to leave it out."""
        kind = option["type"]
        if option.get("choices"):
            return str(option["choices"][-1]["value"])
        if option.get("autocomplete"):
            suggested = await self.suggestion(leaf, option, user)
            if suggested is not None:
                return suggested
        if kind == STRING:
            return filler(int(option.get("max_length", 100)), len(self.driven))
        if kind in (INTEGER, NUMBER):
            return str(option.get("max_value", 1))
        if kind == BOOLEAN:
            return "true"
        if kind in (USER, MENTIONABLE):
            return "Grace"
        if kind == CHANNEL:
            return "#general"
        if kind == ROLE:
            return "Moderator"
        if kind == ATTACHMENT:
            path = self.upload_dir / f"{option['name']}.txt"
            path.write_text(filler(6000))
            return str(path)
        return None

    async def run(
        self, leaf: Leaf, raw: dict[str, str], *, user: str | None = None, dm: bool = False
    ) -> Exchange:
        """Send ``leaf`` with ``raw`` option texts (as typed), in a guild channel or the bot's DM,
        and wait for the bot."""
        member = user or self.next_member()
        parsed = ParsedCommand(leaf.schema, list(leaf.path), leaf.leaf, raw)
        payload = self.session.payloads.command(
            parsed, self.session.member(member), self.session.channel(), in_guild=not dm
        )
        self.driven.add(leaf.display)
        return await self.session.send(payload)

    async def run_maximal(self, leaf: Leaf) -> Exchange:
        """``leaf`` with every option at its maximum."""
        user = self.next_member()
        raw: dict[str, str] = {}
        for option in leaf.options:
            value = await self.maximal_value(leaf, option, user)
            if value is not None:
                raw[option["name"]] = value
        exchange = await self.run(leaf, raw, user=user)
        if exchange.modal is not None:
            await self.submit_maximal(exchange)
        return exchange

    async def run_plain(self, leaf: Leaf) -> Exchange:
        """``leaf`` with its required options only, as a member picks them (the first suggestion,
        the first choice, the smallest number): the lists and panels everything else acts on."""
        user = self.next_member()
        raw: dict[str, str] = {}
        for option in leaf.options:
            if not option.get("required"):
                continue
            if option.get("choices"):
                raw[option["name"]] = str(option["choices"][0]["value"])
            elif option.get("autocomplete") and (suggested := await self.suggestion(leaf, option, user)):
                raw[option["name"]] = suggested
            elif option["type"] == STRING:
                raw[option["name"]] = "What does the attention mask do in a transformer model?"[
                    : int(option.get("max_length", 100))
                ]
            else:
                value = await self.maximal_value(leaf, option, user)
                if value is not None:
                    raw[option["name"]] = (
                        str(option.get("min_value", value)) if "min_value" in option else value
                    )
        exchange = await self.run(leaf, raw, user=user)
        if exchange.modal is not None:
            await self.submit_maximal(exchange)
        return exchange

    async def run_in_dm(self, leaf: Leaf) -> Exchange:
        """``leaf`` in the bot's DM, its required options at their maximum (no guild to suggest from)."""
        raw: dict[str, str] = {}
        for option in leaf.options:
            if option.get("required"):
                plain = {key: value for key, value in option.items() if key != "autocomplete"}
                value = await self.maximal_value(leaf, plain, "")
                if value is not None:
                    raw[option["name"]] = value
        return await self.run(leaf, raw, dm=True)

    async def run_each_option(self, leaf: Leaf) -> None:
        """For a command whose options are all optional: each option alone, at its maximum (some
        options exclude each other, e.g. ``family`` and ``task``)."""
        if any(option.get("required") for option in leaf.options):
            return
        for option in leaf.options:
            user = self.next_member()
            value = await self.maximal_value(leaf, option, user)
            if value is not None:
                exchange = await self.run(leaf, {option["name"]: value}, user=user)
                if exchange.modal is not None:
                    await self.submit_maximal(exchange)

    async def submit_maximal(self, opened: Exchange) -> Exchange:
        """Fill every text input of the form ``opened`` showed to its maximum, and submit."""
        modal = opened.modal
        assert modal is not None
        values: dict[str, str] = {}
        for row in modal.get("components") or []:
            for item in [row.get("component")] if row.get("type") == 18 else row.get("components") or []:
                if item and item.get("type") == 4:
                    size = int(item.get("max_length") or 4000)
                    values[item["custom_id"]] = filler(size, lines=item.get("style") == 2)
        message_id = (opened.state.payload.get("message") or {}).get("id")
        message = self.session.double.messages.get(int(message_id)) if message_id else None
        user = self.session.member(self.next_member())
        payload = self.session.payloads.modal_submit(modal, values, user, self.session.channel(), message)
        self.submitted.add(str(modal.get("title")))
        return await self.session.send(payload)

    async def press_everything(self, rounds: int = 3) -> None:
        """Press every kind of button, and choose in every kind of select, on the messages there
        are (and those the presses bring), each kind once where it is enabled."""
        for _ in range(rounds):
            before = len(self.pressed)
            for message in list(self.session.double.messages.values()):
                for item in [item for row in message.components for item in row.get("components") or []]:
                    await self._press(message, item)
            if len(self.pressed) == before:
                return

    async def _press(self, message: StoredMessage, item: dict[str, Any]) -> None:
        custom_id = str(item.get("custom_id"))
        if (
            message.deleted
            or item.get("disabled")
            or item.get("style") == 5
            or component_kind(custom_id) in self.pressed
        ):
            return
        if item["type"] not in (2, 3):
            return  # user/role/channel selects: the bot shows none
        if not any(c.get("custom_id") == custom_id for row in message.components for c in row["components"]):
            return  # the message changed since: this component is gone
        owner = (message.interaction_metadata or {}).get("user", {}).get("id")
        if message.ephemeral and owner:  # only the member who got it can press it
            user = self.session.double.world.users[int(owner)]
        else:
            user = self.session.member(self.next_member())
        values = None
        if item["type"] == 3:
            values = [option["value"] for option in item["options"][: item.get("max_values", 1)]]
        payload = self.session.payloads.component(message, custom_id, item["type"], user, values=values)
        self.pressed.add(component_kind(custom_id))
        exchange = await self.session.send(payload)
        if exchange.modal is not None:
            await self.submit_maximal(exchange)


def component_kind(custom_id: str) -> str:
    """A custom id with its numbers and stored demo calls' keys taken out: the kind of component."""
    parts = [
        "<key>" if not part.isdigit() and re.fullmatch(DemoRunStore.KEY_PATTERN, part) else part
        for part in custom_id.split(":")
    ]
    return re.sub(r"\d+", "#", ":".join(parts))


__all__ = ["Driver", "Leaf", "component_kind", "filler", "leaves", "long_url"]
