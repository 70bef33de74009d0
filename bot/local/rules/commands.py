"""Application command sync (docs/interactions/application-commands):

- At most 100 chat-input (slash) commands, 5 user and 5 message commands per scope (global, or
  one guild); names unique per type.
- A slash command's or option's ``name`` matches ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$``
  and is lowercase (a user or message command's name is any 1 to 32 characters); a slash
  command's and every option's ``description`` is 1 to 100 characters (user and message commands
  have an empty description).
- At most 25 options per command, subcommand group or subcommand; required options come before
  optional ones; option names are unique at their level.
- A subcommand group holds only subcommands; a subcommand holds no subcommand or group.
- At most 25 ``choices``, each with a name of 1 to 100 characters and a string value of at most
  100; an option with ``autocomplete`` has no ``choices``.
- ``min_length`` is 0 to 6000 and ``max_length`` 1 to 6000.
- The combined characters of a command's name, description and every option's and choice's
  name, description and value are at most 8000.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from bot.local.rules._problems import Path, Problem, length_between, not_allowed

RULE = "command sync"
SUBCOMMAND, SUBCOMMAND_GROUP = 1, 2
CHAT_INPUT, USER, MESSAGE = 1, 2, 3
PER_TYPE_LIMIT = {CHAT_INPUT: 100, USER: 5, MESSAGE: 5}
OPTIONS_LIMIT = 25
CHOICES_LIMIT = 25
COMMAND_CHARACTERS = 8000
_NAME_CHARS = re.compile(r"^[-_'\w]{1,32}$")


def _name_ok(name: str) -> bool:
    """Letters and numbers of any script (Devanagari and Thai marks included), '-', '_' and "'"."""
    if not _NAME_CHARS.match(name):
        return (
            all(unicodedata.category(ch)[0] in "LNM" or ch in "-_'" for ch in name) and 1 <= len(name) <= 32
        )
    return True


def check_commands(commands: list[dict[str, Any]]) -> list[Problem]:
    """Breaches of a bulk-overwrite (PUT …/commands) body."""
    problems: list[Problem] = []
    counts: dict[int, int] = {}
    names: set[tuple[int, str]] = set()
    for index, command in enumerate(commands):
        kind = int(command.get("type") or CHAT_INPUT)
        counts[kind] = counts.get(kind, 0) + 1
        name = str(command.get("name") or "")
        if (kind, name) in names:
            problems.append(
                not_allowed(
                    RULE,
                    (index, "name"),
                    f"command name {name!r} is used twice",
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                )
            )
        names.add((kind, name))
        problems.extend(_check_command(command, kind, (index,)))
    for kind, count in counts.items():
        limit = PER_TYPE_LIMIT.get(kind, 0)
        if count > limit:
            problems.append(
                Problem(
                    RULE,
                    f"{count} commands of type {kind} (limit {limit})",
                    (),
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
            )
    return problems


def _check_command(command: dict[str, Any], kind: int, at: Path) -> Iterator[Problem]:
    name = str(command.get("name") or "")
    if kind == CHAT_INPUT:
        yield from _check_name(name, at, lowercase=True, what=f"command /{name}")
    else:  # user and message commands: any 1 to 32 characters, spaces and capitals included
        yield from length_between(RULE, (*at, "name"), f"command {name!r} name", name, 1, 32)
    description = command.get("description") or ""
    if kind == CHAT_INPUT:
        yield from length_between(RULE, (*at, "description"), f"/{name} description", description, 1, 100)
        yield from _check_options(command.get("options") or [], (*at, "options"), f"/{name}", parent=0)
    elif description:
        yield not_allowed(
            RULE, (*at, "description"), f"a user or message command ({name}) has no description"
        )
    total = _characters(command)
    if total > COMMAND_CHARACTERS:
        yield Problem(
            RULE,
            f"/{name} totals {total} characters (limit {COMMAND_CHARACTERS})",
            at,
            "APPLICATION_COMMAND_TOO_LARGE",
            f"Command exceeds maximum size ({COMMAND_CHARACTERS})",
        )


def _check_name(name: str, at: Path, *, lowercase: bool, what: str) -> Iterator[Problem]:
    if not _name_ok(name):
        yield not_allowed(
            RULE,
            (*at, "name"),
            f"{what}: name {name!r} does not match Discord's name pattern",
            "APPLICATION_COMMAND_INVALID_NAME",
        )
    elif lowercase and name != name.lower():
        yield not_allowed(
            RULE, (*at, "name"), f"{what}: name {name!r} is not lowercase", "APPLICATION_COMMAND_INVALID_NAME"
        )


def _check_options(options: list[dict[str, Any]], at: Path, where: str, parent: int) -> Iterator[Problem]:
    """``parent``: 0 for a command's own options, else the option type holding them."""
    if len(options) > OPTIONS_LIMIT:
        yield Problem(
            RULE,
            f"{where} has {len(options)} options (limit {OPTIONS_LIMIT})",
            at,
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {OPTIONS_LIMIT} or fewer in length.",
        )
    seen_optional = False
    names: set[str] = set()
    kinds = {option.get("type") in (SUBCOMMAND, SUBCOMMAND_GROUP) for option in options}
    if len(kinds) > 1:
        yield not_allowed(RULE, at, f"{where}: subcommands and plain options at the same level")
    if parent == SUBCOMMAND_GROUP and kinds != {True} and options:
        yield not_allowed(RULE, at, f"{where}: a subcommand group holds only subcommands")
    for index, option in enumerate(options):
        here = (*at, index)
        name = str(option.get("name") or "")
        label = f"{where} {name}"
        kind = option.get("type")
        yield from _check_name(name, here, lowercase=True, what=label)
        if name in names:
            yield not_allowed(
                RULE,
                (*here, "name"),
                f"{label}: option name used twice",
                "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME",
            )
        names.add(name)
        yield from length_between(
            RULE, (*here, "description"), f"{label} description", option.get("description"), 1, 100
        )
        if kind in (SUBCOMMAND, SUBCOMMAND_GROUP):
            if parent == SUBCOMMAND or (parent == SUBCOMMAND_GROUP and kind == SUBCOMMAND_GROUP):
                yield not_allowed(
                    RULE, (*here, "type"), f"{label}: a subcommand or group cannot be nested here"
                )
            yield from _check_options(option.get("options") or [], (*here, "options"), label, kind)
            continue
        if option.get("required"):
            if seen_optional:
                yield not_allowed(
                    RULE,
                    (*here, "required"),
                    f"{label}: a required option after an optional one",
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                )
        else:
            seen_optional = True
        yield from _check_choices(option, here, label)


def _check_choices(option: dict[str, Any], here: Path, label: str) -> Iterator[Problem]:
    choices = option.get("choices") or []
    if len(choices) > CHOICES_LIMIT:
        yield Problem(
            RULE,
            f"{label} has {len(choices)} choices (limit {CHOICES_LIMIT})",
            (*here, "choices"),
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {CHOICES_LIMIT} or fewer in length.",
        )
    if choices and option.get("autocomplete"):
        yield not_allowed(RULE, (*here, "autocomplete"), f"{label}: autocomplete and choices together")
    for number, choice in enumerate(choices):
        yield from length_between(
            RULE, (*here, "choices", number, "name"), f"{label} choice name", choice.get("name"), 1, 100
        )
        value = choice.get("value")
        if isinstance(value, str) and len(value) > 100:
            yield not_allowed(
                RULE, (*here, "choices", number, "value"), f"{label} choice value over 100 characters"
            )
    for key, low in (("min_length", 0), ("max_length", 1)):
        value = option.get(key)
        if value is not None and not low <= int(value) <= 6000:
            yield not_allowed(RULE, (*here, key), f"{label}: {key} {value} is not {low} to 6000")


def _characters(command: dict[str, Any]) -> int:
    total = len(str(command.get("name") or "")) + len(str(command.get("description") or ""))
    for option in command.get("options") or []:
        total += _characters(option)
        for choice in option.get("choices") or []:
            total += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
    return total


__all__ = ["check_commands"]
