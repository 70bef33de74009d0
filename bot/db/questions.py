"""The live Q&A queue (``/ask``, ``/questions``): members' questions for a session and their votes.

Every query is filtered by ``guild_id``. Each write is one unit of work through
:func:`bot.db.transaction.transaction`; moderator writes are audited in it. The asker's id is
kept (for the open-question limit and withdrawing) but an anonymous question stores no name, and
nothing here puts the asker of an anonymous question into an audit entry.

Statuses: ``open`` (in the queue) → ``answering`` (a moderator pressed Next) → ``answered``;
``open``/``answering`` → ``skipped`` or ``merged`` (into a duplicate, votes carried over);
``open`` → ``withdrawn`` (by the asker).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from bot.db import audit, posted
from bot.db.connection import StoreConnection
from bot.db.reminders import from_text, to_text
from bot.db.transaction import transaction
from bot.errors import UserFacingError

log = logging.getLogger(__name__)

QUESTION_MAX = 500
ANSWER_MAX = 1000
#: Questions one member may have waiting (open or being answered) for one session.
MAX_OPEN_PER_MEMBER = 3
OPEN_STATUSES = ("open", "answering")


@dataclass(frozen=True)
class Question:
    """One question as stored, with its vote count."""

    id: int
    guild_id: int
    session_id: int
    user_id: int
    asker_name: str | None  # None for anonymous questions
    anonymous: bool
    text: str
    status: str
    answer: str | None
    merged_into: int | None
    channel_id: int | None
    message_id: int | None
    asked_at: datetime
    votes: int

    @property
    def waiting(self) -> bool:
        """Still to be dealt with (open or being answered)."""
        return self.status in OPEN_STATUSES

    @property
    def asker(self) -> str:
        """Who asked it, as shown to anyone: the name, or "anonymous"."""
        return "anonymous" if self.anonymous or not self.asker_name else self.asker_name


_SELECT = (
    "SELECT q.id, q.guild_id, q.session_id, q.user_id, q.asker_name, q.anonymous, q.text, q.status, "
    "q.answer, q.merged_into, q.channel_id, q.message_id, q.asked_at, "
    "(SELECT COUNT(*) FROM question_votes v WHERE v.question_id = q.id) AS votes FROM questions q"
)
_QUEUE_ORDER = "ORDER BY votes DESC, q.asked_at, q.id"


def _question(row: aiosqlite.Row) -> Question:
    return Question(
        id=row["id"],
        guild_id=row["guild_id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        asker_name=row["asker_name"],
        anonymous=bool(row["anonymous"]),
        text=row["text"],
        status=row["status"],
        answer=row["answer"],
        merged_into=row["merged_into"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        asked_at=from_text(row["asked_at"]),
        votes=row["votes"],
    )


def check_question(text: str) -> str:
    """The question as it will be stored (trimmed), or a sentence saying what is wrong."""
    value = text.strip()
    if not value:
        raise UserFacingError("The question is empty: type what you would like the presenter to answer.")
    if len(value) > QUESTION_MAX:
        raise UserFacingError(
            f"The question is {len(value)} characters long; the limit is {QUESTION_MAX}. Shorten it a little."
        )
    return value


class QuestionStore:
    """One method per query over ``questions`` and ``question_votes``."""

    def __init__(self, db: StoreConnection) -> None:
        self.db = db

    # --- reads ---------------------------------------------------------------------------

    async def _many(self, where: str, args: tuple[Any, ...]) -> list[Question]:
        async with self.db.execute(f"{_SELECT} WHERE {where}", args) as cursor:
            return [_question(row) for row in await cursor.fetchall()]

    async def get(self, guild_id: int, question_id: int) -> Question | None:
        """One question of this server."""
        found = await self._many("q.guild_id = ? AND q.id = ?", (guild_id, question_id))
        return found[0] if found else None

    async def queue(self, guild_id: int, session_id: int) -> list[Question]:
        """A session's open questions: most votes first, then oldest first."""
        return await self._many(
            f"q.guild_id = ? AND q.session_id = ? AND q.status = 'open' {_QUEUE_ORDER}",
            (guild_id, session_id),
        )

    async def answering(self, guild_id: int, session_id: int) -> Question | None:
        """The question being answered in a session, if any."""
        found = await self._many(
            "q.guild_id = ? AND q.session_id = ? AND q.status = 'answering' ORDER BY q.id LIMIT 1",
            (guild_id, session_id),
        )
        return found[0] if found else None

    async def for_session(self, guild_id: int, session_id: int) -> list[Question]:
        """Every question of a session except withdrawn ones, most votes first (for exports)."""
        return await self._many(
            f"q.guild_id = ? AND q.session_id = ? AND q.status != 'withdrawn' {_QUEUE_ORDER}",
            (guild_id, session_id),
        )

    async def counts(self, guild_id: int, session_id: int) -> dict[str, int]:
        """How many questions of a session are in each status."""
        async with self.db.execute(
            "SELECT status, COUNT(*) FROM questions WHERE guild_id = ? AND session_id = ? GROUP BY status",
            (guild_id, session_id),
        ) as cursor:
            return {row[0]: row[1] for row in await cursor.fetchall()}

    async def waiting_by_member(self, guild_id: int, user_id: int, *, limit: int = 25) -> list[Question]:
        """A member's questions still open or being answered, newest first."""
        return await self._many(
            "q.guild_id = ? AND q.user_id = ? AND q.status IN ('open', 'answering') "
            "ORDER BY q.id DESC LIMIT ?",
            (guild_id, user_id, limit),
        )

    async def _require(self, guild_id: int, question_id: int) -> Question:
        question = await self.get(guild_id, question_id)
        if question is None:
            raise UserFacingError(f"There is no question #{question_id} on this server.")
        return question

    # --- member writes ---------------------------------------------------------------------

    async def ask(
        self,
        guild_id: int,
        session_id: int,
        user_id: int,
        text: str,
        *,
        asker_name: str | None,
        anonymous: bool,
        now: datetime,
        channel_id: int | None = None,
    ) -> Question:
        """Queue a question (checked: its text, the member's open-question limit, repeats); with
        ``channel_id``, its public post there is pending until :meth:`attach_message`."""
        value = check_question(text)
        async with transaction(self.db):
            async with self.db.execute(
                "SELECT id, text FROM questions WHERE guild_id = ? AND session_id = ? AND user_id = ? "
                "AND status IN ('open', 'answering')",
                (guild_id, session_id, user_id),
            ) as cursor:
                waiting = [(row[0], row[1]) for row in await cursor.fetchall()]
            for question_id, asked in waiting:
                if asked.casefold() == value.casefold():
                    raise UserFacingError(
                        f"You already asked that: it is question #{question_id}, still in the queue."
                    )
            if len(waiting) >= MAX_OPEN_PER_MEMBER:
                numbers = ", ".join(f"#{question_id}" for question_id, _ in waiting)
                raise UserFacingError(
                    f"You already have {len(waiting)} questions waiting for this session ({numbers}); the "
                    f"limit is {MAX_OPEN_PER_MEMBER}. Wait until one is answered, or withdraw one first."
                )
            cursor = await self.db.execute(
                "INSERT INTO questions (guild_id, session_id, user_id, asker_name, anonymous, text, "
                "asked_at, channel_id, post_pending) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    session_id,
                    user_id,
                    None if anonymous else asker_name,
                    int(anonymous),
                    value,
                    to_text(now),
                    channel_id,
                    int(channel_id is not None),
                ),
            )
            assert cursor.lastrowid is not None
            question = await self._require(guild_id, cursor.lastrowid)
        log.info("Question %d queued for session %d in guild %d", question.id, session_id, guild_id)
        return question

    async def attach_message(self, guild_id: int, question_id: int, channel_id: int, message_id: int) -> None:
        """Remember where a question's public post (with its buttons) is."""
        async with transaction(self.db):
            await self.db.execute(
                "UPDATE questions SET channel_id = ?, message_id = ?, post_pending = 0 "
                "WHERE guild_id = ? AND id = ?",
                (channel_id, message_id, guild_id, question_id),
            )

    async def pending_posts(self) -> list[Question]:
        """Open questions whose public post was not attached (a stop came between), every server."""
        async with self.db.execute(
            f"{_SELECT} WHERE q.post_pending = 1 AND q.status IN ('open', 'answering') ORDER BY q.id"
        ) as cursor:
            return [_question(row) for row in await cursor.fetchall()]

    async def forget_messages(self, guild_id: int, channel_id: int, message_ids: list[int]) -> list[int]:
        """Forget public posts deleted in Discord (the questions stay); returns the question ids."""
        return await posted.forget_messages(self.db, "questions", guild_id, channel_id, message_ids)

    async def set_vote(
        self, guild_id: int, question_id: int, user_id: int, on: bool, *, now: datetime
    ) -> tuple[Question, bool]:
        """Upvote (``on``) or take the upvote back; returns the question and whether anything changed
        (an upvote pressed twice counts once)."""
        async with transaction(self.db):
            question = await self._require(guild_id, question_id)
            if question.status != "open":
                raise UserFacingError(
                    f"Question #{question_id} is no longer in the queue, so votes are closed."
                )
            if question.user_id == user_id:
                raise UserFacingError(
                    "That is your own question: it is in the queue already, no need to upvote it."
                )
            if on:
                cursor = await self.db.execute(
                    "INSERT OR IGNORE INTO question_votes (question_id, guild_id, user_id, voted_at) "
                    "VALUES (?, ?, ?, ?)",
                    (question_id, guild_id, user_id, to_text(now)),
                )
            else:
                cursor = await self.db.execute(
                    "DELETE FROM question_votes WHERE guild_id = ? AND question_id = ? AND user_id = ?",
                    (guild_id, question_id, user_id),
                )
            changed = cursor.rowcount == 1
            question = await self._require(guild_id, question_id)
        return question, changed

    async def withdraw(self, guild_id: int, question_id: int, user_id: int, *, now: datetime) -> Question:
        """The asker takes their question back (only while it is open)."""
        async with transaction(self.db):
            question = await self._require(guild_id, question_id)
            if question.user_id != user_id:
                raise UserFacingError(f"Only the member who asked question #{question_id} can withdraw it.")
            if question.status == "answering":
                raise UserFacingError(f"Question #{question_id} is being answered right now.")
            if question.status != "open":
                raise UserFacingError(
                    f"Question #{question_id} is no longer in the queue ({question.status})."
                )
            await self.db.execute(
                "UPDATE questions SET status = 'withdrawn', closed_at = ? WHERE guild_id = ? AND id = ?",
                (to_text(now), guild_id, question_id),
            )
            return await self._require(guild_id, question_id)

    # --- moderator writes ------------------------------------------------------------------

    async def take_next(self, guild_id: int, session_id: int, *, user_id: int) -> Question:
        """Mark the top of the queue as being answered (refused while another one is)."""
        async with transaction(self.db):
            current = await self.answering(guild_id, session_id)
            if current is not None:
                raise UserFacingError(
                    f"Question #{current.id} is still being answered: press **Answered** or **Skip** first."
                )
            queue = await self.queue(guild_id, session_id)
            if not queue:
                raise UserFacingError("The queue is empty: there is no question to take next.")
            question = queue[0]
            await self.db.execute(
                "UPDATE questions SET status = 'answering', handled_by = ? WHERE guild_id = ? AND id = ?",
                (user_id, guild_id, question.id),
            )
            await audit.record(
                self.db, guild_id, user_id, "question.next", f"#{question.id} (session {session_id})"
            )
            return await self._require(guild_id, question.id)

    async def close(
        self,
        guild_id: int,
        question_id: int,
        status: str,
        *,
        user_id: int,
        now: datetime,
        answer: str | None = None,
    ) -> Question:
        """Mark a waiting question ``answered`` (with an optional written answer) or ``skipped``."""
        if status not in ("answered", "skipped"):
            raise ValueError(f"cannot close a question as {status!r}")
        text = (answer or "").strip() or None
        if text is not None and len(text) > ANSWER_MAX:
            raise UserFacingError(f"The answer is {len(text)} characters long; the limit is {ANSWER_MAX}.")
        async with transaction(self.db):
            question = await self._require(guild_id, question_id)
            if not question.waiting:
                raise UserFacingError(f"Question #{question_id} is already {question.status}.")
            await self.db.execute(
                "UPDATE questions SET status = ?, answer = ?, closed_at = ?, handled_by = ? "
                "WHERE guild_id = ? AND id = ?",
                (status, text, to_text(now), user_id, guild_id, question_id),
            )
            action = "question.answered" if status == "answered" else "question.skip"
            detail = f"#{question_id}" + (" with a written answer" if text else "")
            await audit.record(self.db, guild_id, user_id, action, detail)
            return await self._require(guild_id, question_id)

    async def merge(
        self, guild_id: int, duplicate_id: int, target_id: int, *, user_id: int, now: datetime
    ) -> tuple[Question, Question]:
        """Fold a duplicate into another question of the same session; returns (duplicate, target).

        The target keeps every vote of both (a member counts once) plus one for the duplicate's
        asker, who wanted it answered too (unless they asked the target as well).
        """
        if duplicate_id == target_id:
            raise UserFacingError("A question cannot be a duplicate of itself.")
        async with transaction(self.db):
            duplicate = await self._require(guild_id, duplicate_id)
            target = await self._require(guild_id, target_id)
            if not duplicate.waiting:
                raise UserFacingError(f"Question #{duplicate_id} is already {duplicate.status}.")
            if not target.waiting:
                raise UserFacingError(
                    f"Question #{target_id} is already {target.status}: pick a waiting one."
                )
            if duplicate.session_id != target.session_id:
                raise UserFacingError("Only questions of the same session can be merged.")
            await self.db.execute(
                "INSERT OR IGNORE INTO question_votes (question_id, guild_id, user_id, voted_at) "
                "SELECT ?, guild_id, user_id, voted_at FROM question_votes "
                "WHERE guild_id = ? AND question_id = ? AND user_id != ?",
                (target_id, guild_id, duplicate_id, target.user_id),
            )
            if duplicate.user_id != target.user_id:
                await self.db.execute(
                    "INSERT OR IGNORE INTO question_votes (question_id, guild_id, user_id, voted_at) "
                    "VALUES (?, ?, ?, ?)",
                    (target_id, guild_id, duplicate.user_id, to_text(now)),
                )
            await self.db.execute(
                "UPDATE questions SET status = 'merged', merged_into = ?, closed_at = ?, handled_by = ? "
                "WHERE guild_id = ? AND id = ?",
                (target_id, to_text(now), user_id, guild_id, duplicate_id),
            )
            await audit.record(
                self.db, guild_id, user_id, "question.merge", f"#{duplicate_id} into #{target_id}"
            )
            return await self._require(guild_id, duplicate_id), await self._require(guild_id, target_id)

    async def merged_into(self, guild_id: int, target_id: int) -> list[int]:
        """The questions merged into one, oldest first."""
        async with self.db.execute(
            "SELECT id FROM questions WHERE guild_id = ? AND merged_into = ? ORDER BY id",
            (guild_id, target_id),
        ) as cursor:
            return [row[0] for row in await cursor.fetchall()]

    async def record_export(self, guild_id: int, session_id: int, *, user_id: int, detail: str) -> None:
        """Audit a moderator's export of a session's Q&A."""
        async with transaction(self.db):
            await audit.record(
                self.db, guild_id, user_id, "question.export", f"session {session_id}: {detail}"
            )


__all__ = [
    "ANSWER_MAX",
    "MAX_OPEN_PER_MEMBER",
    "QUESTION_MAX",
    "Question",
    "QuestionStore",
    "check_question",
]
