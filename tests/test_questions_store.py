"""QuestionStore on a real SQLite file: queue order, limits, votes, merging, servers apart."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiosqlite
import pytest

from bot.clock import utc
from bot.db import apply_migrations, open_database
from bot.db.questions import MAX_OPEN_PER_MEMBER, QuestionStore
from bot.db.sessions import SessionDraft, SessionStore
from bot.errors import UserFacingError

GUILD, OTHER = 111, 222
NOW = utc(2031, 3, 17, 9)
ADA, GRACE, LINUS, ALAN = 1, 2, 3, 4


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    connection = await open_database(tmp_path / "questions.sqlite3")
    await apply_migrations(connection)
    yield connection
    await connection.close()


async def new_session(db: aiosqlite.Connection, guild_id: int) -> int:
    start = utc(2031, 3, 20, 17)
    draft = SessionDraft(
        1, 1, "Study group", "", start, start + timedelta(hours=1), "https://meet.example.org/x"
    )
    (session,) = await SessionStore(db).schedule(
        guild_id, "Study group", [draft], user_id=ADA, channel_id=9, lead=timedelta(minutes=30), detail="t"
    )
    return session.id


async def ask(store: QuestionStore, session_id: int, user: int, text: str, minutes: int = 0, **kw):
    return await store.ask(
        GUILD,
        session_id,
        user,
        text,
        asker_name=kw.get("name", f"user{user}"),
        anonymous=kw.get("anonymous", False),
        now=NOW + timedelta(minutes=minutes),
    )


async def test_the_queue_is_ordered_by_votes_then_age(db: aiosqlite.Connection) -> None:
    session = await new_session(db, GUILD)
    store = QuestionStore(db)
    first = await ask(store, session, GRACE, "What is attention?", 0)
    second = await ask(store, session, LINUS, "Why layer norm?", 1)
    third = await ask(store, session, ALAN, "What is a tokenizer?", 2)
    assert [q.id for q in await store.queue(GUILD, session)] == [first.id, second.id, third.id]
    await store.set_vote(GUILD, third.id, GRACE, True, now=NOW)
    await store.set_vote(GUILD, second.id, GRACE, True, now=NOW)
    await store.set_vote(GUILD, third.id, LINUS, True, now=NOW)
    assert [(q.id, q.votes) for q in await store.queue(GUILD, session)] == [
        (third.id, 2),
        (second.id, 1),
        (first.id, 0),
    ]
    question, changed = await store.set_vote(GUILD, third.id, LINUS, True, now=NOW)  # pressed twice
    assert not changed and question.votes == 2
    question, changed = await store.set_vote(GUILD, third.id, LINUS, False, now=NOW)  # taken back
    assert changed and question.votes == 1
    assert [q.id for q in await store.queue(GUILD, session)] == [second.id, third.id, first.id]  # older first


async def test_own_votes_limits_and_repeats_are_refused(db: aiosqlite.Connection) -> None:
    session = await new_session(db, GUILD)
    store = QuestionStore(db)
    asked = [await ask(store, session, GRACE, f"Question {n}") for n in range(MAX_OPEN_PER_MEMBER)]
    with pytest.raises(UserFacingError, match="own question"):
        await store.set_vote(GUILD, asked[0].id, GRACE, True, now=NOW)
    await ask(store, session, LINUS, "Same")
    with pytest.raises(UserFacingError, match="already asked that"):
        await ask(store, session, LINUS, "  same ")
    with pytest.raises(UserFacingError, match=rf"the limit is {MAX_OPEN_PER_MEMBER}"):
        await ask(store, session, GRACE, "One too many")
    await store.withdraw(GUILD, asked[0].id, GRACE, now=NOW)  # room again
    await ask(store, session, GRACE, "Now it fits")
    with pytest.raises(UserFacingError, match="limit is 500"):
        await ask(store, session, LINUS, "x" * 501)
    with pytest.raises(UserFacingError, match="empty"):
        await ask(store, session, LINUS, "   ")


async def test_next_answer_skip_and_merge(db: aiosqlite.Connection) -> None:
    session = await new_session(db, GUILD)
    store = QuestionStore(db)
    top = await ask(store, session, GRACE, "What is attention?")
    dup = await ask(store, session, LINUS, "Attention, what is it?", 1)
    other = await ask(store, session, ALAN, "Why softmax?", 2)
    await store.set_vote(GUILD, top.id, LINUS, True, now=NOW)
    await store.set_vote(GUILD, dup.id, ALAN, True, now=NOW)
    await store.set_vote(GUILD, dup.id, GRACE, True, now=NOW)  # Grace asked the target: dropped there
    taken = await store.take_next(GUILD, session, user_id=ADA)
    assert taken.id == dup.id and taken.status == "answering"  # two votes beat one
    with pytest.raises(UserFacingError, match="still being answered"):
        await store.take_next(GUILD, session, user_id=ADA)
    merged, target = await store.merge(GUILD, dup.id, top.id, user_id=ADA, now=NOW)
    assert merged.status == "merged" and merged.merged_into == top.id
    # Linus (voted, and asked the duplicate: counted once) and Alan (from the duplicate).
    assert target.votes == 2
    assert await store.merged_into(GUILD, top.id) == [dup.id]
    answered = await store.close(GUILD, top.id, "answered", user_id=ADA, now=NOW, answer="  Weighted sums.  ")
    assert answered.answer == "Weighted sums."
    skipped = await store.close(GUILD, other.id, "skipped", user_id=ADA, now=NOW)
    assert skipped.status == "skipped" and await store.queue(GUILD, session) == []
    with pytest.raises(UserFacingError, match="already answered"):
        await store.close(GUILD, top.id, "skipped", user_id=ADA, now=NOW)
    async with db.execute(
        "SELECT action, detail FROM audit_log WHERE action LIKE 'question.%' ORDER BY id"
    ) as cursor:
        actions = [row[0] for row in await cursor.fetchall()]
    assert actions == ["question.next", "question.merge", "question.answered", "question.skip"]


async def test_anonymous_questions_store_no_name(db: aiosqlite.Connection) -> None:
    session = await new_session(db, GUILD)
    store = QuestionStore(db)
    question = await ask(store, session, GRACE, "Is this silly?", name="Grace", anonymous=True)
    assert question.asker_name is None and question.asker == "anonymous"
    async with db.execute("SELECT asker_name FROM questions WHERE id = ?", (question.id,)) as cursor:
        assert (await cursor.fetchone())[0] is None
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute(
            "INSERT INTO questions (guild_id, session_id, user_id, asker_name, anonymous, text, asked_at) "
            "VALUES (?, ?, ?, 'Grace', 1, 'x', 'now')",
            (GUILD, session, GRACE),
        )
    await db.rollback()


async def test_only_the_asker_withdraws(db: aiosqlite.Connection) -> None:
    session = await new_session(db, GUILD)
    store = QuestionStore(db)
    question = await ask(store, session, GRACE, "Mine")
    with pytest.raises(UserFacingError, match="Only the member who asked"):
        await store.withdraw(GUILD, question.id, LINUS, now=NOW)
    assert (await store.withdraw(GUILD, question.id, GRACE, now=NOW)).status == "withdrawn"
    assert await store.for_session(GUILD, session) == []


async def test_one_server_never_reads_or_changes_anothers_questions(db: aiosqlite.Connection) -> None:
    session = await new_session(db, GUILD)
    await new_session(db, OTHER)
    store = QuestionStore(db)
    question = await ask(store, session, GRACE, "Ours")
    assert await store.get(OTHER, question.id) is None
    assert await store.queue(OTHER, session) == []
    assert await store.for_session(OTHER, session) == []
    assert await store.waiting_by_member(OTHER, GRACE) == []
    for attempt in (
        store.set_vote(OTHER, question.id, LINUS, True, now=NOW),
        store.withdraw(OTHER, question.id, GRACE, now=NOW),
        store.close(OTHER, question.id, "answered", user_id=ADA, now=NOW),
    ):
        with pytest.raises(UserFacingError, match="no question"):
            await attempt
    with pytest.raises(UserFacingError, match="empty"):
        await store.take_next(OTHER, session, user_id=ADA)
    unchanged = await store.get(GUILD, question.id)
    assert unchanged is not None and unchanged.status == "open" and unchanged.votes == 0
