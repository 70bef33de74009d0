"""The base of the server features (homework, papers, resources, sessions, questions).

:class:`GuildFeature` is what each of their cogs would otherwise write again: commands refused in
direct messages, the feature's store over the bot's connection, its persistent components
registered while it is loaded, and typed accessors for the server an interaction comes from.
:class:`CachedFeature` adds the per-server copy of rows that autocomplete reads.

:class:`RowReference` is a slash option that names one row of such a feature (``12``, ``#12`` or
a name), as an ``app_commands.Transformer``: the handler receives the row, autocomplete is
declared with the option, and a bad reference is refused with a sentence before the handler runs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import StudyBot
from bot.components import NOT_IN_DMS, Action, Feature
from bot.db.connection import StoreConnection
from bot.db.guilds import GuildConfig, GuildStore
from bot.errors import UserFacingError
from bot.guild_cache import GuildCache
from bot.replies import truncate

StoreT = TypeVar("StoreT")
CogT = TypeVar("CogT")

#: What a member may type for a row's id: ``12`` or ``#12``, ASCII digits only (``"²".isdigit()``
#: is true, and ``int("²")`` fails).
ROW_ID = re.compile(r"#?([0-9]{1,18})")


class Row(Protocol):
    @property
    def id(self) -> int: ...


RowT = TypeVar("RowT", bound=Row)


def row_id(text: str) -> int | None:
    """``"12"`` or ``"#12"`` → 12; anything else (words, ``"²"``, ``"-1"``) → None."""
    match = ROW_ID.fullmatch(text.strip())
    return int(match[1]) if match else None


def guild_id_of(interaction: discord.Interaction[Any]) -> int:
    """The server an interaction comes from, or a refusal for direct messages."""
    if interaction.guild_id is None:
        raise UserFacingError(NOT_IN_DMS)
    return interaction.guild_id


def guild_of(interaction: discord.Interaction[Any]) -> discord.Guild:
    """The server an interaction comes from (cached by the gateway), or a refusal."""
    if interaction.guild is None:
        raise UserFacingError(NOT_IN_DMS)
    return interaction.guild


def bound_cog(interaction: discord.Interaction[Any], kind: type[CogT]) -> CogT:
    """The cog of the command being run or completed (where an option finds its rows)."""
    command = interaction.command
    cog = getattr(command, "binding", None)
    if not isinstance(cog, kind):
        name = getattr(command, "qualified_name", "?")
        raise RuntimeError(f"/{name} is not a command of a {kind.__name__}")
    return cog


class BadReference(UserFacingError, app_commands.AppCommandError):
    """An option that names no row. An ``AppCommandError``, so discord.py passes it on unwrapped."""


class GuildFeature(commands.Cog, Generic[StoreT]):
    """A cog whose commands and components work only in a server.

    Subclasses set :attr:`store_type` and, if they post persistent components, :attr:`feature`
    (their ids' first part) with their handlers in :meth:`actions`, and call ``super()`` if they override
    :meth:`cog_load` or :meth:`cog_unload`.
    """

    #: The feature's persistent components (None: it posts none).
    feature: ClassVar[Feature | None] = None
    store_type: Callable[[StoreConnection], StoreT]

    def __init__(self, client: StudyBot) -> None:
        self.bot = client

    @property
    def store(self) -> StoreT:
        """The feature's store over the bot's connection."""
        return self.store_type(self.bot.db)

    def actions(self) -> Sequence[Action]:
        """What the feature's persistent buttons and selects do (none by default)."""
        return ()

    async def cog_load(self) -> None:
        if self.feature is not None:
            self.bot.actions.add(self.feature, self.actions())

    async def cog_unload(self) -> None:
        if self.feature is not None:
            self.bot.actions.remove(self.feature)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Server only, checked here too: Discord hides the commands in DMs, a stale client may not."""
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return True

    async def config(self, guild_id: int) -> GuildConfig:
        """The server's settings (/config)."""
        return await GuildStore(self.bot.db).get(guild_id)


class CachedFeature(GuildFeature[StoreT], Generic[StoreT, RowT]):
    """A feature whose rows autocomplete and :class:`RowReference` options read from memory.

    The store's ``find(guild_id)`` reads all of a server's rows; the cog refreshes the cache after
    each of its writes.
    """

    def __init__(self, client: StudyBot) -> None:
        super().__init__(client)
        self.cache: GuildCache[RowT] = GuildCache(self._load_rows)

    async def _load_rows(self, guild_id: int) -> list[RowT]:
        store: Any = self.store  # every cached feature's store has find(guild_id)
        rows: list[RowT] = await store.find(guild_id)
        return rows


class RowReference(app_commands.Transformer[StudyBot], Generic[RowT]):
    """A string option naming one row of the command's :class:`CachedFeature`.

    A member may type the row's id, ``12`` or ``#12``, or one of its :meth:`names`
    (case-insensitive); autocomplete suggests at most 25 rows, from the cache. Anything else is
    refused before the handler runs, with the closest names as a hint.
    """

    #: The row's name in sentences: "There is no homework called …".
    noun: ClassVar[str]
    #: Said when the server has no rows at all (None: the not-found sentence).
    empty: ClassVar[str | None] = None
    #: Where the rows live, in the not-found sentence (" on the list").
    place: ClassVar[str] = ""
    #: Try names before ids: for suggestions that fill in a name, which may look like an id.
    names_first: ClassVar[bool] = False

    @property
    def max_value(self) -> int:
        """The option's longest text: an id or a name (names are at most about 110 characters)."""
        return 200

    def names(self, row: RowT) -> Sequence[str]:
        """What a member may type for ``row`` (the first one is matched for hints)."""
        raise NotImplementedError

    def shown(self, row: RowT) -> str:
        """How a hint names ``row`` (bold)."""
        return self.names(row)[0]

    def accept(self, row: RowT) -> RowT:
        """Refuse a row this option may not name (raise :class:`BadReference`); by default any."""
        return row

    def suggestions(self, rows: list[RowT], current: str) -> list[app_commands.Choice[str]]:
        """Autocomplete's choices for what is typed so far (cut to 25 by the caller)."""
        raise NotImplementedError

    async def rows(self, interaction: discord.Interaction[StudyBot]) -> list[RowT]:
        rows: list[RowT] = await bound_cog(interaction, CachedFeature).cache.get(guild_id_of(interaction))
        return rows

    async def transform(self, interaction: discord.Interaction[StudyBot], value: str, /) -> RowT:
        return self.accept(self.find(await self.rows(interaction), value.strip()))

    async def autocomplete(  # type: ignore[override]  # str choices only
        self, interaction: discord.Interaction[StudyBot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        return self.suggestions(await self.rows(interaction), value)[:25]

    def find(self, rows: list[RowT], wanted: str) -> RowT:
        """The row ``wanted`` names, or :class:`BadReference` with a hint."""
        lowered = wanted.lower()
        by_name = next((row for row in rows if lowered in (name.lower() for name in self.names(row))), None)
        number = row_id(wanted)
        by_id = next((row for row in rows if row.id == number), None) if number is not None else None
        found = (by_name or by_id) if self.names_first else (by_id or by_name)
        if found is not None:
            return found
        if not rows and self.empty is not None:
            raise BadReference(self.empty)
        names = {self.names(row)[0].lower(): self.shown(row) for row in rows}
        close = difflib.get_close_matches(lowered.lstrip("#"), list(names), n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(f'**{names[name]}**' for name in close)}?" if close else ""
        raise BadReference(
            f"There is no {self.noun} called {truncate(wanted, 60)!r}{self.place}.{hint} "
            "Pick one from the suggestions."
        )


__all__ = [
    "BadReference",
    "CachedFeature",
    "GuildFeature",
    "RowReference",
    "bound_cog",
    "guild_id_of",
    "guild_of",
    "row_id",
]
