"""/papers through the real bot and the Discord double: reading lists, reads, votes, progress."""

from __future__ import annotations

import logging
import re

import pytest

from bot.db import audit
from bot.db.papers import PaperStore
from bot.local.session import LocalSession

ATTENTION = "Attention Is All You Need"


def _store(session: LocalSession) -> PaperStore:
    assert session.bot is not None
    return PaperStore(session.bot.db)


async def _titles(session: LocalSession) -> list[str]:
    return [paper.title for paper in await _store(session).find(session.double.world.guild_id)]


async def _actions(session: LocalSession) -> list[str]:
    assert session.bot is not None
    return [entry.action for entry in await audit.recent(session.bot.db, session.double.world.guild_id)]


async def test_the_starter_list_is_week_one_and_idempotent(session: LocalSession) -> None:
    first = await session.run("/papers starter-list", moderator=True)
    assert first.reply.ephemeral and first.reply.content.startswith("Added 3 papers for week 1")
    second = await session.run("/papers starter-list", moderator=True)
    assert "already here" in second.reply.content and "nothing added" in second.reply.content
    papers = await _store(session).find(session.double.world.guild_id)
    assert [p.arxiv_id for p in papers] == ["1706.03762", "1810.04805", "1910.10683"]
    assert papers[0].url == "https://arxiv.org/abs/1706.03762"
    assert papers[0].companion_title == "The Illustrated Transformer"
    assert papers[1].companion_title == "The Illustrated BERT, ELMo, and co."
    assert "T5" in papers[2].title and not papers[2].companion_url
    assert all(p.week == 1 for p in papers)
    assert (await _actions(session)).count("papers.starter_list") == 1


async def test_a_moderator_adds_papers_with_companions_and_arxiv_links(session: LocalSession) -> None:
    done = await session.run(
        "/papers add title:Language Models are Few-Shot Learners arxiv:arXiv:2005.14165 week:3 theme:GPT "
        "companion:https://jalammar.github.io/how-gpt3-works-visualizations-animations/ "
        "companion_title:How GPT3 Works",
        moderator=True,
    )
    assert done.reply.ephemeral and done.reply.content.startswith(
        "Added **Language Models are Few-Shot Learners**"
    )
    assert "(https://arxiv.org/abs/2005.14165)" in done.reply.content
    (paper,) = await _store(session).find(session.double.world.guild_id)
    assert (paper.week, paper.theme, paper.arxiv_id) == (3, "GPT", "2005.14165")
    themed = await session.run(
        "/papers add title:ELMo url:https://arxiv.org/abs/1802.05365/ theme:Embeddings", moderator=True
    )
    assert "(Embeddings)" in themed.reply.content
    duplicate = await session.run("/papers add title:ELMo again arxiv:1802.05365", moderator=True)
    assert duplicate.reply.ephemeral and "already on the list as **ELMo**" in duplicate.reply.content
    assert await _actions(session) == ["papers.add", "papers.add"]


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ("title:X arxiv:17060.3762", "is not an arXiv id"),
        ("title:X arxiv:1713.03762", "is not an arXiv id"),
        ("title:X", "Give the paper's url, or its arxiv id"),
        ("title:X url:ftp://example.com/paper.pdf", "http:// or https://"),
        ("title:X arxiv:1706.03762 companion:not a link", "companion link contains spaces"),
        ("title:X arxiv:1706.03762 companion_title:Guide", "needs a companion link"),
    ],
)
async def test_bad_paper_input_is_refused(session: LocalSession, options: str, reason: str) -> None:
    refused = await session.run(f"/papers add {options}", moderator=True)
    assert refused.reply.ephemeral
    assert re.search(reason, refused.reply.content), refused.reply.content
    assert await _titles(session) == []


@pytest.mark.parametrize(
    "line",
    [
        f"/papers add title:{ATTENTION} arxiv:1706.03762",
        "/papers starter-list",
        "/papers progress",
        "/papers remove paper:1",
    ],
)
async def test_moderator_commands_are_refused_for_members(
    session: LocalSession, line: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.errors")
    refused = await session.run(line, user="Grace")
    assert refused.reply.ephemeral and "This is for moderators" in refused.reply.content
    assert any("Refused /papers" in record.getMessage() for record in caplog.records)
    assert await _titles(session) == []


async def test_members_read_and_moderators_see_progress(session: LocalSession) -> None:
    await session.run("/papers starter-list", moderator=True)
    choices = await session.autocomplete("/papers read paper:attention", "paper", user="Grace")
    assert [c["name"] for c in choices] == [f"{ATTENTION} · Week 1 · Transformers"]
    read = await session.run(f"/papers read paper:{choices[0]['value']}", user="Grace")
    assert read.reply.ephemeral and read.reply.content == f"📖 Marked **{ATTENTION}** as read."
    again = await session.run(f"/papers read paper:{ATTENTION}", user="Grace")
    assert again.reply.content == f"You had already read **{ATTENTION}**."
    await session.run(f"/papers read paper:{ATTENTION}", user="Linus")

    listed = await session.run("/papers list week:1", user="Grace")
    fields = listed.reply.embeds[0]["fields"]
    assert fields[0]["name"] == f"✅ {ATTENTION}"
    assert "📖 2 read" in fields[0]["value"] and "[The Illustrated Transformer]" in fields[0]["value"]
    assert "[arXiv 1706.03762](https://arxiv.org/abs/1706.03762)" in fields[0]["value"]
    assert not fields[1]["name"].startswith("✅")

    progress = await session.run("/papers progress week:1", moderator=True)
    first = progress.reply.embeds[0]["fields"][0]
    grace, linus = session.member("Grace").id, session.member("Linus").id
    assert first["value"] == f"2 read: <@{grace}>, <@{linus}>"
    unread = await session.run(f"/papers unread paper:{ATTENTION}", user="Grace")
    assert unread.reply.content == f"**{ATTENTION}** is no longer marked read."
    nothing = await session.run("/papers list week:9")
    assert nothing.reply.ephemeral and "No papers match" in nothing.reply.content
    unknown = await session.run("/papers read paper:Atention is all you need")
    assert f"Did you mean **{ATTENTION}**" in unknown.reply.content


async def test_votes_are_one_per_member_per_paper_and_undone_explicitly(session: LocalSession) -> None:
    await session.run("/papers starter-list", moderator=True)
    voted = await session.run("/papers vote paper:Attention Is All You Need", user="Grace")
    assert voted.reply.content.startswith(f"👍 You voted for **{ATTENTION}**")
    await session.run("/papers vote paper:Attention Is All You Need", user="Linus")
    t5 = next(p for p in await _store(session).find(session.double.world.guild_id) if "T5" in p.title)
    tally = await session.run(f"/papers vote paper:{t5.id}", user="Grace")
    description = tally.reply.embeds[0]["description"]
    assert description.splitlines()[0] == f"1. **{ATTENTION}** — 👍 2"
    assert "— 👍 1" in description.splitlines()[1]
    twice = await session.run("/papers vote paper:Attention Is All You Need", user="Grace")
    assert twice.reply.content == f"👍 You had already voted for **{ATTENTION}**."
    assert twice.reply.embeds[0]["description"].splitlines()[0] == f"1. **{ATTENTION}** — 👍 2"
    back = await session.click(twice.reply, "Undo", user="Grace")
    assert back.reply.content == f"You took back your vote for **{ATTENTION}**."
    again = await session.run("/papers unvote paper:Attention Is All You Need", user="Grace")
    assert again.reply.content == f"You had not voted for **{ATTENTION}**."
    counts = await _store(session).vote_counts(session.double.world.guild_id)
    assert sorted(counts.values()) == [1, 1]
    assert "papers.vote" not in await _actions(session)  # member actions are not moderator writes


async def test_remove_asks_first_and_takes_reads_and_votes_with_it(session: LocalSession) -> None:
    await session.run("/papers starter-list", moderator=True)
    await session.run(f"/papers read paper:{ATTENTION}", user="Grace")
    await session.run(f"/papers vote paper:{ATTENTION}", user="Grace")
    asked = await session.run(f"/papers remove paper:{ATTENTION}", moderator=True)
    assert asked.reply.ephemeral and "Remove **Attention" in asked.reply.content
    refused = await session.click(asked.reply, "Remove", user="Grace")
    assert "moderators" in refused.reply.content
    await session.restart()
    removed = await session.click(asked.reply, "Remove", moderator=True)
    assert removed.reply.content == f"Removed **{ATTENTION}** from the reading list."
    assert ATTENTION not in await _titles(session)
    guild = session.double.world.guild_id
    assert await _store(session).read_counts(guild) == {} and await _store(session).vote_counts(guild) == {}
    gone = await session.run(f"/papers read paper:{ATTENTION}", user="Grace")
    assert gone.reply.ephemeral and "no paper called" in gone.reply.content


async def test_list_filters_by_theme_and_autocomplete_is_bounded(session: LocalSession) -> None:
    for n in range(30):
        await session.run(
            f"/papers add title:Paper {n:02d} url:https://example.com/p/{n} theme:Theme {n % 3}",
            moderator=True,
        )
    assert len(await session.autocomplete("/papers vote paper:", "paper")) == 25
    themes = await session.autocomplete("/papers list theme:", "theme")
    assert [c["value"] for c in themes] == ["Theme 0", "Theme 1", "Theme 2"]
    themed = await session.run("/papers list theme:theme 1")
    assert len(themed.reply.embeds[0]["fields"]) == 8
    everything = await session.run("/papers list")
    assert len(everything.reply.embeds[0]["fields"]) == 8
    assert everything.reply.embeds[0]["footer"]["text"].startswith("Page 1 of 4 · 30 papers")
    last = everything.reply
    for page in range(2, 5):
        turned = await session.click(last, "Next ▶")
        assert turned.reply.id == last.id  # the same message turns its page
        assert turned.reply.embeds[0]["footer"]["text"].startswith(f"Page {page} of 4")
    names = [field["name"] for field in last.embeds[0]["fields"]]
    # The list is grouped by theme, then in the order added: the last page ends Theme 2.
    assert names == [f"Paper {n:02d}" for n in (14, 17, 20, 23, 26, 29)]
    back = await session.click(last, "◀ Previous")
    assert back.reply.embeds[0]["footer"]["text"].startswith("Page 3 of 4")
    themed_pages = await session.run("/papers list theme:Theme 1")
    assert themed_pages.reply.embeds[0]["footer"]["text"].startswith("Page 1 of 2 · 10 papers")
    second = await session.click(themed_pages.reply, "Next ▶")
    assert [field["name"] for field in second.reply.embeds[0]["fields"]] == ["Paper 25", "Paper 28"]


async def test_read_and_vote_from_the_list_with_undo(session: LocalSession) -> None:
    await session.run("/papers starter-list", moderator=True)
    listed = await session.run("/papers list", user="Grace")
    papers = await _store(session).find(session.double.world.guild_id)
    attention = next(paper for paper in papers if paper.title == ATTENTION)
    read = await session.choose(listed.reply, "Mark one as read…", [str(attention.id)], user="Grace")
    assert listed.reply.embeds[0]["fields"][0]["name"] == f"✅ {ATTENTION}"  # the list redrawn
    (confirmation,) = [m for m in read.messages if m.id != listed.reply.id]
    assert confirmation.ephemeral and confirmation.content == f"📖 Marked **{ATTENTION}** as read."
    twice = await session.choose(listed.reply, "Mark one as read…", [str(attention.id)], user="Grace")
    (again,) = [m for m in twice.messages if m.id != listed.reply.id]
    assert again.content == f"You had already read **{ATTENTION}**."
    assert await _store(session).read_counts(session.double.world.guild_id) == {attention.id: 1}
    undone = await session.click(again, "Undo", user="Grace")
    assert undone.reply.content == f"**{ATTENTION}** is no longer marked read."
    assert await _store(session).read_counts(session.double.world.guild_id) == {}

    voted = await session.choose(listed.reply, "Vote for the next one…", [str(attention.id)], user="Grace")
    assert "👍 1 (your vote)" in listed.reply.embeds[0]["fields"][0]["value"]
    (vote_note,) = [m for m in voted.messages if m.id != listed.reply.id]
    assert vote_note.content == f"👍 You voted for **{ATTENTION}**."
    await session.click(vote_note, "Undo", user="Grace")
    assert await _store(session).vote_counts(session.double.world.guild_id) == {}


async def test_a_title_up_to_the_stores_limit_is_accepted(session: LocalSession) -> None:
    title = "A" * 150
    added = await session.run(f"/papers add title:{title} arxiv:1706.03762", moderator=True)
    assert added.reply.content.startswith(f"Added **{title}**")
    option = next(
        option
        for command in session.schemas()
        if command["name"] == "papers"
        for sub in command["options"]
        if sub["name"] == "add"
        for option in sub["options"]
        if option["name"] == "title"
    )
    assert option["max_length"] == 150
    listed = await session.run("/papers list")
    assert listed.reply.embeds[0]["fields"][0]["name"] == title


async def test_the_empty_list_says_how_to_start_one(session: LocalSession) -> None:
    empty = await session.run("/papers list")
    assert empty.reply.ephemeral and "/papers starter-list" in empty.reply.content


async def test_paper_commands_only_work_in_a_server(session: LocalSession) -> None:
    assert next(s for s in session.schemas() if s["name"] == "papers").get("contexts") == [0]
    refused = await session.run("/papers list", dm=True)
    assert refused.reply.ephemeral and "only works in a server" in refused.reply.content
