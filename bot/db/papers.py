"""Reading lists (``/papers``): papers per week or theme, who has read them, votes for the next one.

Every query is filtered by ``guild_id``. Moderator writes are audited; each write is one unit of
work through :func:`bot.db.transaction.transaction`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.db import audit
from bot.db.connection import StoreConnection
from bot.db.resources import check_title, check_url, url_key
from bot.db.transaction import transaction
from bot.errors import UserFacingError
from bot.validation import one_line

log = logging.getLogger(__name__)

TITLE_MAX = 150
THEME_MAX = 50
PAPER_URL_MAX = 300  # three links and a title fit one embed field
WEEK_MAX = 52

_ARXIV_NEW = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"^[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}(v\d+)?$")
_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$", re.IGNORECASE
)


def check_arxiv(text: str) -> str:
    """An arXiv identifier (``1706.03762``, ``1706.03762v5``, ``hep-th/9901001``), also taken from
    ``arXiv:…`` or an arxiv.org abstract / PDF link."""
    value = text.strip()
    match = _ARXIV_URL.match(value)
    if match:
        value = match.group(1)
    if value.lower().startswith("arxiv:"):
        value = value[6:].strip()
    new = _ARXIV_NEW.match(value)
    if new and 1 <= int(new.group(2)) <= 12:
        digits = 5 if new.group(1) + new.group(2) >= "1501" else 4  # five digits from January 2015
        if len(new.group(3)) == digits:
            return value
    if _ARXIV_OLD.match(value):
        return value
    raise UserFacingError(
        f"{text.strip()[:40]!r} is not an arXiv id: write it like 1706.03762 (or hep-th/9901001 for "
        "papers from before 2007)."
    )


def arxiv_url(arxiv_id: str) -> str:
    """The abstract page of an arXiv paper."""
    return f"https://arxiv.org/abs/{arxiv_id}"


def _check_link(url: str, what: str) -> str:
    link = check_url(url, what)
    if len(link) > PAPER_URL_MAX:
        raise UserFacingError(f"{what} is {len(link)} characters long; the limit is {PAPER_URL_MAX}.")
    return link


def check_theme(theme: str | None) -> str:
    text = " ".join((theme or "").split())
    if len(text) > THEME_MAX:
        raise UserFacingError(f"The theme is {len(text)} characters long; the limit is {THEME_MAX}.")
    return text


@dataclass(frozen=True)
class PaperDraft:
    """A paper as a moderator or the starter list gives it, validated."""

    title: str
    url: str
    week: int | None = None
    theme: str = ""
    companion_title: str = ""
    companion_url: str = ""
    arxiv_id: str = ""

    @classmethod
    def build(
        cls,
        *,
        title: str,
        url: str | None = None,
        week: int | None = None,
        theme: str | None = None,
        companion_url: str | None = None,
        companion_title: str | None = None,
        arxiv: str | None = None,
    ) -> PaperDraft:
        """Validate every field; without ``url`` the arXiv abstract is the link."""
        arxiv_id = check_arxiv(arxiv) if arxiv else ""
        if not url and not arxiv_id:
            raise UserFacingError(
                "Give the paper's url, or its arxiv id (the abstract page is then the link)."
            )
        if week is not None and not 1 <= week <= WEEK_MAX:
            raise UserFacingError(f"The week should be from 1 to {WEEK_MAX}.")
        name = one_line(title, TITLE_MAX)
        companion = _check_link(companion_url, "The companion link") if companion_url else ""
        if companion_title and not companion:
            raise UserFacingError("A companion title needs a companion link too.")
        return cls(
            title=name,
            url=_check_link(url, "The link") if url else arxiv_url(arxiv_id),
            week=week,
            theme=check_theme(theme),
            companion_title=check_title(companion_title, "The companion title") if companion_title else "",
            companion_url=companion,
            arxiv_id=arxiv_id,
        )

    @classmethod
    def from_mapping(cls, entry: Mapping[str, Any]) -> PaperDraft:
        """A draft from one entry of a data file."""
        return cls.build(
            title=entry["title"],
            url=entry.get("url"),
            week=entry.get("week"),
            theme=entry.get("theme"),
            companion_url=entry.get("companion_url"),
            companion_title=entry.get("companion_title"),
            arxiv=entry.get("arxiv"),
        )


@dataclass(frozen=True)
class Paper:
    """One paper on the reading list."""

    id: int
    guild_id: int
    week: int | None
    theme: str
    title: str
    url: str
    companion_title: str
    companion_url: str
    arxiv_id: str
    added_by: int

    @property
    def arxiv_url(self) -> str | None:
        return arxiv_url(self.arxiv_id) if self.arxiv_id else None

    @property
    def group(self) -> str:
        """Where the list files it: ``Week 1``, ``Week 1 · Attention``, the theme, or ``Unscheduled``."""
        if self.week is not None:
            return f"Week {self.week}" + (f" · {self.theme}" if self.theme else "")
        return self.theme or "Unscheduled"


def _paper(row: aiosqlite.Row) -> Paper:
    return Paper(
        id=row["id"],
        guild_id=row["guild_id"],
        week=row["week"],
        theme=row["theme"],
        title=row["title"],
        url=row["url"],
        companion_title=row["companion_title"],
        companion_url=row["companion_url"],
        arxiv_id=row["arxiv_id"],
        added_by=row["added_by"],
    )


_COLUMNS = "id, guild_id, week, theme, title, url, companion_title, companion_url, arxiv_id, added_by"


class PaperStore:
    """One method per query over ``papers``, ``paper_reads`` and ``paper_votes``."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db

    # --- reads ---------------------------------------------------------------------------

    async def find(self, guild_id: int, *, week: int | None = None, theme: str | None = None) -> list[Paper]:
        """The reading list (one week and/or theme, or all), by week (unscheduled last), then as added."""
        query = f"SELECT {_COLUMNS} FROM papers WHERE guild_id = ?"
        args: list[Any] = [guild_id]
        if week is not None:
            query += " AND week = ?"
            args.append(week)
        if theme:
            query += " AND theme = ? COLLATE NOCASE"
            args.append(theme.strip())
        async with self.db.execute(query + " ORDER BY week IS NULL, week, theme, id", args) as cursor:
            return [_paper(row) for row in await cursor.fetchall()]

    async def get(self, guild_id: int, paper_id: int) -> Paper | None:
        """One paper of this server."""
        async with self.db.execute(
            f"SELECT {_COLUMNS} FROM papers WHERE guild_id = ? AND id = ?", (guild_id, paper_id)
        ) as cursor:
            row = await cursor.fetchone()
        return _paper(row) if row else None

    async def duplicate_of(self, guild_id: int, draft: PaperDraft) -> Paper | None:
        """A saved paper with the same link or the same arXiv id."""
        async with self.db.execute(
            f"SELECT {_COLUMNS} FROM papers "
            "WHERE guild_id = ? AND (url_key = ? OR (arxiv_id != '' AND arxiv_id = ?))",
            (guild_id, url_key(draft.url), draft.arxiv_id),
        ) as cursor:
            row = await cursor.fetchone()
        return _paper(row) if row else None

    async def read_ids(self, guild_id: int, user_id: int) -> set[int]:
        """The papers a member has read."""
        async with self.db.execute(
            "SELECT paper_id FROM paper_reads WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ) as cursor:
            return {row[0] for row in await cursor.fetchall()}

    async def vote_ids(self, guild_id: int, user_id: int) -> set[int]:
        """The papers a member has voted for."""
        async with self.db.execute(
            "SELECT paper_id FROM paper_votes WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
        ) as cursor:
            return {row[0] for row in await cursor.fetchall()}

    async def read_counts(self, guild_id: int) -> dict[int, int]:
        """How many members have read each paper."""
        async with self.db.execute(
            "SELECT paper_id, COUNT(*) FROM paper_reads WHERE guild_id = ? GROUP BY paper_id", (guild_id,)
        ) as cursor:
            return {row[0]: row[1] for row in await cursor.fetchall()}

    async def vote_counts(self, guild_id: int) -> dict[int, int]:
        """How many votes each paper has."""
        async with self.db.execute(
            "SELECT paper_id, COUNT(*) FROM paper_votes WHERE guild_id = ? GROUP BY paper_id", (guild_id,)
        ) as cursor:
            return {row[0]: row[1] for row in await cursor.fetchall()}

    async def readers(self, guild_id: int, paper_id: int) -> list[int]:
        """Who has read a paper, first readers first."""
        async with self.db.execute(
            "SELECT user_id FROM paper_reads WHERE guild_id = ? AND paper_id = ? ORDER BY read_at, user_id",
            (guild_id, paper_id),
        ) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    # --- moderator writes ------------------------------------------------------------------

    async def _insert(self, guild_id: int, draft: PaperDraft, user_id: int) -> int:
        cursor = await self.db.execute(
            "INSERT INTO papers (guild_id, week, theme, title, url, url_key, companion_title, companion_url, "
            "arxiv_id, added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                draft.week,
                draft.theme,
                draft.title,
                draft.url,
                url_key(draft.url),
                draft.companion_title,
                draft.companion_url,
                draft.arxiv_id,
                user_id,
            ),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    async def add(self, guild_id: int, draft: PaperDraft, *, user_id: int) -> Paper:
        """Add a paper (refused if its link or arXiv id is already on this server's list)."""
        async with transaction(self.db):
            existing = await self.duplicate_of(guild_id, draft)
            if existing is not None:
                raise UserFacingError(
                    f"That paper is already on the list as **{existing.title}** ({existing.group})."
                )
            paper_id = await self._insert(guild_id, draft, user_id)
            await audit.record(
                self.db, guild_id, user_id, "papers.add", f"#{paper_id} {draft.title} <{draft.url}>"
            )
        paper = await self.get(guild_id, paper_id)
        assert paper is not None
        return paper

    async def add_missing(
        self, guild_id: int, drafts: list[PaperDraft], *, user_id: int, action: str
    ) -> tuple[list[str], list[str]]:
        """Add the drafts not on the list yet, in one transaction; (added titles, already there)."""
        added: list[str] = []
        present: list[str] = []
        async with transaction(self.db):
            for draft in drafts:
                if await self.duplicate_of(guild_id, draft) is not None:
                    present.append(draft.title)
                    continue
                await self._insert(guild_id, draft, user_id)
                added.append(draft.title)
            if added:
                await audit.record(
                    self.db, guild_id, user_id, action, f"{len(added)} added: {', '.join(added)}"
                )
        return added, present

    async def remove(self, guild_id: int, paper_id: int, *, user_id: int) -> Paper | None:
        """Delete a paper with its reads and votes; None if it was not there."""
        async with transaction(self.db):
            current = await self.get(guild_id, paper_id)
            if current is None:
                return None
            await self.db.execute("DELETE FROM papers WHERE guild_id = ? AND id = ?", (guild_id, paper_id))
            await audit.record(self.db, guild_id, user_id, "papers.remove", f"#{paper_id} {current.title}")
        return current

    # --- member writes ---------------------------------------------------------------------

    async def _require(self, guild_id: int, paper_id: int) -> Paper:
        paper = await self.get(guild_id, paper_id)
        if paper is None:
            raise UserFacingError("That paper is no longer on the reading list.")
        return paper

    async def set_read(self, guild_id: int, paper_id: int, user_id: int, read: bool) -> bool:
        """Mark a paper read (or unread) for a member; False if it already was."""
        async with transaction(self.db):
            await self._require(guild_id, paper_id)
            if read:
                cursor = await self.db.execute(
                    "INSERT OR IGNORE INTO paper_reads (paper_id, guild_id, user_id) VALUES (?, ?, ?)",
                    (paper_id, guild_id, user_id),
                )
            else:
                cursor = await self.db.execute(
                    "DELETE FROM paper_reads WHERE guild_id = ? AND paper_id = ? AND user_id = ?",
                    (guild_id, paper_id, user_id),
                )
        return cursor.rowcount == 1

    async def set_vote(self, guild_id: int, paper_id: int, user_id: int, on: bool) -> bool:
        """Vote for a paper (``on``) or take the vote back; False if it already was so (a vote
        pressed twice counts once)."""
        async with transaction(self.db):
            await self._require(guild_id, paper_id)
            if on:
                cursor = await self.db.execute(
                    "INSERT OR IGNORE INTO paper_votes (paper_id, guild_id, user_id) VALUES (?, ?, ?)",
                    (paper_id, guild_id, user_id),
                )
            else:
                cursor = await self.db.execute(
                    "DELETE FROM paper_votes WHERE guild_id = ? AND paper_id = ? AND user_id = ?",
                    (guild_id, paper_id, user_id),
                )
        return cursor.rowcount == 1


__all__ = ["Paper", "PaperDraft", "PaperStore", "arxiv_url", "check_arxiv"]
