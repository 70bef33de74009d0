"""The options that name one homework or one paper (``12``, ``#12``, or a title), with autocomplete."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from discord import app_commands

from bot.db.homework import Homework
from bot.db.papers import Paper
from bot.guild_feature import BadReference, RowReference
from bot.replies import truncate
from cogs.homework._due import local_text

UTC_ZONE = ZoneInfo(
    "UTC"
)  # suggestions show due dates in UTC: autocomplete never reads the server's settings


class HomeworkRef(RowReference[Homework]):
    """Any homework of the server (suggested open first, then by due date)."""

    noun = "homework"
    open_only = False

    def names(self, row: Homework) -> Sequence[str]:
        return (row.title, row.label)

    def shown(self, row: Homework) -> str:
        return row.label

    def suggestions(self, rows: list[Homework], current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower().lstrip("#")
        found = [
            row
            for row in rows
            if (not self.open_only or not row.closed)
            and (wanted in row.label.lower() or wanted == str(row.id))
        ]
        found.sort(key=lambda row: (row.closed, row.due_at))
        return [
            app_commands.Choice(
                name=truncate(
                    f"{row.label} · due {local_text(row.due_at, UTC_ZONE)} UTC"
                    + (" (closed)" if row.closed else ""),
                    100,
                ),
                value=str(row.id),
            )
            for row in found
        ]


class OpenHomeworkRef(HomeworkRef):
    """Homework that is still open: marks can change."""

    open_only = True

    def accept(self, row: Homework) -> Homework:
        if row.closed:
            raise BadReference(f"**{row.label}** is closed: marks can't change any more.")
        return row


class PaperRef(RowReference[Paper]):
    """A paper of the server's reading list."""

    noun = "paper"
    place = " on the list"
    empty = "The reading list is empty; moderators can start it with /papers starter-list."

    def names(self, row: Paper) -> Sequence[str]:
        return (row.title,)

    def suggestions(self, rows: list[Paper], current: str) -> list[app_commands.Choice[str]]:
        wanted = current.strip().lower()
        return [
            app_commands.Choice(name=truncate(f"{row.title} · {row.group}", 100), value=str(row.id))
            for row in rows
            if wanted in row.title.lower() or wanted in row.group.lower() or wanted == row.arxiv_id
        ]


__all__ = ["HomeworkRef", "OpenHomeworkRef", "PaperRef"]
