"""Forged interactions for the fuzz test: option values from each declaration and outside it,
component presses with garbage arguments, form submissions past their limits.

Values are drawn with hypothesis strategies built from the options the bot registers (the
schemas :func:`tests.support.maximal.leaves` walks). :func:`draw` collects a fixed number of
examples with a derandomized search, so a run sends the same interactions every time.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.local.commandline import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    USER,
    nest_options,
)
from bot.local.server import AUTOCOMPLETE, COMMAND
from bot.local.session import LocalSession
from bot.local.world import LocalUser
from tests.support.maximal import Leaf, filler

#: A server the bot is also in: its payloads name a guild and channel the local world does not hold.
OTHER_GUILD = 1_300_000_000_000_000_001
OTHER_CHANNEL = 1_300_000_000_000_000_002
#: Where an interaction comes from: the local server, another server, the bot's DM.
PLACES = ("home", "other", "dm")
#: Discord's integer range for options, and the largest integers a gateway payload can carry.
SAFE = 2**53
HUGE = (SAFE, -SAFE, 2**63 - 1, -(2**63), 2**64 - 1, 10**18)
#: Text that looks like a number to ``str.isdigit`` but is not one to ``int`` (and friends).
NUMBERISH = ("²", "#²", "1²", "٣", "¹²", "-1", "0", "#0", "99999999999999999999999", "1e5", " 7 ")
#: Values of the wrong JSON type for any option.
WRONG_TYPES = (None, [], {}, "abc", "", 1.5, True, False, 0, -1, ["1"], {"id": "1"})
#: A word only the local server's rows hold (the leak check looks for it in other places' answers).
SECRET = "Zanzibar-7f3c"

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@dataclass(frozen=True)
class Resolve:
    """A resolvable option's value as a member picks it (a name), resolved by the payload factory."""

    text: str


@dataclass(frozen=True)
class CommandCase:
    """One slash command to send: where from, as whom, its options and what is wrong with them."""

    leaf: str
    place: str
    moderator: bool
    values: tuple[tuple[str, Any], ...]
    #: None, or how the option list itself is broken (see :data:`MUTATIONS`).
    mutation: str | None = None
    #: Autocomplete: the focused option's name ("" for none, "*" for all of them).
    focused: str | None = None

    def describe(self) -> str:
        shown = {name: (value.text if isinstance(value, Resolve) else value) for name, value in self.values}
        text = json.dumps(shown, default=repr)[:400]
        kind = f"autocomplete of {self.focused!r}" if self.focused is not None else "command"
        who = "moderator" if self.moderator else "member"
        return f"{self.leaf} ({kind}, {self.place}, {who}, mutation={self.mutation}): {text}"


MUTATIONS = ("drop-required", "unknown-option", "duplicate", "retype", "focused", "no-value")


def resolvable_texts(kind: int) -> tuple[str, ...]:
    """Names the local world resolves for an option of ``kind``."""
    return {
        USER: ("Grace", "Ada"),
        MENTIONABLE: ("Grace", "Moderator"),
        CHANNEL: ("#general", "#homework", "#sessions"),
        ROLE: ("Moderator",),
        ATTACHMENT: ("upload.txt",),
    }[kind]


def inside(option: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values the option's declaration allows."""
    kind = option["type"]
    if option.get("choices"):
        return st.sampled_from([choice["value"] for choice in option["choices"]])
    if kind == STRING:
        low, high = int(option.get("min_length", 0)), int(option.get("max_length", 6000))
        typed = TEXT.filter(lambda text: low <= len(text) <= high)
        return st.one_of(
            typed,
            st.sampled_from([text for text in NUMBERISH if low <= len(text) <= high] or ["x" * max(low, 1)]),
            st.just(filler(high)),
        )
    if kind == INTEGER:
        return st.integers(option.get("min_value", -SAFE + 1), option.get("max_value", SAFE - 1))
    if kind == NUMBER:
        return st.floats(
            option.get("min_value", -1e15),
            option.get("max_value", 1e15),
            allow_nan=False,
            allow_infinity=False,
        )
    if kind == BOOLEAN:
        return st.booleans()
    return st.sampled_from([Resolve(text) for text in resolvable_texts(kind)])


def outside(option: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values the declaration refuses: wrong types, out of range, huge, unknown choices, over-long."""
    kind = option["type"]
    wrong = [value for value in WRONG_TYPES if not _fits_type(kind, value)]
    extra: list[Any] = []
    if option.get("choices"):
        extra += ["zzz-not-a-choice", 987654, "²"]
    if kind == STRING:
        low, high = int(option.get("min_length", 0)), int(option.get("max_length", 6000))
        extra.append("x" * (high + 1))
        extra.append(filler(min(high + 50, 6100)))
        if low > 0:
            extra.append("")
    if kind in (INTEGER, NUMBER):
        low, high = option.get("min_value"), option.get("max_value")
        extra += list(HUGE)
        if low is not None:
            extra += [low - 1, low - 0.5] if kind == NUMBER else [low - 1]
        if high is not None:
            extra += [high + 1, high + 0.5] if kind == NUMBER else [high + 1]
        extra += ["12", "²", 1e300] if kind == NUMBER else ["12", "²", 2.5]
    if kind in (USER, MENTIONABLE, CHANNEL, ROLE, ATTACHMENT):
        extra += ["123", "1" * 25, "²", "-5", str(OTHER_CHANNEL)]
    return st.sampled_from(wrong + extra)


def _fits_type(kind: int, value: Any) -> bool:
    if kind == STRING:
        return isinstance(value, str)
    if kind == INTEGER:
        return type(value) is int
    if kind == NUMBER:
        return type(value) in (int, float)
    if kind == BOOLEAN:
        return type(value) is bool
    return isinstance(value, str) and value.isdecimal()


@st.composite
def command_cases(draw: st.DrawFn, leaf: Leaf, places: tuple[str, ...] = PLACES) -> CommandCase:
    """A slash command for ``leaf``: every option from its declaration but (often) one outside it."""
    options = leaf.options
    names = [option["name"] for option in options]
    bad = draw(st.one_of(st.none(), st.sampled_from(names))) if names else None
    values: list[tuple[str, Any]] = []
    for option in options:
        if option["name"] == bad:
            values.append((option["name"], draw(outside(option))))
        elif option.get("required") or draw(st.booleans()):
            values.append((option["name"], draw(inside(option))))
    mutation = draw(st.one_of(st.none(), st.none(), st.sampled_from(MUTATIONS)))
    return CommandCase(
        leaf.display, draw(st.sampled_from(places)), draw(st.booleans()), tuple(values), mutation
    )


@st.composite
def autocomplete_cases(draw: st.DrawFn, leaf: Leaf) -> CommandCase:
    """An autocomplete for ``leaf``: one focused option (or none, or all) with whatever is typed."""
    completing = [option["name"] for option in leaf.options if option.get("autocomplete")]
    focused = draw(st.sampled_from([*completing, "", "*"]))
    values: list[tuple[str, Any]] = []
    for option in leaf.options:
        if option["name"] == focused:
            typed = st.one_of(TEXT, st.sampled_from([*NUMBERISH, "x" * 6001, 12, None, [], 1.5]))
            values.append((option["name"], draw(typed)))
        elif draw(st.booleans()):
            values.append((option["name"], draw(st.one_of(inside(option), outside(option)))))
    place = draw(st.sampled_from(PLACES))
    return CommandCase(leaf.display, place, draw(st.booleans()), tuple(values), None, focused)


def draw(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """``count`` examples of ``strategy``, the same ones on every run (a derandomized search).

    The interactions are sent afterwards, on the test's event loop: hypothesis only generates.
    """
    found: list[Any] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: Any) -> None:
        found.append(example)

    collect()
    return found


# --- payloads ---------------------------------------------------------------------------------


def from_other_server(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` as the same member would send it from another server the bot is in."""
    forged = copy.deepcopy(payload)
    guild, channel = str(OTHER_GUILD), str(OTHER_CHANNEL)
    forged["guild_id"] = guild
    forged["guild"] = {"id": guild, "locale": "en-US", "features": []}
    forged["authorizing_integration_owners"] = {"0": guild}
    forged["channel_id"] = channel
    forged["channel"] = {**forged["channel"], "id": channel, "guild_id": guild}
    if "message" in forged:
        forged["message"]["channel_id"] = channel
    return forged


def placed(session: LocalSession, payload: dict[str, Any], user: LocalUser, place: str) -> dict[str, Any]:
    """``payload`` (built in the local server) sent from ``place`` instead."""
    if place == "other":
        return from_other_server(payload)
    if place == "dm":
        moved = session.payloads.base(payload["type"], user, session.channel(), in_guild=False)
        moved["data"] = payload["data"]
        if "message" in payload:
            moved["message"] = {**payload["message"], "channel_id": moved["channel_id"]}
        return moved
    return payload


@dataclass
class Uploads:
    """Files that attachment options point at."""

    folder: Any
    paths: dict[str, str] = field(default_factory=dict)

    def path(self, name: str) -> str:
        if name not in self.paths:
            target = self.folder / name
            target.write_text(f"{SECRET}-free text for a file option\n" + filler(3000, lines=True))
            self.paths[name] = str(target)
        return self.paths[name]


def command_payload(session: LocalSession, leaf: Leaf, case: CommandCase, uploads: Uploads) -> dict[str, Any]:
    """The INTERACTION_CREATE payload for ``case``, values put in as they are (no client checks)."""
    user = session.member(moderator=case.moderator)
    declared = {option["name"]: option for option in leaf.options}
    resolved: dict[str, dict[str, Any]] = {}
    options: list[dict[str, Any]] = []
    for name, value in case.values:
        option = declared[name]
        if isinstance(value, Resolve):
            text = uploads.path(value.text) if option["type"] == ATTACHMENT else value.text
            value = session.payloads._resolve(option, text, resolved, user)
        item: dict[str, Any] = {"name": name, "type": option["type"], "value": value}
        if case.focused in (name, "*"):
            item["focused"] = True
        options.append(item)
    options = mutate(options, leaf, case.mutation)
    kind = AUTOCOMPLETE if case.focused is not None else COMMAND
    payload = session.payloads.base(kind, user, session.channel(), in_guild=True)
    data: dict[str, Any] = {"id": str(leaf.schema.get("id") or 1), "name": leaf.schema["name"], "type": 1}
    nested = nest_options(list(leaf.path), options)
    if nested or len(leaf.path) > 1:
        data["options"] = nested
    if resolved:
        data["resolved"] = resolved
    payload["data"] = data
    return placed(session, payload, user, case.place)


def mutate(options: list[dict[str, Any]], leaf: Leaf, mutation: str | None) -> list[dict[str, Any]]:
    """The option list broken as ``mutation`` says (unchanged when there is nothing to break)."""
    options = [dict(option) for option in options]
    if mutation == "drop-required":
        required = {option["name"] for option in leaf.options if option.get("required")}
        return [option for option in options if option["name"] not in required] or options
    if mutation == "unknown-option":
        return [*options, {"name": "zz_unknown", "type": STRING, "value": "x"}]
    if mutation == "duplicate" and options:
        return [*options, dict(options[0])]
    if mutation == "retype" and options:
        options[0]["type"] = STRING if options[0]["type"] != STRING else INTEGER
    if mutation == "focused" and options:
        options[-1]["focused"] = True
    if mutation == "no-value" and options:
        options[0].pop("value", None)
    return options


# --- components and forms ---------------------------------------------------------------------


def garbage_ids(custom_id: str) -> Iterator[str]:
    """``custom_id`` with its arguments replaced by garbage (its feature and action kept)."""
    feature, action, *args = custom_id.split(":")
    head = f"{feature}:{action}"
    yield head
    for junk in ("²", "x", "-1", "99999999999999999999", "9223372036854775808", "0", ":", "%s", "a" * 120):
        yield f"{head}:{junk}"
        if args:
            yield ":".join([head, *([junk] * len(args))])
    if args:
        yield ":".join([head, *args, "extra"])
        yield ":".join([head, *args[:-1]])


__all__ = [
    "OTHER_GUILD",
    "PLACES",
    "SECRET",
    "CommandCase",
    "Resolve",
    "Uploads",
    "autocomplete_cases",
    "command_cases",
    "command_payload",
    "draw",
    "from_other_server",
    "garbage_ids",
    "inside",
    "outside",
    "placed",
]
