"""The week's homework and papers that ``/session next`` and announcements show.

The one place that reads the homework and reading-list stores (issue 5): it turns their rows into
the plain lines a session embed needs, so a change there touches only this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db.connection import StoreConnection
from bot.db.homework import HomeworkStore
from bot.db.papers import PaperStore


@dataclass(frozen=True)
class HomeworkLine:
    """One homework of the week."""

    title: str
    due_at: datetime
    url: str | None  # its announcement, when it has one
    optional: bool
    closed: bool


@dataclass(frozen=True)
class PaperLine:
    """One paper of the week, with its companion read."""

    title: str
    url: str
    companion_title: str = ""
    companion_url: str = ""


@dataclass(frozen=True)
class WeekMaterials:
    """What to prepare for one course week."""

    week: int
    homework: tuple[HomeworkLine, ...] = ()
    papers: tuple[PaperLine, ...] = ()


def message_url(guild_id: int, channel_id: int | None, message_id: int | None) -> str | None:
    """A jump link to a message, when both ids are known."""
    if channel_id is None or message_id is None:
        return None
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


async def week_materials(db: StoreConnection, guild_id: int, week: int) -> WeekMaterials:
    """The homework and papers a server filed under ``week``."""
    homework = await HomeworkStore(db).find(guild_id, week=week)
    papers = await PaperStore(db).find(guild_id, week=week)
    return WeekMaterials(
        week=week,
        homework=tuple(
            HomeworkLine(
                title=item.title,
                due_at=item.due_at,
                url=message_url(guild_id, item.channel_id, item.message_id),
                optional=item.optional,
                closed=item.closed,
            )
            for item in homework
        ),
        papers=tuple(
            PaperLine(
                title=paper.title,
                url=paper.url,
                companion_title=paper.companion_title,
                companion_url=paper.companion_url,
            )
            for paper in papers
        ),
    )


__all__ = ["HomeworkLine", "PaperLine", "WeekMaterials", "message_url", "week_materials"]
