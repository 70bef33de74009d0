"""Parse ``/command sub option:value …`` lines against the bot's slash-command schemas.

An option starts only where one of that command's option names is followed by ``:``, so a value
may hold spaces and colons (``due:2030-12-01 18:00`` is one value). Quotes around a value are
optional and removed. Values are checked as the Discord client checks them before it sends an
interaction (required options, choices, ranges, lengths); a line the client would refuse raises
:class:`CommandLineError` with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
TYPE_NAMES = {
    STRING: "text",
    INTEGER: "whole number",
    BOOLEAN: "true/false",
    USER: "member",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "member or role",
    NUMBER: "number",
    ATTACHMENT: "file path",
}
_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


class CommandLineError(ValueError):
    """The line does not name a command, or the Discord client would not send it."""


@dataclass
class ParsedCommand:
    """A command line resolved against a schema: the path of names and raw option texts."""

    schema: dict[str, Any]
    path: list[str]
    leaf: dict[str, Any]
    raw_options: dict[str, str] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return "/" + " ".join(self.path)


def _strip_quotes(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def parse_command_line(line: str, schemas: list[dict[str, Any]]) -> ParsedCommand:
    """Split ``line`` into command path and raw option values, using the command schemas."""
    text = line.strip()
    if not text.startswith("/"):
        raise CommandLineError("a command starts with '/', e.g. /about")
    head, _, rest = text[1:].partition(" ")
    by_name = {schema["name"]: schema for schema in schemas if schema.get("type", 1) == 1}
    schema = by_name.get(head.lower())
    if schema is None:
        known = ", ".join("/" + name for name in sorted(by_name))
        raise CommandLineError(f"unknown command /{head}; commands: {known}")
    path, leaf = [schema["name"]], schema
    while True:
        subs = {
            o["name"]: o for o in leaf.get("options") or [] if o["type"] in (SUB_COMMAND, SUB_COMMAND_GROUP)
        }
        if not subs:
            break
        word, _, remainder = rest.strip().partition(" ")
        if word.lower() not in subs:
            choices = ", ".join(sorted(subs))
            raise CommandLineError(f"/{' '.join(path)} needs one of: {choices}")
        leaf = subs[word.lower()]
        path.append(leaf["name"])
        rest = remainder
    names = [option["name"] for option in leaf.get("options") or []]
    raw: dict[str, str] = {}
    rest = rest.strip()
    if rest:
        if not names:
            raise CommandLineError(f"{'/' + ' '.join(path)} takes no options")
        pattern = re.compile(r"(?:^|\s)(" + "|".join(re.escape(n) for n in names) + r"):", re.IGNORECASE)
        matches = list(pattern.finditer(rest))
        if not matches or rest[: matches[0].start()].strip():
            listed = ", ".join(f"{n}:" for n in names)
            raise CommandLineError(f"expected options as name:value; {'/' + ' '.join(path)} has {listed}")
        for index, match in enumerate(matches):
            end = matches[index + 1].start() if index + 1 < len(matches) else len(rest)
            name = match.group(1).lower()
            if name in raw:
                raise CommandLineError(f"option {name}: is given twice")
            raw[name] = _strip_quotes(rest[match.end() : end])
    return ParsedCommand(schema, path, leaf, raw)


def check_value(option: dict[str, Any], raw: str) -> Any:
    """Convert and check one option value as the Discord client does; resolvable types stay text."""
    kind, name = option["type"], option["name"]
    if option.get("choices"):
        for choice in option["choices"]:
            if raw.lower() in (str(choice["value"]).lower(), choice["name"].lower()):
                return choice["value"]
        allowed = ", ".join(str(choice["value"]) for choice in option["choices"])
        raise CommandLineError(f"{name}: must be one of {allowed}")
    if kind == STRING:
        low, high = option.get("min_length", 0), option.get("max_length", 6000)
        if not low <= len(raw) <= high:
            raise CommandLineError(f"{name}: must be {low} to {high} characters (got {len(raw)})")
        return raw
    if kind in (INTEGER, NUMBER):
        try:
            value: float | int = int(raw) if kind == INTEGER else float(raw)
        except ValueError:
            raise CommandLineError(f"{name}: must be a {TYPE_NAMES[kind]}, got {raw!r}") from None
        low, high = option.get("min_value"), option.get("max_value")
        if (low is not None and value < low) or (high is not None and value > high):
            raise CommandLineError(f"{name}: must be between {low} and {high}")
        return value
    if kind == BOOLEAN:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise CommandLineError(f"{name}: must be true or false")
    return raw


def required_missing(leaf: dict[str, Any], given: dict[str, str]) -> list[str]:
    """Names of required options that the line leaves out."""
    return [o["name"] for o in leaf.get("options") or [] if o.get("required") and o["name"] not in given]


def nest_options(path: list[str], options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wrap leaf options in their subcommand (group) objects, as Discord sends them."""
    nested = options
    for depth in range(len(path) - 1, 0, -1):
        kind = SUB_COMMAND if depth == len(path) - 1 else SUB_COMMAND_GROUP
        item: dict[str, Any] = {"type": kind, "name": path[depth]}
        if nested:  # Discord leaves "options" out of a subcommand that has none
            item["options"] = nested
        nested = [item]
    return nested
