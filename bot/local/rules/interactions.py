"""Interaction callbacks: which answer fits which interaction, autocomplete results, modals.

Rules from Discord's "Receiving and Responding" and component references:

- An interaction gets one initial response, within 3 seconds; a second one is refused with 40060
  "Interaction has already been acknowledged".
- Callback types per interaction type: a command (2) may get CHANNEL_MESSAGE_WITH_SOURCE (4),
  DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE (5) or MODAL (9); a component (3) also DEFERRED_UPDATE_MESSAGE
  (6) and UPDATE_MESSAGE (7); an autocomplete interaction (4) only APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
  (8); a modal submit (5) gets 4 or 5, and 6 or 7 only when the modal was opened from a component on
  a message; a modal cannot answer a modal submit or an autocomplete interaction.
- Interaction tokens are valid for 15 minutes: followups and edits after that are refused.
- Autocomplete: at most 25 choices; a choice's name is 1 to 100 characters, a string value at most 100.
- A modal has a title of 1 to 45 characters, a ``custom_id`` of 1 to 100, and 1 to 5 components:
  an action row holding exactly one text input, or a label (type 18) wrapping one component.
  A text input has a ``custom_id`` (1 to 100, unique in the modal), style 1 (short) or 2
  (paragraph), a label of 1 to 45 characters (on the label component when wrapped, whose
  description is at most 100), ``min_length`` 0 to 4000, ``max_length`` 1 to 4000, ``min_length`` ≤
  ``max_length``, a ``value`` no longer than ``max_length`` (at most 4000) and a ``placeholder`` of at
  most 100 characters.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from bot.local.rules._problems import Path, Problem, is_int, length_between, not_allowed, required, too_long

INITIAL_RESPONSE_DEADLINE_S = 3.0
TOKEN_LIFETIME = timedelta(minutes=15)

# Interaction callback types.
PONG, MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, AUTOCOMPLETE_RESULT, MODAL = 1, 4, 5, 6, 7, 8, 9
# Interaction types.
COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5

AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME_LIMIT = 100
MODAL_TITLE_LIMIT = 45
MODAL_COMPONENTS = 5
CUSTOM_ID_LIMIT = 100
TEXT_INPUT_LABEL_LIMIT = 45
LABEL_DESCRIPTION_LIMIT = 100
TEXT_INPUT_LENGTH = 4000
TEXT_INPUT_PLACEHOLDER_LIMIT = 100
ACTION_ROW, TEXT_INPUT, LABEL = 1, 4, 18
MODAL_SELECT_TYPES = {3, 5, 6, 7, 8}


def allowed_callbacks(kind: int, from_message: bool) -> set[int]:
    """The callback types Discord accepts for an interaction of type ``kind``."""
    if kind == COMMAND:
        return {MESSAGE, DEFERRED_MESSAGE, MODAL}
    if kind == COMPONENT:
        return {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, MODAL}
    if kind == AUTOCOMPLETE:
        return {AUTOCOMPLETE_RESULT}
    if kind == MODAL_SUBMIT:
        return {MESSAGE, DEFERRED_MESSAGE} | ({DEFERRED_UPDATE, UPDATE} if from_message else set())
    return set()


def check_callback_type(callback: Any, kind: int, from_message: bool) -> list[Problem]:
    """A callback ``type`` that does not answer an interaction of type ``kind``."""
    if is_int(callback) and callback in allowed_callbacks(kind, from_message):  # not 4.0 or true
        return []
    origin = " opened from a slash command" if kind == MODAL_SUBMIT and not from_message else ""
    return [
        Problem(
            "callback type",
            f"type {callback} is not a valid answer to interaction type {kind}{origin}",
            ("type",),
            "INTERACTION_RESPONSE_TYPE_INVALID",
            "Value is not a valid interaction response type for this interaction.",
        )
    ]


def check_autocomplete(payload: dict[str, Any]) -> list[Problem]:
    """Breaches of an autocomplete result."""
    choices = payload.get("choices")
    if choices is None:
        return [required("message limits", ("data", "choices"), "an autocomplete result's choices")]
    problems: list[Problem] = []
    if len(choices) > AUTOCOMPLETE_CHOICES:
        problems.append(
            Problem(
                "message limits",
                f"{len(choices)} autocomplete choices (limit {AUTOCOMPLETE_CHOICES})",
                ("data", "choices"),
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {AUTOCOMPLETE_CHOICES} or fewer in length.",
            )
        )
    for index, choice in enumerate(choices):
        at: Path = ("data", "choices", index)
        name = choice.get("name") or ""
        if not 1 <= len(name) <= CHOICE_NAME_LIMIT:
            problems.append(
                Problem(
                    "message limits",
                    f"autocomplete choice name of {len(name)} characters (1 to {CHOICE_NAME_LIMIT})",
                    (*at, "name"),
                    "BASE_TYPE_BAD_LENGTH",
                    f"Must be between 1 and {CHOICE_NAME_LIMIT} in length.",
                )
            )
        value = choice.get("value")
        if isinstance(value, str) and len(value) > CHOICE_NAME_LIMIT:
            problems.append(
                Problem(
                    "message limits",
                    f"autocomplete choice value of {len(value)} characters (limit {CHOICE_NAME_LIMIT})",
                    (*at, "value"),
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {CHOICE_NAME_LIMIT} or fewer in length.",
                )
            )
    return problems


def check_modal(payload: dict[str, Any]) -> list[Problem]:
    """Breaches of a modal (callback type 9's ``data``)."""
    rule = "modal"
    problems: list[Problem] = []
    title = payload.get("title") or ""
    if not 1 <= len(title) <= MODAL_TITLE_LIMIT:
        problems.append(
            Problem(
                rule,
                f"modal title of {len(title)} characters (1 to {MODAL_TITLE_LIMIT})",
                ("data", "title"),
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {MODAL_TITLE_LIMIT} in length.",
            )
        )
    if payload.get("custom_id") is None:
        problems.append(required(rule, ("data", "custom_id"), "a modal's custom_id"))
    else:
        problems.extend(
            length_between(
                rule, ("data", "custom_id"), "modal custom_id", payload["custom_id"], 1, CUSTOM_ID_LIMIT
            )
        )
    rows = payload.get("components") or []
    if not 1 <= len(rows) <= MODAL_COMPONENTS:
        problems.append(
            Problem(
                rule,
                f"modal with {len(rows)} components (1 to {MODAL_COMPONENTS})",
                ("data", "components"),
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {MODAL_COMPONENTS} in length.",
            )
        )
    seen: set[str] = set()
    for number, row in enumerate(rows):
        problems.extend(_modal_row(row, ("data", "components", number), seen))
    return problems


def _modal_row(row: dict[str, Any], at: Path, seen: set[str]) -> Iterator[Problem]:
    rule = "modal"
    if row.get("type") == LABEL:
        label = row.get("label")
        yield from length_between(rule, (*at, "label"), "label", label, 1, TEXT_INPUT_LABEL_LIMIT)
        description = row.get("description")
        if description is not None and len(description) > LABEL_DESCRIPTION_LIMIT:
            yield too_long(rule, (*at, "description"), "label description", len(description), 100)
        inner = row.get("component")
        if not isinstance(inner, dict):
            yield required(rule, (*at, "component"), "a label's component")
            return
        if inner.get("type") == TEXT_INPUT:
            yield from _text_input(inner, (*at, "component"), seen, labelled=True)
        elif inner.get("type") not in MODAL_SELECT_TYPES:
            yield not_allowed(
                rule, (*at, "component", "type"), f"component type {inner.get('type')} in a modal label"
            )
        return
    if row.get("type") != ACTION_ROW:
        yield not_allowed(rule, (*at, "type"), f"modal component of type {row.get('type')}")
        return
    children = row.get("components") or []
    if len(children) != 1 or children[0].get("type") != TEXT_INPUT:
        yield Problem(
            rule,
            f"a modal action row holds {len(children)} components (exactly one text input)",
            (*at, "components"),
            "BASE_TYPE_BAD_LENGTH",
            "Must be between 1 and 1 in length.",
        )
    for index, child in enumerate(children):
        if child.get("type") == TEXT_INPUT:
            yield from _text_input(child, (*at, "components", index), seen, labelled=False)


def _text_input(item: dict[str, Any], at: Path, seen: set[str], *, labelled: bool) -> Iterator[Problem]:
    rule = "modal"
    custom_id = item.get("custom_id")
    if not custom_id:
        yield required(rule, (*at, "custom_id"), "a text input's custom_id")
    else:
        yield from length_between(
            rule, (*at, "custom_id"), "text input custom_id", custom_id, 1, CUSTOM_ID_LIMIT
        )
        if custom_id in seen:
            yield not_allowed(
                rule,
                (*at, "custom_id"),
                f"custom_id {custom_id!r} is used twice in the modal",
                "COMPONENT_CUSTOM_ID_DUPLICATED",
            )
        seen.add(custom_id)
    if item.get("style") not in (1, 2):
        yield not_allowed(rule, (*at, "style"), f"text input style {item.get('style')!r} is not 1 or 2")
    label = item.get("label")
    if labelled:
        if label is not None:
            yield not_allowed(
                rule, (*at, "label"), "a text input inside a label component has no label of its own"
            )
    elif label is None:
        yield required(rule, (*at, "label"), "a text input's label")
    elif len(label) > TEXT_INPUT_LABEL_LIMIT:
        yield too_long(rule, (*at, "label"), "text input label", len(label), TEXT_INPUT_LABEL_LIMIT)
    elif not label:
        yield from length_between(rule, (*at, "label"), "text input label", label, 1, TEXT_INPUT_LABEL_LIMIT)
    low, high = item.get("min_length"), item.get("max_length")
    if low is not None and (not is_int(low) or not 0 <= low <= TEXT_INPUT_LENGTH):
        yield not_allowed(rule, (*at, "min_length"), f"text input min_length {low!r} is not 0 to 4000")
    if high is not None and (not is_int(high) or not 1 <= high <= TEXT_INPUT_LENGTH):
        yield not_allowed(rule, (*at, "max_length"), f"text input max_length {high!r} is not 1 to 4000")
    if is_int(low) and is_int(high) and low > high:
        yield not_allowed(
            rule, (*at, "min_length"), f"text input min_length {low} is above max_length {high}"
        )
    value = item.get("value")
    limit = high if is_int(high) else TEXT_INPUT_LENGTH
    if value is not None and len(str(value)) > limit:
        yield too_long(rule, (*at, "value"), "text input value", len(str(value)), limit)
    placeholder = item.get("placeholder")
    if placeholder is not None and len(placeholder) > TEXT_INPUT_PLACEHOLDER_LIMIT:
        yield too_long(rule, (*at, "placeholder"), "text input placeholder", len(placeholder), 100)


__all__ = [
    "AUTOCOMPLETE",
    "AUTOCOMPLETE_RESULT",
    "COMMAND",
    "COMPONENT",
    "DEFERRED_MESSAGE",
    "DEFERRED_UPDATE",
    "INITIAL_RESPONSE_DEADLINE_S",
    "MESSAGE",
    "MODAL",
    "MODAL_SUBMIT",
    "TOKEN_LIFETIME",
    "UPDATE",
    "allowed_callbacks",
    "check_autocomplete",
    "check_callback_type",
    "check_modal",
]
