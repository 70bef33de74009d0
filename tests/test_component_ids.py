"""Buttons and selects on messages posted by earlier versions keep working.

Every custom id below is written out as the bot wrote it when these messages were posted (one per
component format the bot has ever used); each is pressed on a message that carries only that
component, as an old message in a server would, and must get the same answer as it did then.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.clock import ManualClock, utc
from bot.inference.pool import InferencePool
from bot.local.session import Exchange, LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings
from tests.support.sessions import channel_posts, clocked, schedule, setup_guild

Env = tuple[LocalSession, ManualClock]
LIVE = utc(2031, 3, 20, 17, 10)  # ten minutes into the first session (Thursday 18:00 in Paris)
SENTIMENT_MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"


@pytest.fixture
async def env(settings: Settings, shared_pool: InferencePool) -> AsyncIterator[Env]:
    async with clocked(settings, shared_pool) as (session, clock):
        await setup_guild(session)  # sessions in #sessions, questions in #general
        yield session, clock


def old_component(custom_id: str, options: list[dict[str, Any]] | None) -> dict[str, Any]:
    if options is None:
        return {"type": 2, "style": 2, "label": "Old button", "custom_id": custom_id}
    return {"type": 3, "custom_id": custom_id, "options": options, "min_values": 1, "max_values": 1}


async def press(
    session: LocalSession,
    message: StoredMessage,
    custom_id: str,
    *,
    values: list[str] | None = None,
    options: list[dict[str, Any]] | None = None,
    user: str | None = None,
    moderator: bool = False,
) -> Exchange:
    """Press ``custom_id`` on ``message``, as if the message carried only that old component.

    A select is chosen when ``values`` is given (its options default to one placeholder option).
    """
    if values is not None and options is None:
        options = [{"label": value, "value": value} for value in values]
    member = session.member(user, moderator=moderator)
    kind = 2 if values is None else 3
    payload = session.payloads.component(message, custom_id, kind, member, values=values)
    payload["message"]["components"] = [{"type": 1, "components": [old_component(custom_id, options)]}]
    return await session.send(payload)


def said(exchange: Exchange) -> str:
    """What the member was told last (an ephemeral reply, a followup, or the edited message)."""
    texts = [message.content for message in exchange.messages if message.content]
    assert texts, f"the bot said nothing: {exchange.render()}"
    return texts[-1]


def title_of(exchange: Exchange) -> str:
    embeds = [message.embeds for message in exchange.messages if message.embeds]
    assert embeds, f"no embed: {exchange.render()}"
    return str(embeds[-1][0].get("title"))


def footer_of(exchange: Exchange) -> str:
    embeds = [message.embeds for message in exchange.messages if message.embeds]
    assert embeds, f"no embed: {exchange.render()}"
    return str(embeds[-1][0].get("footer", {}).get("text"))


def done_note(panel: StoredMessage) -> str:
    """The panel's notice of what its last button did."""
    fields = {item["name"]: item["value"] for item in panel.embeds[0].get("fields") or []}
    return str(fields.get("Done"))


def map_of(message: StoredMessage) -> str:
    """What an attention map shows (its layer and head)."""
    fields = {item["name"]: item["value"] for item in message.embeds[0].get("fields") or []}
    return str(fields.get("Map"))


# --- homework and papers ------------------------------------------------------------------------


async def test_old_homework_and_papers_buttons(env: Env) -> None:
    session, _ = env
    posted = await session.run(
        "/homework post week:1 title:Read chapter 1 due:2031-03-25 18:00", moderator=True
    )
    (announcement,) = [m for m in posted.messages if not m.ephemeral]

    remind = await press(session, announcement, "homework:remind:1", user="Grace")
    assert said(remind).startswith("🔔 I'll remind you about **Week 1 · Read chapter 1** <t:")
    done = await press(session, announcement, "homework:done:1", user="Grace")
    assert said(done).startswith("✅ Marked **Week 1 · Read chapter 1** as done. Well done!")
    twice = await press(session, announcement, "homework:done:1", user="Grace")
    assert said(twice) == "You had already marked **Week 1 · Read chapter 1** as done."
    undone = await press(session, twice.reply, "homework:undo:1", user="Grace")
    assert said(undone) == "**Week 1 · Read chapter 1** is no longer marked done."
    unremind = await press(session, remind.reply, "homework:unremind:1", user="Grace")
    assert said(unremind) == "🔕 No reminder for **Week 1 · Read chapter 1** any more."

    asked = await session.run("/homework delete homework:1", moderator=True)
    refused = await press(session, asked.reply, "homework:delete:1", user="Grace")
    assert said(refused).startswith("This is for moderators")
    kept = await press(session, asked.reply, "homework:keep:1", moderator=True)
    assert said(kept) == "Kept: nothing was deleted."
    deleted = await press(session, asked.reply, "homework:delete:1", moderator=True)
    assert said(deleted) == "Deleted **Week 1 · Read chapter 1** and everyone's marks."
    gone = await press(session, announcement, "homework:done:1", user="Grace")
    assert said(gone) == "This homework was deleted."
    gone_remind = await press(session, announcement, "homework:remind:1", user="Grace")
    assert said(gone_remind) == "This homework was deleted."

    added = await session.run(
        "/papers add title:Attention Is All You Need week:1 arxiv:1706.03762", moderator=True
    )
    assert said(added).startswith("Added **Attention Is All You Need**")
    listed = await session.run("/papers list", user="Grace")
    page = await press(session, listed.reply, "papers:page:0:0:p:", user="Grace")
    assert title_of(page) == "Reading list"
    themed = await press(session, listed.reply, "papers:page:0:1:n:", user="Grace")
    assert title_of(themed) == "Reading list · week 1"
    read = await press(session, listed.reply, "papers:read:0:0:", values=["1"], user="Grace")
    assert said(read) == "📖 Marked **Attention Is All You Need** as read."
    unread = await press(session, added.reply, "papers:unread:1", user="Grace")
    assert said(unread) == "**Attention Is All You Need** is no longer marked read."
    vote = await press(session, listed.reply, "papers:vote:0:1:", values=["1"], user="Grace")
    assert said(vote) == "👍 You voted for **Attention Is All You Need**."
    unvote = await press(session, added.reply, "papers:unvote:1", user="Grace")
    assert said(unvote) == "You took back your vote for **Attention Is All You Need**."
    kept_paper = await press(session, added.reply, "papers:keep:1", moderator=True)
    assert said(kept_paper) == "Kept: nothing was removed."
    refused_paper = await press(session, added.reply, "papers:remove:1", user="Grace")
    assert said(refused_paper).startswith("This is for moderators")
    removed = await press(session, added.reply, "papers:remove:1", moderator=True)
    assert said(removed) == "Removed **Attention Is All You Need** from the reading list."
    again = await press(session, added.reply, "papers:remove:1", moderator=True)
    assert said(again) == "That paper was already removed; nothing changed."


# --- resources ----------------------------------------------------------------------------------


async def test_old_resources_buttons(env: Env) -> None:
    session, _ = env
    for number in range(8):
        await session.run(
            f"/resources add title:Tool {number} url:https://example.com/{number} category:tools",
            moderator=True,
        )
    listed = await session.run("/resources list", user="Grace")
    grace = session.member("Grace").id

    not_mine = await press(session, listed.reply, f"resources:page:{grace}:1:n:", user="Linus")
    assert said(not_mine).startswith("These buttons turn the pages for whoever ran the list")
    second = await press(session, listed.reply, f"resources:page:{grace}:1:n:", user="Grace")
    assert title_of(second) == "Resources" and footer_of(second) == "Page 2 of 2 · 8 resources"
    first = await press(session, listed.reply, f"resources:page:{grace}:0:p:tools", user="Grace")
    assert title_of(first).startswith("Resources · ") and footer_of(first) == "Page 1 of 2 · 8 resources"
    empty = await press(session, listed.reply, f"resources:page:{grace}:0:p:papers", user="Grace")
    assert said(empty) == "There are no resources in **papers** any more."

    kept = await press(session, listed.reply, "resources:keep:1", moderator=True)
    assert said(kept) == "Kept: nothing was removed."
    refused = await press(session, listed.reply, "resources:remove:1", user="Grace")
    assert said(refused).startswith("This is for moderators")
    removed = await press(session, listed.reply, "resources:remove:1", moderator=True)
    assert said(removed) == "Removed **Tool 0**."
    again = await press(session, listed.reply, "resources:remove:1", moderator=True)
    assert said(again) == "That resource was already removed; nothing changed."


# --- sessions and the live Q&A ------------------------------------------------------------------


async def test_old_session_and_questions_components(env: Env) -> None:
    session, clock = env
    scheduled = await schedule(session, weeks=3)
    carrier = scheduled.reply

    reminded = await press(session, carrier, "session:remind:2", user="Grace")
    assert said(reminded) == (
        "🔔 I'll remind you 30 minutes before **HF course study group** (<t:1932397200:F>) by DM "
        "(here, if your DMs are closed)."
    )
    twice = await press(session, carrier, "session:remind:2", user="Grace")
    assert said(twice).startswith("🔔 Your reminder for **HF course study group** is already on")
    unreminded = await press(session, twice.reply, "session:unremind:2", user="Grace")
    assert said(unreminded) == "🔕 OK: no reminder for **HF course study group**."
    listed = await session.run("/session list", user="Grace")
    page = await press(session, listed.reply, "session:list:0", user="Grace")
    assert title_of(page).startswith("Upcoming sessions")

    await clock.set(LIVE)
    for user, text in [
        ("Grace", "What does the attention mask do?"),
        ("Linus", "Why do we need padding?"),
        ("Ada", "Is padding needed?"),
        ("Linus", "What is a token?"),
        ("Ada", "Which tokenizer?"),
    ]:
        await session.run(f"/ask question:{text}", user=user)
    receipt = (await session.run("/ask question:Can I take it back?", user="Grace")).reply
    assert receipt.content.startswith("Your question **#6** is in the queue")

    voted = await press(session, receipt, "qa:upvote:2", user="Grace")
    assert said(voted) == "👍 You upvoted question #2 (1 vote)."
    unvoted = await press(session, voted.reply, "qa:unvote:2", user="Grace")
    assert said(unvoted) == "Your upvote on question #2 is taken back (0 votes)."
    revoted = await press(session, receipt, "qa:upvote:2", user="Grace")
    assert said(revoted) == "👍 You upvoted question #2 (1 vote)."
    withdrawn = await press(session, receipt, "qa:withdraw:6", user="Grace")
    assert said(withdrawn) == "Question #6 is withdrawn."

    panel = (await session.run("/questions list", moderator=True)).reply
    refused = await press(session, panel, "qa:next:1", user="Grace")
    assert said(refused).startswith("This is for moderators")
    await press(session, panel, "qa:page:1:0:r", moderator=True)
    assert panel.embeds[0]["title"] == "Q&A queue · #1 HF course study group"
    assert panel.embeds[0]["description"].startswith("▶ **#2** · 1 vote · Linus")
    await press(session, panel, "qa:focus:1:0", values=["3"], moderator=True)
    assert "\n▶ **#3** · 0 votes · Ada" in panel.embeds[0]["description"]
    await press(session, panel, "qa:next:1", moderator=True)
    general = session.channel("general").id
    assert done_note(panel) == f"Now answering #2; it is posted in <#{general}> for the presenter."
    opened = await press(session, panel, "qa:answered:2", moderator=True)
    assert opened.modal is not None and opened.modal["title"] == "Answered: question #2"
    await press(session, panel, "qa:skip:5", moderator=True)
    assert done_note(panel) == "Skipped #5."
    await press(session, panel, "qa:merge:3", moderator=True)
    assert panel.embeds[0]["title"] == "Merge question #3"
    await press(session, panel, "qa:page:1:0:b", moderator=True)
    assert panel.embeds[0]["title"] == "Q&A queue · #1 HF course study group"
    await press(session, panel, "qa:mergeinto:3", values=["1"], moderator=True)
    assert done_note(panel) == "Merged #3 into #1, which now has 1 votes."
    nothing = await press(session, panel, "qa:skip:0", moderator=True)
    assert said(nothing) == "No question is selected: the queue is empty."

    asked = await session.run("/session cancel session:3", moderator=True)
    kept = await press(session, asked.reply, "session:keep:3", moderator=True)
    assert said(kept) == "Kept: nothing was cancelled."
    refused_cancel = await press(session, asked.reply, "session:cancel:3:one", user="Grace")
    assert said(refused_cancel).startswith("This is for moderators")
    one = await press(session, asked.reply, "session:cancel:3:one", moderator=True)
    assert said(one) == "Cancelled 1 session; their reminders are off. Deleted 1 Discord event."
    series = await press(session, asked.reply, "session:cancel:2:series", moderator=True)
    assert said(series) == "Cancelled 2 sessions; their reminders are off. Deleted 2 Discord events."
    nothing_left = await press(session, asked.reply, "session:cancel:3:series", moderator=True)
    assert said(nothing_left) == "Nothing left to cancel: those sessions were cancelled or have taken place."
    assert [m for m in channel_posts(session, "general") if m.embeds]  # the questions were posted


# --- model demos, attention maps, the architecture guide, /status ---------------------------------


async def test_old_demo_attention_architecture_and_status_components(session: LocalSession) -> None:
    ran = await session.run("/sentiment text:I love this course")
    result = ran.reply
    code = await press(session, result, "demo:code:1", user="Grace")
    assert said(code).startswith("```python") and "pipeline" in said(code)
    old = await press(session, result, "demo:code:999", user="Grace")
    assert said(old) == "This demo is too old: its code is no longer kept. Run the command again."
    too_old = await press(session, result, "demo:again:999", user="Grace")
    assert said(too_old) == "This demo is too old to run again. Use the command instead."
    again = await press(session, result, "demo:again:1", user="Grace")
    assert again.messages[-1].embeds and not again.messages[-1].ephemeral
    owner = session.member("Grace").id
    others = await press(session, result, f"demo:cancel:demo-12345:{owner}", user="Linus")
    assert said(others) == "Only the member who asked, or a moderator, can cancel this request."
    gone = await press(session, result, f"demo:cancel:demo-12345:{owner}", user="Grace")
    assert said(gone) == "This request is no longer waiting: it already ran, or the bot restarted."

    drawn = await session.run("/attention text:The cat sat on the mat", user="Grace")  # stored run 3
    message = drawn.reply
    layers = [{"label": f"Layer {n} of 2", "value": str(n), "default": n == 2} for n in (1, 2)]
    heads = [{"label": "Average of all 2 heads", "value": "0", "default": True}] + [
        {"label": f"Head {n} of 2", "value": str(n)} for n in (1, 2)
    ]
    assert map_of(message).startswith("Layer 2 of 2 · average of 2 heads")
    await press(session, message, "attn:layer:3:0:2:2", values=["1"], options=layers, user="Grace")
    assert map_of(message).startswith("Layer 1 of 2 · average of 2 heads")
    await press(session, message, "attn:head:3:1:2:2", values=["2"], options=heads, user="Grace")
    assert map_of(message).startswith("Layer 1 of 2 · head 2/2 · ")
    not_yours = await press(
        session, message, "attn:layer:3:0:2:2", values=["2"], options=layers, user="Linus"
    )
    assert said(not_yours).startswith("Only <@")
    shown = await press(session, message, "attn:code:3:1:2", user="Grace")
    assert said(shown).startswith("```python")
    stale = await press(session, message, "attn:head:999:1:2:2", values=["1"], options=heads, user="Grace")
    assert said(stale) == "This attention map is too old to change. Run /attention again."

    form = await press(session, result, f"arch:try:sentiment-analysis:{SENTIMENT_MODEL}", user="Grace")
    assert form.modal is not None and form.modal["title"]
    missing = await press(session, result, "arch:try:sentiment-analysis:no/such-model", user="Grace")
    assert said(missing) == "no/such-model is no longer in this bot's model catalog for that demo."

    status = (await session.run("/status", moderator=True)).reply
    refused = await press(session, status, "status:refresh", user="Grace")
    assert said(refused).startswith("This is for moderators")
    refreshed = await press(session, status, "status:refresh", moderator=True)
    assert refreshed.messages[-1].embeds
