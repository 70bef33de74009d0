"""Reading and writing resource lists as JSON or YAML files.

An imported file is untrusted: a few hundred bytes of nested YAML aliases expand to gigabytes
once built (``safe_load`` expands them, and ``str()`` walks the result), and deep nesting makes
the parsers recurse until ``RecursionError``. So a file is read within limits, each refused with a
sentence for the moderator: at most :data:`MAX_FILE_BYTES`, nesting at most :data:`MAX_DEPTH`
lists/objects deep, and no YAML anchors or aliases at all (an export never writes them).

The YAML limits are checked on the parser's event stream (libyaml's parser is a loop, not a
recursion, and an alias is an event) before anything is composed or built, so a refused file costs
one linear pass over at most a megabyte; JSON is parsed first (it has no aliases, and a nesting
deep enough to exhaust the recursion limit is refused as too deep) and then measured without
recursion. With those limits the work is bounded by the file size, so :func:`read_resource_file`
parses in a thread, off the event loop: a subprocess, which could be killed, is not needed.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import yaml

from bot.db.resources import Resource
from bot.errors import UserFacingError

FILE_FORMAT = "studybot-resources"
FILE_VERSION = 1
MAX_FILE_BYTES = 1024 * 1024
#: How many lists/objects deep a file may nest (an export nests four: file, list, entry, tags).
MAX_DEPTH = 20
EXTENSIONS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
TOO_DEEP = f"The file nests deeper than {MAX_DEPTH} levels (a resource list needs 4 at most)."
ALIASES = (
    "The file uses YAML aliases (&/*), which import does not accept: write each value out in full "
    "(as /resources export does)."
)
# libyaml's parser and loader where PyYAML was built with it (much faster); the pure-Python ones otherwise.
_YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def file_kind(filename: str) -> str | None:
    """``json`` or ``yaml`` from the file name's extension (None when it says neither)."""
    lowered = filename.lower()
    for extension, kind in EXTENSIONS.items():
        if lowered.endswith(extension):
            return kind
    return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserFacingError("That file is not UTF-8 text; export it again as JSON or YAML.") from None


def _children(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        yield from value.values()
    elif isinstance(value, list):
        yield from value


def nesting(value: Any) -> int:
    """How many lists/objects deep ``value`` nests (a scalar: 0), measured without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in _children(item))
    return deepest


class _NotJson(UserFacingError):
    """The text does not parse as JSON at all (a file without a telling extension may be YAML)."""


def _unreadable(kind: str, error: ValueError) -> UserFacingError:
    """A parsed value that Python refuses to build (too many digits, a date that does not exist)."""
    if "integer string conversion" in str(error):
        limit = sys.get_int_max_str_digits()
        return UserFacingError(f"That file holds a number too long to read (more than {limit:,} digits).")
    return UserFacingError(f"That file is not valid {kind}: {error}.")


def _load_json(text: str) -> Any:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise _NotJson(
            f"That file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from None
    except RecursionError:
        raise UserFacingError(TOO_DEEP) from None
    except ValueError as error:
        raise _unreadable("JSON", error) from None
    if nesting(loaded) > MAX_DEPTH:
        raise UserFacingError(TOO_DEEP)
    return loaded


def _check_yaml_events(text: str) -> None:
    """Refuse anchors, aliases and deep nesting from the parser's events, before anything is built."""
    depth = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise UserFacingError(ALIASES)
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise UserFacingError(TOO_DEEP)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _load_yaml(text: str) -> Any:
    try:
        _check_yaml_events(text)
        return yaml.load(text, Loader=_YAML_LOADER)  # a safe loader (no Python objects), checked above
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or "it could not be read"
        if "maximum nesting depth" in problem:  # libyaml's own limit (1,000), met while scanning ahead
            raise UserFacingError(TOO_DEEP) from None
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        raise UserFacingError(f"That file is not valid YAML{where}: {problem}.") from None
    except ValueError as error:
        raise _unreadable("YAML", error) from None


async def read_resource_file(filename: str, data: bytes) -> list[Any]:
    """:func:`parse_resource_file` in a thread, so that a large file never stalls the bot."""
    return await asyncio.to_thread(parse_resource_file, filename, data)


def parse_resource_file(filename: str, data: bytes) -> list[Any]:
    """The entries of an uploaded list: a top-level list, or an object with a ``resources`` list.

    Blocks for as long as parsing takes (about a second for a megabyte of YAML): the bot calls it
    through :func:`read_resource_file`.
    """
    if len(data) > MAX_FILE_BYTES:
        raise UserFacingError(
            f"That file is {len(data) // 1024} KB; the limit is {MAX_FILE_BYTES // 1024} KB."
        )
    text = _decode(data)
    if not text.strip():
        raise UserFacingError("That file is empty.")
    kind = file_kind(filename)
    if kind == "json":
        loaded = _load_json(text)
    elif kind == "yaml":
        loaded = _load_yaml(text)
    else:  # no telling extension: JSON if it parses as JSON, else YAML
        try:
            loaded = _load_json(text)
        except _NotJson:
            loaded = _load_yaml(text)
    if isinstance(loaded, dict) and "resources" in loaded:
        loaded = loaded["resources"]
    if not isinstance(loaded, list):
        raise UserFacingError(
            "That file should hold a list of resources (or an object with a `resources` list), "
            "each with title, url, category and optionally description and tags."
        )
    if not loaded:
        raise UserFacingError("That file lists no resources.")
    return loaded


class _ExportDumper(yaml.SafeDumper):
    """Writes every value out in full: an export never uses the anchors and aliases import refuses."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def export_resources(
    resources: Sequence[Resource], kind: str, *, guild_name: str, now: datetime
) -> tuple[str, bytes]:
    """The file name and bytes of an export that ``parse_resource_file`` reads back."""
    document = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "server": guild_name,
        "exported_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "resources": [item.as_export() for item in resources],
    }
    stamp = now.strftime("%Y%m%d-%H%M")
    if kind == "yaml":
        text = yaml.dump(document, Dumper=_ExportDumper, sort_keys=False, allow_unicode=True, width=100)
        return f"resources-{stamp}.yaml", text.encode("utf-8")
    return f"resources-{stamp}.json", (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )


__all__ = [
    "ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "TOO_DEEP",
    "export_resources",
    "file_kind",
    "nesting",
    "parse_resource_file",
    "read_resource_file",
]
