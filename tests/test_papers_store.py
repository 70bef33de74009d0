"""PaperStore and arXiv ids, without Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.db import apply_migrations, audit, open_database
from bot.db.papers import PaperDraft, PaperStore, check_arxiv
from bot.errors import UserFacingError
from cogs.homework._papers_cog import starter_drafts

GUILD_A, GUILD_B, MOD, MEMBER = 111, 222, 7, 8


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    connection = await open_database(tmp_path / "store.sqlite3")
    await apply_migrations(connection)
    yield connection
    await connection.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1706.03762", "1706.03762"),
        (" arXiv:1810.04805v2 ", "1810.04805v2"),
        ("https://arxiv.org/abs/1910.10683", "1910.10683"),
        ("https://arxiv.org/pdf/1910.10683v4.pdf", "1910.10683v4"),
        ("0704.0001", "0704.0001"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
    ],
)
def test_arxiv_ids_are_recognised(text: str, expected: str) -> None:
    assert check_arxiv(text) == expected


@pytest.mark.parametrize(
    "text", ["1706.0376", "1713.03762", "17060.3762", "attention", "https://example.com/1706.03762"]
)
def test_bad_arxiv_ids_are_refused(text: str) -> None:
    with pytest.raises(UserFacingError, match="not an arXiv id"):
        check_arxiv(text)


def test_the_starter_data_file_is_valid() -> None:
    drafts = starter_drafts()
    assert [d.url for d in drafts] == [
        "https://arxiv.org/abs/1706.03762",
        "https://arxiv.org/abs/1810.04805",
        "https://arxiv.org/abs/1910.10683",
    ]
    assert drafts[0].companion_url == "https://jalammar.github.io/illustrated-transformer/"
    assert drafts[1].companion_url == "https://jalammar.github.io/illustrated-bert/"


async def test_one_server_cannot_read_or_change_anothers_papers(db: aiosqlite.Connection) -> None:
    store = PaperStore(db)
    draft = PaperDraft.build(title="Attention", arxiv="1706.03762", week=1)
    mine = await store.add(GUILD_A, draft, user_id=MOD)
    theirs = await store.add(GUILD_B, draft, user_id=MOD)  # each server keeps its own list
    await store.set_read(GUILD_A, mine.id, MEMBER, True)
    await store.set_vote(GUILD_A, mine.id, MEMBER, True)
    assert [p.id for p in await store.find(GUILD_B)] == [theirs.id]
    assert await store.get(GUILD_B, mine.id) is None
    assert await store.remove(GUILD_B, mine.id, user_id=MOD) is None
    for attempt in (
        store.set_read(GUILD_B, mine.id, MEMBER, True),
        store.set_read(GUILD_B, mine.id, MEMBER, False),
        store.set_vote(GUILD_B, mine.id, MEMBER, True),
    ):
        with pytest.raises(UserFacingError, match="no longer on the reading list"):
            await attempt
    assert await store.read_counts(GUILD_B) == {} and await store.vote_counts(GUILD_B) == {}
    assert await store.read_ids(GUILD_B, MEMBER) == set() and await store.vote_ids(GUILD_B, MEMBER) == set()
    assert await store.read_counts(GUILD_A) == {mine.id: 1} and await store.vote_counts(GUILD_A) == {
        mine.id: 1
    }
    assert await store.get(GUILD_A, mine.id) == mine


async def test_starter_list_lands_whole_or_not_at_all(
    db: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = PaperStore(db)

    async def broken_audit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken_audit)
    with pytest.raises(RuntimeError):
        await store.add_missing(GUILD_A, starter_drafts(), user_id=MOD, action="papers.starter_list")
    monkeypatch.undo()
    assert await store.find(GUILD_A) == []
    added, present = await store.add_missing(
        GUILD_A, starter_drafts(), user_id=MOD, action="papers.starter_list"
    )
    assert len(added) == 3 and present == []
    added, present = await store.add_missing(
        GUILD_A, starter_drafts(), user_id=MOD, action="papers.starter_list"
    )
    assert added == [] and len(present) == 3


async def test_votes_and_reads_are_idempotent(db: aiosqlite.Connection) -> None:
    store = PaperStore(db)
    paper = await store.add(GUILD_A, PaperDraft.build(title="T5", arxiv="1910.10683"), user_id=MOD)
    assert await store.set_vote(GUILD_A, paper.id, MEMBER, True) is True
    assert await store.set_vote(GUILD_A, paper.id, MEMBER, True) is False  # pressed twice: one vote
    assert await store.vote_counts(GUILD_A) == {paper.id: 1}
    assert await store.set_vote(GUILD_A, paper.id, MEMBER, False) is True
    assert await store.set_vote(GUILD_A, paper.id, MEMBER, False) is False
    assert await store.set_vote(GUILD_A, paper.id, MEMBER, True) is True
    assert await store.vote_counts(GUILD_A) == {paper.id: 1}
    assert await store.set_read(GUILD_A, paper.id, MEMBER, True) is True
    assert await store.set_read(GUILD_A, paper.id, MEMBER, True) is False
    assert await store.readers(GUILD_A, paper.id) == [MEMBER]
    assert [e.action for e in await audit.recent(db, GUILD_A)] == ["papers.add"]
