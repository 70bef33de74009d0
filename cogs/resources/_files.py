"""Reading and writing resource lists as JSON or YAML files (pure functions)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import yaml

from bot.db.resources import Resource
from bot.errors import UserFacingError

FILE_FORMAT = "studybot-resources"
FILE_VERSION = 1
MAX_FILE_BYTES = 1024 * 1024
EXTENSIONS = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}


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


def _load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UserFacingError(
            f"That file is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."
        ) from None


def _load_yaml(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "it could not be read"
        raise UserFacingError(f"That file is not valid YAML{where}: {problem}.") from None


def parse_resource_file(filename: str, data: bytes) -> list[Any]:
    """The entries of an uploaded list: a top-level list, or an object with a ``resources`` list."""
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
    else:
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError:
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
        text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
        return f"resources-{stamp}.yaml", text.encode("utf-8")
    return f"resources-{stamp}.json", (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode(
        "utf-8"
    )


__all__ = ["MAX_FILE_BYTES", "export_resources", "file_kind", "parse_resource_file"]
