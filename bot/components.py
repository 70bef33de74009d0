"""Persistent buttons and selects: one ``DynamicItem``, one registry of plain handlers.

Every component the bot posts with a custom id reads ``feature:action`` or
``feature:action:arg:arg…`` (``homework:done:12``, ``resources:page:<owner>:1:n:tools``). One
:class:`ActionItem`, a discord.py ``DynamicItem`` whose template matches every such id, is
registered once by the bot. Each cog names its :class:`Feature` and, while it is loaded, fills the
bot's :class:`ActionRegistry` with one :class:`Action` per action: the arguments its id carries and
the coroutine that answers a press, ``await handler(interaction, *arguments)``. Posting a button is
a factory call: ``HOMEWORK.button("done", homework.id, label="Mark done")``.

A press is answered like a command: a guild-only feature refuses direct messages, a moderator
action checks the member on the server side, and every error reaches the member through the one
error reporter (:func:`routed_errors`: discord.py would log a dynamic item's error and drop it, and
the member would see "This interaction failed").

The ids are part of messages already posted in servers: an action's arguments may only grow more
permissive, never change shape. ``tests/test_component_ids.py`` presses every format ever posted.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import discord

from bot.checks import ensure_moderator
from bot.errors import UserFacingError, report_error

log = logging.getLogger(__name__)

ItemT = TypeVar("ItemT", bound=discord.ui.Item[Any])
CogT = TypeVar("CogT")
Callback = Callable[[ItemT, discord.Interaction[Any]], Coroutine[Any, Any, None]]
#: ``await handler(interaction, *arguments)``: the arguments as the action's :class:`Arg` s convert them.
Handler = Callable[..., Awaitable[None]]

#: Matches every id the bot posts; the registry checks the arguments against the action's own pattern.
TEMPLATE = r"(?P<feature>[a-z]+):(?P<action>[a-z]+)(?::(?P<args>.*))?"
CUSTOM_ID_MAX = 100  # Discord's limit
NOT_IN_DMS = "This only works in a server, not in direct messages."
OUTDATED = "This button is from an older version of the bot; use the command instead."


def routed_errors(callback: Callback[ItemT]) -> Callback[ItemT]:
    """Decorate a component callback so that its errors reach the member as ephemeral replies."""

    @functools.wraps(callback)
    async def wrapper(self: ItemT, interaction: discord.Interaction[Any]) -> None:
        try:
            await callback(self, interaction)
        except Exception as error:
            await report_error(interaction, error, f"the button {getattr(self, 'custom_id', '?')}")

    return wrapper


def unavailable(title: str) -> UserFacingError:
    """The refusal for a component whose feature (cog) is not loaded right now."""
    verb = "are" if title.endswith("s") else "is"
    return UserFacingError(f"{title} {verb} not available right now; try again in a minute.")


def cog_for(interaction: discord.Interaction[Any], cog_type: type[CogT], title: str) -> CogT:
    """Another feature's loaded cog (e.g. the model demos for /architecture's forms), or a refusal."""
    get_cog = getattr(interaction.client, "get_cog", None)
    cog = get_cog(cog_type.__name__) if get_cog is not None else None
    if not isinstance(cog, cog_type):
        raise unavailable(title)
    return cog


# --- what an id carries -------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One argument of an action's id: the text it matches (no groups of its own) and its value.

    ``convert=None`` marks a part that only keeps ids unique (two buttons of one message may not
    share an id); it is matched but not passed to the handler.
    """

    pattern: str
    convert: Callable[[str], Any] | None = int


#: The largest number an id may carry: SQLite's largest integer (a snowflake is below it too).
NUMBER_MAX = 2**63 - 1


def number(text: str) -> int:
    """An id's number part, refused (ValueError) beyond what SQLite can store."""
    value = int(text)
    if value > NUMBER_MAX:
        raise ValueError(f"{text[:30]} is too large")
    return value


#: A row id, a page number, a member id: ASCII digits only (``int("²")`` fails), at most 19.
NUMBER = Arg("[0-9]{1,19}", number)


def text(pattern: str) -> Arg:
    """An argument passed on as the matched text, e.g. ``text("one|series")``."""
    return Arg(pattern, str)


def marker(pattern: str) -> Arg:
    """A part of the id that only keeps it unique on its message; the handler does not get it."""
    return Arg(pattern, None)


class Action:
    """What pressing one kind of component does: its name, its id's arguments, its handler."""

    def __init__(self, name: str, handler: Handler, *args: Arg, moderators: bool = False) -> None:
        self.name = name
        self.handler = handler
        self.args = args
        self.moderators = moderators
        self._pattern = re.compile(":".join(f"({arg.pattern})" for arg in args))

    @classmethod
    def dismiss(cls, name: str, message: str, *args: Arg) -> Action:
        """An action that replaces its message with ``message`` (e.g. "Keep it" on a confirmation)."""

        async def handler(interaction: discord.Interaction[Any], *_: object) -> None:
            await interaction.response.edit_message(content=message, embed=None, view=None)

        return cls(name, handler, *args)

    def parse(self, rest: str | None) -> list[Any] | None:
        """The handler's arguments from the id's text after ``feature:action:`` (None: no match)."""
        if not self.args:
            return [] if rest is None else None
        match = self._pattern.fullmatch(rest or "")
        if match is None:
            return None
        try:
            return [
                arg.convert(value)
                for arg, value in zip(self.args, match.groups(), strict=True)
                if arg.convert is not None
            ]
        except ValueError:  # matched, but out of the argument's range
            return None


# --- posting components -------------------------------------------------------------------------


@dataclass(frozen=True)
class Feature:
    """A family of components: ``name`` starts their ids, ``title`` names it to members."""

    name: str
    title: str
    guild_only: bool = True

    def custom_id(self, action: str, *args: object) -> str:
        custom_id = ":".join([self.name, action, *(str(arg) for arg in args)])
        if len(custom_id) > CUSTOM_ID_MAX:
            raise ValueError(f"custom id {custom_id[:40]!r}… is longer than {CUSTOM_ID_MAX} characters")
        return custom_id

    def button(
        self,
        action: str,
        *args: object,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        emoji: str | None = None,
        disabled: bool = False,
        row: int | None = None,
    ) -> ActionItem:
        """A persistent button whose press runs ``action`` with ``args``."""
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label[:80],
            style=style,
            emoji=emoji,
            disabled=disabled,
            custom_id=self.custom_id(action, *args),
        )
        return ActionItem(button, row=row)

    def select(
        self,
        action: str,
        *args: object,
        options: Sequence[discord.SelectOption],
        placeholder: str,
        row: int | None = None,
    ) -> ActionItem:
        """A persistent select menu (one choice) whose choice runs ``action`` with ``args``."""
        menu: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=self.custom_id(action, *args),
            placeholder=placeholder,
            options=list(options) or [discord.SelectOption(label="-", value="0")],
        )
        return ActionItem(menu, row=row)


def link_button(
    label: str, url: str, *, emoji: str | None = None, row: int | None = None
) -> discord.ui.Button[Any]:
    """A button that opens ``url`` (it sends no interaction)."""
    return discord.ui.Button(label=label, style=discord.ButtonStyle.link, url=url, emoji=emoji, row=row)


def persistent_view(*items: discord.ui.Item[Any] | None) -> discord.ui.View:
    """A view of ``items`` (None skipped) that never times out: its buttons work after restarts."""
    view = discord.ui.View(timeout=None)
    for item in items:
        if item is not None:
            view.add_item(item)
    return view


def selected(interaction: discord.Interaction[Any]) -> str | None:
    """The option a member chose in a select menu (None if the payload carries none)."""
    data: Any = interaction.data or {}
    values = data.get("values") or []
    return str(values[0]) if values else None


def selected_number(interaction: discord.Interaction[Any]) -> int:
    """The chosen option as a number (the menus' values are ids); 0 when there is none."""
    value = selected(interaction) or "0"
    return int(value) if re.fullmatch("[0-9]+", value) else 0


#: Discord's most options in one select menu.
SELECT_OPTIONS_MAX = 25


def check_choice(interaction: discord.Interaction[Any], custom_id: str) -> None:
    """Refuse a select's choice unless every value is one of the options its message shows.

    Discord's client only offers those, but a payload can carry anything; a button press carries
    no values, and one that does is refused too.
    """
    data: Any = interaction.data or {}
    values = data.get("values")
    is_select = data.get("component_type") == discord.ComponentType.select.value
    if values is None and not is_select:
        return
    if not is_select or not isinstance(values, list) or not 1 <= len(values) <= SELECT_OPTIONS_MAX:
        raise UserFacingError(OUTDATED)
    menu = next(
        (
            child
            for row in (interaction.message.components if interaction.message is not None else [])
            for child in getattr(row, "children", ())
            if isinstance(child, discord.SelectMenu) and child.custom_id == custom_id
        ),
        None,
    )
    offered = {option.value for option in menu.options} if menu is not None else set()
    if (
        menu is None
        or len(values) > menu.max_values
        or len(values) < menu.min_values
        or not all(isinstance(value, str) and value in offered for value in values)
    ):
        raise UserFacingError("That choice is not one this menu offers; pick one from the menu again.")


def pressed_label(interaction: discord.Interaction[Any]) -> str | None:
    """The label of the button that was pressed, as its message shows it."""
    data: Any = interaction.data or {}
    custom_id = data.get("custom_id")
    rows = interaction.message.components if interaction.message is not None else []
    for row in rows:
        for child in getattr(row, "children", ()):
            if getattr(child, "custom_id", None) == custom_id:
                label = getattr(child, "label", None)
                return str(label) if label else None
    return None


# --- answering presses --------------------------------------------------------------------------


class ActionRegistry:
    """The handlers of every loaded feature, by feature and action name (one per bot)."""

    def __init__(self) -> None:
        self._actions: dict[str, dict[str, Action]] = {}
        self._features: dict[str, Feature] = {}

    def add(self, feature: Feature, actions: Iterable[Action]) -> None:
        """Answer ``feature``'s components with ``actions`` (a cog's ``cog_load``)."""
        if feature.name in self._actions:
            raise ValueError(f"the feature {feature.name!r} is registered already")
        by_name: dict[str, Action] = {}
        for action in actions:
            if action.name in by_name:
                raise ValueError(f"{feature.name}:{action.name} is registered twice")
            by_name[action.name] = action
        self._actions[feature.name] = by_name
        self._features[feature.name] = feature

    def remove(self, feature: Feature) -> None:
        """Stop answering ``feature``'s components (a cog's ``cog_unload``): they say it is unavailable.

        The feature stays known, so that its ids are still answered (with that refusal).
        """
        self._actions.pop(feature.name, None)

    def registered(self) -> list[tuple[Feature, Action]]:
        """Every loaded feature's actions (what the tests forge presses for)."""
        return [
            (self._features[name], action)
            for name, actions in self._actions.items()
            for action in actions.values()
        ]

    def knows(self, custom_id: str) -> bool:
        """Whether ``custom_id`` belongs to a feature registered at some point (else: not ours)."""
        match = re.fullmatch(TEMPLATE, custom_id)
        return match is not None and match["feature"] in self._features

    async def dispatch(self, interaction: discord.Interaction[Any], custom_id: str) -> None:
        """Check the press the way commands are checked, then run its handler."""
        match = re.fullmatch(TEMPLATE, custom_id) if len(custom_id) <= CUSTOM_ID_MAX else None
        feature = self._features.get(match["feature"]) if match is not None else None
        if match is None or feature is None:
            raise UserFacingError(OUTDATED)
        actions = self._actions.get(feature.name)
        if actions is None:
            raise unavailable(feature.title)
        action = actions.get(match["action"])
        args = action.parse(match["args"]) if action is not None else None
        if action is None or args is None:
            log.info("No action answers the custom id %r", custom_id)
            raise UserFacingError(OUTDATED)
        if feature.guild_only and interaction.guild_id is None:
            raise UserFacingError(NOT_IN_DMS)
        check_choice(interaction, custom_id)
        if action.moderators:
            ensure_moderator(interaction)
        await action.handler(interaction, *args)


def registry_of(client: discord.Client) -> ActionRegistry:
    """The bot's registry (``StudyBot.actions``)."""
    registry = getattr(client, "actions", None)
    if not isinstance(registry, ActionRegistry):
        raise RuntimeError("this client keeps no action registry")
    return registry


class ActionItem(discord.ui.DynamicItem[discord.ui.Button[Any] | discord.ui.Select[Any]], template=TEMPLATE):
    """Any of the bot's persistent buttons and selects; the registry finds what a press does."""

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ActionItem:
        if not isinstance(item, discord.ui.Button | discord.ui.Select):
            raise TypeError(f"{match.string!r} is on a {type(item).__name__}, not a button or a select")
        return cls(item)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Ids of features this bot never registered are left to :mod:`bot.unrouted`, which answers them."""
        return registry_of(interaction.client).knows(self.custom_id)

    @routed_errors
    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await registry_of(interaction.client).dispatch(interaction, self.custom_id)


__all__ = [
    "NUMBER",
    "Action",
    "ActionItem",
    "ActionRegistry",
    "Arg",
    "Feature",
    "check_choice",
    "cog_for",
    "link_button",
    "marker",
    "number",
    "persistent_view",
    "pressed_label",
    "registry_of",
    "routed_errors",
    "selected",
    "selected_number",
    "text",
    "unavailable",
]
