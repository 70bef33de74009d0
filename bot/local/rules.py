"""Discord's limits on what a bot sends, checked by the double on every request.

Each checker returns a list of breaches (plain sentences); an empty list means the payload is
valid. Limits are from Discord's API reference (messages, embeds, components, interactions).
"""

from __future__ import annotations

from typing import Any

INITIAL_RESPONSE_DEADLINE_S = 3.0
CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL = 6000
EMBED_FIELD_LIMIT = 25
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
CUSTOM_ID_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
SELECT_OPTIONS = 25
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME_LIMIT = 100
MODAL_TITLE_LIMIT = 45
MODAL_COMPONENTS = 5
TEXT_INPUT_LABEL_LIMIT = 45

BUTTON, SELECT_TYPES, TEXT_INPUT, LABEL = 2, {3, 5, 6, 7, 8}, 4, 18


def _embed_chars(embed: dict[str, Any]) -> int:
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for item in embed.get("fields") or []:
        total += len(item.get("name") or "") + len(item.get("value") or "")
    return total


def check_embed(embed: dict[str, Any], index: int) -> list[str]:
    """Breaches of one embed's limits."""
    breaches = []
    for key, limit in EMBED_LIMITS.items():
        if len(embed.get(key) or "") > limit:
            breaches.append(f"embed {index} {key} is {len(embed[key])} characters (limit {limit})")
    fields = embed.get("fields") or []
    if len(fields) > EMBED_FIELD_LIMIT:
        breaches.append(f"embed {index} has {len(fields)} fields (limit {EMBED_FIELD_LIMIT})")
    for number, item in enumerate(fields):
        name, value = item.get("name") or "", item.get("value") or ""
        if not name.strip() or not value.strip():
            breaches.append(f"embed {index} field {number} has an empty name or value")
        if len(name) > FIELD_NAME_LIMIT:
            breaches.append(f"embed {index} field {number} name is {len(name)} characters (limit 256)")
        if len(value) > FIELD_VALUE_LIMIT:
            breaches.append(f"embed {index} field {number} value is {len(value)} characters (limit 1024)")
    footer = (embed.get("footer") or {}).get("text") or ""
    if len(footer) > FOOTER_LIMIT:
        breaches.append(f"embed {index} footer is {len(footer)} characters (limit {FOOTER_LIMIT})")
    author = (embed.get("author") or {}).get("name") or ""
    if len(author) > AUTHOR_LIMIT:
        breaches.append(f"embed {index} author name is {len(author)} characters (limit {AUTHOR_LIMIT})")
    return breaches


def check_components(rows: list[dict[str, Any]]) -> list[str]:
    """Breaches of the message component limits (action rows, buttons, selects)."""
    breaches = []
    if len(rows) > ACTION_ROWS:
        breaches.append(f"{len(rows)} action rows (limit {ACTION_ROWS})")
    for number, row in enumerate(rows):
        if row.get("type") != 1:
            continue
        children = row.get("components") or []
        selects = [child for child in children if child.get("type") in SELECT_TYPES]
        if selects and len(children) > 1:
            breaches.append(f"action row {number} holds a select menu and other components")
        if len(children) > BUTTONS_PER_ROW:
            breaches.append(f"action row {number} has {len(children)} components (limit {BUTTONS_PER_ROW})")
        for child in children:
            custom_id = child.get("custom_id")
            if custom_id is not None and len(custom_id) > CUSTOM_ID_LIMIT:
                breaches.append(f"custom_id {custom_id[:30]!r}… is longer than {CUSTOM_ID_LIMIT}")
            if child.get("type") == BUTTON and len(child.get("label") or "") > BUTTON_LABEL_LIMIT:
                breaches.append(f"button label longer than {BUTTON_LABEL_LIMIT}")
            if child.get("type") in SELECT_TYPES and len(child.get("options") or []) > SELECT_OPTIONS:
                breaches.append(f"select menu with more than {SELECT_OPTIONS} options")
    return breaches


def check_message(payload: dict[str, Any]) -> list[str]:
    """Breaches of a message create/edit payload."""
    breaches = []
    content = payload.get("content") or ""
    if len(content) > CONTENT_LIMIT:
        breaches.append(f"message content is {len(content)} characters (limit {CONTENT_LIMIT})")
    embeds = payload.get("embeds") or []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        breaches.append(f"{len(embeds)} embeds in one message (limit {EMBEDS_PER_MESSAGE})")
    for index, embed in enumerate(embeds):
        breaches.extend(check_embed(embed, index))
    total = sum(_embed_chars(embed) for embed in embeds)
    if total > EMBED_TOTAL:
        breaches.append(f"embeds total {total} characters (limit {EMBED_TOTAL})")
    breaches.extend(check_components(payload.get("components") or []))
    return breaches


def check_autocomplete(payload: dict[str, Any]) -> list[str]:
    """Breaches of an autocomplete result."""
    choices = payload.get("choices") or []
    breaches = []
    if len(choices) > AUTOCOMPLETE_CHOICES:
        breaches.append(f"{len(choices)} autocomplete choices (limit {AUTOCOMPLETE_CHOICES})")
    for choice in choices:
        name = choice.get("name") or ""
        if not 1 <= len(name) <= CHOICE_NAME_LIMIT:
            breaches.append(f"autocomplete choice name of {len(name)} characters (1 to {CHOICE_NAME_LIMIT})")
        value = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_NAME_LIMIT:
            breaches.append(
                f"autocomplete choice value of {len(value)} characters (limit {CHOICE_NAME_LIMIT})"
            )
    return breaches


def check_modal(payload: dict[str, Any]) -> list[str]:
    """Breaches of a modal."""
    breaches = []
    title = payload.get("title") or ""
    if not 1 <= len(title) <= MODAL_TITLE_LIMIT:
        breaches.append(f"modal title of {len(title)} characters (1 to {MODAL_TITLE_LIMIT})")
    rows = payload.get("components") or []
    if len(rows) > MODAL_COMPONENTS:
        breaches.append(f"modal with {len(rows)} components (limit {MODAL_COMPONENTS})")
    for row in rows:
        label = row.get("label") if row.get("type") == LABEL else None
        inputs = [row["component"]] if row.get("type") == LABEL else row.get("components") or []
        for item in inputs:
            text = label if label is not None else item.get("label") or ""
            if item.get("type") == TEXT_INPUT and len(text) > TEXT_INPUT_LABEL_LIMIT:
                breaches.append(
                    f"text input label of {len(text)} characters (limit {TEXT_INPUT_LABEL_LIMIT})"
                )
    return breaches
