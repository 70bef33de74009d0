"""What ``/questions export`` posts, decided without Discord: a thread of messages, or a file.

:func:`plan_export` is a pure function of the session, its questions, the server's time zone and
whether the bot may create threads; the handler posts the plan and replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from bot.db.questions import Question
from bot.db.sessions import Session
from bot.errors import UserFacingError
from bot.replies import truncate
from cogs.sessions._questions_embeds import chunk_messages, export_blocks, export_markdown
from cogs.sessions._timing import local_text

ExportFormat = Literal["thread", "file"]
NO_THREADS = " (I can't create threads here, so it is a file)"


@dataclass(frozen=True)
class ExportPlan:
    """The questions to show (merged ones are folded into the question they duplicate) and how."""

    format: ExportFormat
    shown: list[Question]
    #: Thread: its name and its messages. File: its name and its bytes.
    title: str
    messages: list[str]
    data: bytes
    #: Why a thread became a file ("" otherwise).
    note: str

    @property
    def detail(self) -> str:
        """The audit line."""
        return f"{self.format}, {len(self.shown)} questions"


def merged_into(questions: Sequence[Question]) -> dict[int, list[int]]:
    """question id → the ids of the duplicates merged into it."""
    merged: dict[int, list[int]] = {}
    for question in questions:
        if question.status == "merged" and question.merged_into is not None:
            merged.setdefault(question.merged_into, []).append(question.id)
    return merged


def plan_export(
    session: Session,
    questions: Sequence[Question],
    zone: ZoneInfo,
    wanted: ExportFormat,
    *,
    can_create_threads: bool,
) -> ExportPlan:
    """The export of ``session``'s Q&A as ``wanted`` (a file when threads are not allowed)."""
    if not questions:
        raise UserFacingError(f"No questions were asked for session #{session.id} ({session.name}).")
    merged = merged_into(questions)
    shown = [question for question in questions if question.status != "merged"]
    if wanted == "thread" and can_create_threads:
        name = truncate(f"Q&A — {session.title} ({local_text(session.starts_at, zone)})", 100)
        messages = chunk_messages(export_blocks(session, shown, merged, zone))
        return ExportPlan("thread", shown, name, messages, b"", "")
    data = export_markdown(session, shown, merged, zone).encode()
    note = NO_THREADS if wanted == "thread" else ""
    return ExportPlan("file", shown, f"qa-session-{session.id}.md", [], data, note)


__all__ = ["ExportFormat", "ExportPlan", "merged_into", "plan_export"]
