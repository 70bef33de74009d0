"""What /questions export plans to post, checked without Discord or a database."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.clock import utc
from bot.db.questions import Question
from bot.db.sessions import Session
from bot.errors import UserFacingError
from bot.local.rules.messages import CONTENT_LIMIT
from cogs.sessions._export import NO_THREADS, merged_into, plan_export

PARIS = ZoneInfo("Europe/Paris")
SESSION = Session(
    id=3,
    guild_id=1,
    series_id=1,
    number=1,
    week=1,
    title="HF course study group",
    topic="",
    starts_at=utc(2031, 3, 20, 17),
    ends_at=utc(2031, 3, 20, 18, 30),
    link="https://meet.example.org/hf",
    event_id=None,
    cancelled_at=None,
    channel_id=None,
)


def question(number: int, status: str = "open", *, merged: int | None = None, text: str = "") -> Question:
    return Question(
        id=number,
        guild_id=1,
        session_id=SESSION.id,
        user_id=100 + number,
        asker_name=f"Member {number}",
        anonymous=False,
        text=text or f"Question number {number}?",
        status=status,
        answer="Yes." if status == "answered" else None,
        merged_into=merged,
        channel_id=None,
        message_id=None,
        asked_at=utc(2031, 3, 20, 17, number),
        votes=number,
    )


QUESTIONS = [
    question(1, "answered"),
    question(2),
    question(3, "merged", merged=1),
    question(4, "merged", merged=1),
]


def test_merged_questions_are_folded_into_the_one_they_duplicate() -> None:
    assert merged_into(QUESTIONS) == {1: [3, 4]}
    plan = plan_export(SESSION, QUESTIONS, PARIS, "thread", can_create_threads=True)
    assert [item.id for item in plan.shown] == [1, 2]
    assert plan.format == "thread" and plan.note == "" and plan.data == b""
    assert plan.title == "Q&A — HF course study group (Thu 20 Mar 2031, 18:00)"
    assert plan.detail == "thread, 2 questions"
    text = "\n".join(plan.messages)
    assert "Question number 1?" in text and "Question number 2?" in text and "Question number 3?" not in text


def test_a_thread_without_the_permission_becomes_a_file_and_says_why() -> None:
    plan = plan_export(SESSION, QUESTIONS, PARIS, "thread", can_create_threads=False)
    assert plan.format == "file" and plan.note == NO_THREADS and plan.messages == []
    assert plan.title == "qa-session-3.md" and plan.data.decode().startswith("# Q&A — HF course study group")
    chosen = plan_export(SESSION, QUESTIONS, PARIS, "file", can_create_threads=True)
    assert chosen.format == "file" and chosen.note == "" and chosen.detail == "file, 2 questions"


def test_long_exports_are_cut_into_messages_within_discords_limit() -> None:
    many = [question(number, text="why " * 120) for number in range(1, 40)]
    plan = plan_export(SESSION, many, PARIS, "thread", can_create_threads=True)
    assert len(plan.messages) > 1 and all(len(message) <= CONTENT_LIMIT for message in plan.messages)


def test_nothing_to_export_is_refused() -> None:
    with pytest.raises(UserFacingError, match=r"No questions were asked for session #3"):
        plan_export(SESSION, [], PARIS, "file", can_create_threads=True)
