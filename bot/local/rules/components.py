"""Message components (the original "v1" layout: action rows of buttons or one select menu).

Rules from Discord's component reference (docs/components/reference):

- A message has at most 5 action rows; an action row holds 1 to 5 buttons, or exactly one select
  menu and nothing else.
- Every ``custom_id`` in a message is unique, 1 to 100 characters.
- A link button (style 5) has a ``url`` and no ``custom_id``; every other button (styles 1–4) has a
  ``custom_id`` and no ``url``; a premium button (style 6) has a ``sku_id`` and neither.
- A (non-premium) button has a ``label`` (at most 80 characters) or an ``emoji``, or both.
- A string select (type 3) has 1 to 25 options; each option's ``label`` and ``value`` are 1 to 100
  characters, its ``description`` at most 100; option values are unique in the select.
- ``min_values`` is 0 to 25, ``max_values`` 1 to 25, ``min_values`` ≤ ``max_values``, and for a
  string select ``max_values`` is at most the number of options.
- A select's ``placeholder`` is at most 150 characters.
- Optional numeric component ``id`` values are unique within a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.local.rules._problems import (
    Path,
    Problem,
    bad_length,
    is_int,
    length_between,
    not_allowed,
    required,
    too_long,
)
from bot.local.rules.urls import url_problems

RULE = "message limits"

ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT = 1, 2, 3, 4
SELECT_TYPES = {3, 5, 6, 7, 8}
LABEL = 18
LINK, PREMIUM = 5, 6

ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
CUSTOM_ID_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
SELECT_OPTIONS = 25
SELECT_VALUES = 25
PLACEHOLDER_LIMIT = 150
OPTION_TEXT_LIMIT = 100


def check_components(rows: list[dict[str, Any]], path: Path = ("components",)) -> list[Problem]:
    """Every breach of the v1 component rules in a message's ``components``."""
    problems: list[Problem] = []
    if len(rows) > ACTION_ROWS:
        problems.append(
            Problem(
                RULE,
                f"{len(rows)} action rows (limit {ACTION_ROWS})",
                path,
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {ACTION_ROWS} in length.",
            )
        )
    custom_ids: set[str] = set()
    numeric_ids: set[int] = set()
    for number, row in enumerate(rows):
        where = (*path, number)
        problems.extend(_unique_id(row, where, numeric_ids))
        if row.get("type") != ACTION_ROW:
            problems.append(
                not_allowed(
                    RULE,
                    (*where, "type"),
                    f"component {number} at the top level is type {row.get('type')}, not an action row",
                    "UNION_TYPE_CHOICES",
                )
            )
            continue
        problems.extend(_check_row(row, number, where, custom_ids, numeric_ids))
    return problems


def _unique_id(component: dict[str, Any], where: Path, seen: set[int]) -> Iterator[Problem]:
    value = component.get("id")
    if value is None:
        return
    if not is_int(value) or value < 0:
        yield not_allowed(RULE, (*where, "id"), f"component id {value!r} is not a positive integer")
    elif value in seen and value != 0:
        yield not_allowed(
            RULE, (*where, "id"), f"component id {value} is used twice", "COMPONENT_ID_DUPLICATED"
        )
    else:
        seen.add(value)


def _check_row(
    row: dict[str, Any], number: int, where: Path, custom_ids: set[str], numeric_ids: set[int]
) -> Iterator[Problem]:
    children = row.get("components") or []
    inner = (*where, "components")
    if not children:
        yield bad_length(RULE, inner, f"action row {number} with components", 0, 1, BUTTONS_PER_ROW)
        return
    if len(children) > BUTTONS_PER_ROW:
        yield Problem(
            RULE,
            f"action row {number} has {len(children)} components (limit {BUTTONS_PER_ROW})",
            inner,
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {BUTTONS_PER_ROW} in length.",
        )
    selects = [child for child in children if child.get("type") in SELECT_TYPES]
    if selects and len(children) > 1:
        yield not_allowed(
            RULE,
            inner,
            f"action row {number} holds a select menu and other components",
            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
        )
    for index, child in enumerate(children):
        at = (*inner, index)
        yield from _unique_id(child, at, numeric_ids)
        kind = child.get("type")
        if kind == BUTTON:
            yield from _check_button(child, at)
        elif kind in SELECT_TYPES:
            yield from _check_select(child, at)
        else:
            yield not_allowed(
                RULE, (*at, "type"), f"component type {kind} cannot be in a message's action row"
            )
        custom_id = child.get("custom_id")
        if custom_id is not None:
            yield from length_between(
                RULE, (*at, "custom_id"), "custom_id", str(custom_id), 1, CUSTOM_ID_LIMIT
            )
            if custom_id in custom_ids:
                yield not_allowed(
                    RULE,
                    (*at, "custom_id"),
                    f"custom_id {str(custom_id)[:40]!r} is used twice in one message",
                    "COMPONENT_CUSTOM_ID_DUPLICATED",
                )
            custom_ids.add(custom_id)


def _check_button(button: dict[str, Any], at: Path) -> Iterator[Problem]:
    style = button.get("style")
    if style not in (1, 2, 3, 4, 5, 6):
        yield not_allowed(RULE, (*at, "style"), f"button style {style!r} is not 1 to 6")
        return
    has_custom_id, has_url = button.get("custom_id") is not None, button.get("url") is not None
    if style == LINK:
        if not has_url:
            yield required(RULE, (*at, "url"), "a link button's url")
        if has_custom_id:
            yield not_allowed(
                RULE, (*at, "custom_id"), "a link button cannot have a custom_id", "BUTTON_COMPONENT_INVALID"
            )
    elif style == PREMIUM:
        if not button.get("sku_id"):
            yield required(RULE, (*at, "sku_id"), "a premium button's sku_id")
    else:
        if not has_custom_id:
            yield required(RULE, (*at, "custom_id"), "a non-link button's custom_id")
        if has_url:
            yield not_allowed(
                RULE, (*at, "url"), "only a link button can have a url", "BUTTON_COMPONENT_INVALID"
            )
    label = button.get("label")
    if style != PREMIUM and not label and not button.get("emoji"):
        yield not_allowed(
            RULE, at, "a button needs a label or an emoji", "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED"
        )
    if label is not None and len(str(label)) > BUTTON_LABEL_LIMIT:
        yield too_long(RULE, (*at, "label"), "button label", len(str(label)), BUTTON_LABEL_LIMIT)
    if has_url:
        yield from url_problems(RULE, (*at, "url"), "link button url", button.get("url"), schemes=None)


def _check_select(select: dict[str, Any], at: Path) -> Iterator[Problem]:
    if select.get("custom_id") is None:
        yield required(RULE, (*at, "custom_id"), "a select menu's custom_id")
    placeholder = select.get("placeholder")
    if placeholder is not None and len(str(placeholder)) > PLACEHOLDER_LIMIT:
        yield too_long(
            RULE, (*at, "placeholder"), "select placeholder", len(str(placeholder)), PLACEHOLDER_LIMIT
        )
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not is_int(low) or not 0 <= low <= SELECT_VALUES:
        yield not_allowed(RULE, (*at, "min_values"), f"select min_values {low!r} is not 0 to {SELECT_VALUES}")
    if not is_int(high) or not 1 <= high <= SELECT_VALUES:
        yield not_allowed(
            RULE, (*at, "max_values"), f"select max_values {high!r} is not 1 to {SELECT_VALUES}"
        )
    if is_int(low) and is_int(high) and low > high:
        yield not_allowed(RULE, (*at, "min_values"), f"select min_values {low} is above max_values {high}")
    if select.get("type") != STRING_SELECT:
        if select.get("options"):
            yield not_allowed(RULE, (*at, "options"), "only a string select has options")
        return
    options = select.get("options") or []
    if not 1 <= len(options) <= SELECT_OPTIONS:
        yield Problem(
            RULE,
            f"select menu with {len(options)} options (1 to {SELECT_OPTIONS})",
            (*at, "options"),
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {SELECT_OPTIONS} in length.",
        )
    if is_int(high) and options and high > len(options):
        yield not_allowed(
            RULE,
            (*at, "max_values"),
            f"select max_values {high} is above its {len(options)} options",
            "SELECT_COMPONENT_MAX_VALUES_TOO_HIGH",
        )
    values: set[str] = set()
    for index, option in enumerate(options):
        where = (*at, "options", index)
        yield from length_between(RULE, (*where, "label"), "select option label", option.get("label"), 1, 100)
        yield from length_between(RULE, (*where, "value"), "select option value", option.get("value"), 1, 100)
        description = option.get("description")
        if description is not None and len(str(description)) > OPTION_TEXT_LIMIT:
            yield too_long(
                RULE,
                (*where, "description"),
                "select option description",
                len(description),
                OPTION_TEXT_LIMIT,
            )
        value = str(option.get("value"))
        if value in values:
            yield not_allowed(
                RULE,
                (*where, "value"),
                f"select option value {value[:40]!r} is used twice",
                "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
            )
        values.add(value)
    defaults = sum(1 for option in options if option.get("default"))
    if is_int(high) and defaults > high:
        yield not_allowed(RULE, (*at, "options"), f"{defaults} default options but max_values {high}")


__all__ = ["check_components"]
