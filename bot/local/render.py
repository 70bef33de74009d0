"""Render the messages the bot sent as readable text for the console and ``studybot try``."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bot.local.store import StoredMessage

_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_BUTTON_STYLES = {5: "link"}


def _timestamp(match: re.Match[str]) -> str:
    moment = datetime.fromtimestamp(int(match.group(1)), UTC)
    style = match.group(2) or "f"
    if style == "R":
        seconds = int((moment - datetime.now(UTC)).total_seconds())
        return _relative(seconds)
    formats = {
        "t": "%H:%M",
        "T": "%H:%M:%S",
        "d": "%Y-%m-%d",
        "D": "%d %B %Y",
        "f": "%d %B %Y %H:%M",
        "F": "%A, %d %B %Y %H:%M",
    }
    return moment.strftime(formats[style]) + " UTC"


def _relative(seconds: int) -> str:
    if abs(seconds) < 5:
        return "just now"
    future = seconds > 0
    amount = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if amount >= size or unit == "second":
            count = amount // size
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "now"


def discord_text(text: str) -> str:
    """Show Discord markup as a reader sees it (timestamps become dates)."""
    return _TIMESTAMP.sub(_timestamp, text)


def _indent(text: str, prefix: str = "│ ") -> list[str]:
    return [prefix + line for line in discord_text(text).splitlines() or [""]]


def render_embed(embed: dict[str, Any]) -> list[str]:
    """One embed as a box of text lines."""
    lines = []
    author = (embed.get("author") or {}).get("name")
    if author:
        lines.append(f"╭ {author}")
    title = embed.get("title")
    header = f"╭ {title}" if title else "╭"
    if embed.get("url"):
        header += f" <{embed['url']}>"
    lines.append(header)
    if embed.get("description"):
        lines.extend(_indent(embed["description"]))
    for item in embed.get("fields") or []:
        lines.append(f"│ ▸ {discord_text(item.get('name', ''))}")
        lines.extend(_indent(item.get("value", ""), "│   "))
    if (embed.get("image") or {}).get("url"):
        lines.append(f"│ [image: {embed['image']['url']}]")
    footer = (embed.get("footer") or {}).get("text")
    lines.append(f"╰ {discord_text(footer)}" if footer else "╰")
    return lines


def _component_label(item: dict[str, Any]) -> str:
    kind = item.get("type")
    if kind == 2:
        label = item.get("label") or (item.get("emoji") or {}).get("name") or "?"
        suffix = " ↗" if item.get("style") == 5 else ""
        disabled = " (disabled)" if item.get("disabled") else ""
        return f"[{label}{suffix}{disabled}]"
    if kind in (3, 5, 6, 7, 8):
        options = ", ".join(option.get("label", "") for option in item.get("options") or [])
        placeholder = item.get("placeholder") or "select"
        return f"[▾ {placeholder}{': ' + options if options else ''}]"
    return f"[component {kind}]"


def render_components(rows: list[dict[str, Any]]) -> list[str]:
    """Buttons and select menus, one line per action row."""
    lines = []
    for row in rows:
        children = row.get("components") or []
        if children:
            lines.append(" ".join(_component_label(child) for child in children))
    return lines


def render_message(message: StoredMessage) -> str:
    """A message with its embeds, components and attachments."""
    header = "studybot"
    if message.ephemeral:
        header += " (only you can see this)"
    if message.reference_id:
        header += " (reply)"
    if message.deleted:
        header += " (deleted)"
    lines = [header + ":"]
    if message.content:
        lines.extend("  " + line for line in discord_text(message.content).splitlines())
    for embed in message.embeds:
        lines.extend("  " + line for line in render_embed(embed))
    lines.extend("  " + line for line in render_components(message.components))
    for attachment in message.attachments:
        lines.append(f"  📎 {attachment['filename']} ({attachment.get('size', 0)} bytes)")
    return "\n".join(lines)


def render_modal(modal: dict[str, Any]) -> str:
    """A modal the bot opened, with its text inputs."""
    lines = [f"studybot opened a form: {modal.get('title', '')}"]
    for row in modal.get("components") or []:
        items = [row] if row.get("type") == 18 else row.get("components") or []
        for item in items:
            inner = item.get("component", item)
            label = item.get("label") or inner.get("label") or inner.get("custom_id")
            required = "" if inner.get("required", True) else " (optional)"
            lines.append(f"  ▸ {label}{required}")
    return "\n".join(lines)


def render_choices(choices: list[dict[str, Any]]) -> str:
    """Autocomplete suggestions."""
    if not choices:
        return "(no suggestions)"
    return "\n".join(f"  • {choice['name']}" for choice in choices)
