"""Every slash-command option checked on the server, against the declaration the command registers.

Discord's client checks options before it sends them, but what reaches the bot is only a payload:
an old client, a registration out of date or a forged request can send a value outside the range,
a text over its length, a choice that was never offered, a word where a number belongs, a member
or channel that is not in the interaction's resolved data, or an autocomplete with no focused
option. :func:`check_command_payload` reads the option declarations of the command being run, the
very dictionaries :meth:`discord.app_commands.Command.to_dict` syncs to Discord, and refuses any
value outside them with one sentence (:class:`InvalidOption`) before a transformer, a check or the
handler runs. :class:`bot.errors.StudyTree` calls it for every command and autocomplete.

Written here rather than taken from a library: the rules are Discord's option types and limits,
and the declarations are discord.py's; a schema library would need both translated by hand anyway.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import discord
from discord import app_commands

from bot.errors import OUT_OF_DATE, UserFacingError

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
#: Discord's range for integer and number options: -2^53 to 2^53 (exclusive).
SAFE_INTEGER = 2**53
#: The longest text Discord lets a member type in a string option (or an autocomplete).
STRING_LIMIT = 6000
#: A snowflake as Discord sends it: a decimal string below 2^64.
SNOWFLAKE = re.compile(r"[0-9]{1,20}")
SNOWFLAKE_LIMIT = 2**64
#: Where each kind of resolvable option finds its object in ``data.resolved``.
RESOLVED_IN: dict[int, tuple[str, ...]] = {
    USER: ("users",),
    CHANNEL: ("channels",),
    ROLE: ("roles",),
    MENTIONABLE: ("users", "roles"),
    ATTACHMENT: ("attachments",),
}
KIND_NAMES = {
    STRING: "text",
    INTEGER: "whole number",
    BOOLEAN: "true or false",
    USER: "member",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "member or role",
    NUMBER: "number",
    ATTACHMENT: "file",
}
#: At most this many choices are listed in a refusal.
CHOICES_SHOWN = 10


class InvalidOption(UserFacingError, app_commands.AppCommandError):
    """An option outside its command's declaration. An ``AppCommandError``, so the tree's error
    handler gets it unwrapped and says the sentence (logged at INFO, nothing else done)."""


class OutOfDateOption(InvalidOption):
    """Options that do not fit the command at all (unknown, of another type, a required one left
    out): the registration Discord holds is older than the bot."""

    def __init__(self) -> None:
        super().__init__(OUT_OF_DATE)


def payload_options(data: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The subcommand path after the command's name and the leaf's options, from ``data``.

    Raises :class:`InvalidOption` for a payload whose options are not shaped as Discord shapes
    them (so that discord.py's own walk over them cannot fail).
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("name"), str):
        raise InvalidOption("This command arrived without its name; try it again.")
    path: list[str] = []
    options = _option_list(data.get("options", []))
    while options and options[0]["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP):
        if len(options) != 1:
            raise OutOfDateOption()
        path.append(options[0]["name"])
        options = _option_list(options[0].get("options", []))
    return path, options


def _option_list(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or not all(
        isinstance(item, dict)
        and isinstance(item.get("name"), str)
        and type(item.get("type")) is int
        and isinstance(item.get("focused", False), bool)
        for item in raw
    ):
        raise InvalidOption("This command arrived with options I cannot read; try it again.")
    return raw


def declared_options(
    command: app_commands.Command[Any, ..., Any], tree: app_commands.CommandTree[Any]
) -> list[dict[str, Any]]:
    """The options ``command`` registers with Discord (what ``studybot sync`` sends)."""
    return list(command.to_dict(tree).get("options") or [])


def check_options(
    declared: Sequence[Mapping[str, Any]],
    options: Sequence[Mapping[str, Any]],
    resolved: Any,
    *,
    autocomplete: bool = False,
) -> None:
    """Refuse ``options`` (a leaf's, from the payload) unless each fits its declaration.

    For an autocomplete, exactly one option must be focused and declared with autocomplete; the
    focused value is whatever has been typed so far (any text up to Discord's limit), the others
    are checked as for a command, and required ones may still be missing.
    """
    by_name = {str(option["name"]): option for option in declared}
    seen: set[str] = set()
    for option in options:
        declaration = by_name.get(option["name"])
        if declaration is None or declaration["type"] != option["type"]:
            raise OutOfDateOption()
        if declaration["name"] in seen:
            raise InvalidOption(f"The option `{declaration['name']}` was sent twice; send it once.")
        seen.add(declaration["name"])
    if autocomplete:
        focused = [option for option in options if option.get("focused")]
        if len(focused) != 1 or not by_name[focused[0]["name"]].get("autocomplete"):
            raise InvalidOption("There is nothing to suggest for this.")
    else:
        if any(option.get("focused") for option in options):
            raise InvalidOption("This command arrived while an option was still being typed; send it again.")
        if any(option.get("required") and option["name"] not in seen for option in declared):
            raise OutOfDateOption()
    resolved_data = resolved if isinstance(resolved, Mapping) else {}
    for option in options:
        declaration = by_name[option["name"]]
        if "value" not in option:
            raise InvalidOption(f"The option `{option['name']}` arrived without a value; send it again.")
        if option.get("focused"):
            check_typed_so_far(declaration, option["value"])
        else:
            check_value(declaration, option["value"], resolved_data)


def check_typed_so_far(declaration: Mapping[str, Any], value: Any) -> None:
    """An autocomplete's focused value: text (numbers may arrive as numbers) up to Discord's limit."""
    name = declaration["name"]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidOption(f"What was typed in `{name}` cannot be read.")
    if isinstance(value, str) and len(value) > STRING_LIMIT:
        raise InvalidOption(f"What was typed in `{name}` is too long to suggest anything for.")


def check_value(declaration: Mapping[str, Any], value: Any, resolved: Mapping[str, Any]) -> None:
    """Refuse one option value outside its declaration (type, choices, range, length, resolved)."""
    kind, name = declaration["type"], declaration["name"]
    if kind == STRING:
        if not isinstance(value, str):
            raise InvalidOption(f"The option `{name}` must be text.")
        _check_choice(declaration, value)
        low = int(declaration.get("min_length", 0))
        high = int(declaration.get("max_length", STRING_LIMIT))
        if len(value) > high:
            raise InvalidOption(
                f"The option `{name}` is {len(value):,} characters long; the limit is {high:,}."
            )
        if len(value) < low:
            raise InvalidOption(
                f"The option `{name}` is empty."
                if not value
                else f"The option `{name}` must be at least {low:,} characters long."
            )
    elif kind in (INTEGER, NUMBER):
        _check_number(declaration, value)
    elif kind == BOOLEAN:
        if not isinstance(value, bool):
            raise InvalidOption(f"The option `{name}` must be true or false.")
    elif kind in RESOLVED_IN:
        _check_resolved(declaration, value, resolved)
    else:
        raise OutOfDateOption()


def _check_choice(declaration: Mapping[str, Any], value: Any) -> None:
    choices = declaration.get("choices") or []
    if choices and not any(
        value == choice["value"] and isinstance(value, str) == isinstance(choice["value"], str)
        for choice in choices
    ):
        names = ", ".join(str(choice["name"]) for choice in choices[:CHOICES_SHOWN])
        more = ", …" if len(choices) > CHOICES_SHOWN else ""
        raise InvalidOption(f"The option `{declaration['name']}` must be one of: {names}{more}.")


def _check_number(declaration: Mapping[str, Any], value: Any) -> None:
    kind, name = declaration["type"], declaration["name"]
    whole = kind == INTEGER
    if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
        raise InvalidOption(f"The option `{name}` must be a {KIND_NAMES[kind]}.")
    low, high = declaration.get("min_value"), declaration.get("max_value")
    if (isinstance(value, float) and not math.isfinite(value)) or not -SAFE_INTEGER < value < SAFE_INTEGER:
        raise InvalidOption(f"The option `{name}` must be a {KIND_NAMES[kind]}{_range(low, high)}.")
    _check_choice(declaration, value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidOption(f"The option `{name}` must be a {KIND_NAMES[kind]}{_range(low, high)}.")


def _check_resolved(declaration: Mapping[str, Any], value: Any, resolved: Mapping[str, Any]) -> None:
    kind, name = declaration["type"], declaration["name"]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidOption(f"The option `{name}` must be a {KIND_NAMES[kind]}.")
    key = str(value)
    if not SNOWFLAKE.fullmatch(key) or int(key) >= SNOWFLAKE_LIMIT:
        raise InvalidOption(f"The option `{name}` must be a {KIND_NAMES[kind]}.")
    found = None
    for area in RESOLVED_IN[kind]:
        table = resolved.get(area)
        if isinstance(table, Mapping) and isinstance(table.get(key), Mapping):
            found = table[key]
            break
    if found is None:
        raise InvalidOption(
            f"The option `{name}` must be a {KIND_NAMES[kind]} that Discord resolved; pick one again."
        )
    allowed = declaration.get("channel_types")
    if kind == CHANNEL and allowed and found.get("type") not in allowed:
        kinds = " or ".join(_channel_kind(value) for value in allowed)
        raise InvalidOption(f"The option `{name}` must be a {kinds} channel.")


def _channel_kind(value: int) -> str:
    try:
        return discord.ChannelType(value).name.replace("_", " ")
    except ValueError:
        return str(value)


def _range(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    if high is not None:
        return f" of at most {high}"
    return f" between {-SAFE_INTEGER + 1:,} and {SAFE_INTEGER - 1:,}"


def check_command_payload(tree: app_commands.CommandTree[Any], interaction: discord.Interaction[Any]) -> None:
    """Refuse a slash command or autocomplete whose options do not fit the command's declaration.

    Context-menu commands (no options) and commands the tree does not know are left to
    discord.py, which refuses the latter as out of date.
    """
    data: Any = interaction.data
    if not isinstance(data, Mapping) or data.get("type", 1) != 1:
        return
    try:
        payload_options(data)  # the shape first: the tree's own lookup walks it
    except InvalidOption:
        # discord.py's ``interaction.command`` would walk the same options (in the error handler
        # too) and fail on them: fill its cached slot, as the tree itself does.
        interaction._cs_command = None  # type: ignore[attr-defined]
        raise
    try:
        command, options = tree._get_app_command_options(data)  # type: ignore[arg-type]
    except app_commands.AppCommandError:
        raise OutOfDateOption() from None
    check_options(
        declared_options(command, tree),
        options,
        data.get("resolved"),
        autocomplete=interaction.type is discord.InteractionType.autocomplete,
    )


__all__ = [
    "InvalidOption",
    "OutOfDateOption",
    "check_command_payload",
    "check_options",
    "check_typed_so_far",
    "check_value",
    "declared_options",
    "payload_options",
]
