"""/ask and /questions through the Discord double: the queue, upvotes, the moderators' panel
(Next, Answered, Skip, Merge duplicate), exports, anonymity, mentions, limits and permissions."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock, utc
from bot.inference.pool import InferencePool
from bot.local.commandline import CommandLineError
from bot.local.session import Exchange, LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings
from tests.support.sessions import channel_posts, clocked, everything_sent, field, rows, schedule, setup_guild

Env = tuple[LocalSession, ManualClock]
LIVE = utc(2031, 3, 20, 17, 10)  # ten minutes into the first session (Thursday 18:00 in Paris)
ANSWER_FIELD = "Written answer (optional)"


@pytest.fixture
async def env(settings: Settings, shared_pool: InferencePool) -> AsyncIterator[Env]:
    async with clocked(settings, shared_pool) as (session, clock):
        await setup_guild(session)  # questions go to #general
        await schedule(session, weeks=2)
        await clock.set(LIVE)
        yield session, clock


def public_post(session: LocalSession, number: int) -> StoredMessage:
    """The public queue post of question #number."""
    for message in channel_posts(session, "general"):
        if message.embeds and message.embeds[0].get("title") == f"Question #{number}":
            return message
    raise AssertionError(f"no public post for question #{number}")


def labels(message: StoredMessage) -> list[tuple[str, bool]]:
    return [
        (item.get("label") or item.get("placeholder"), bool(item.get("disabled")))
        for row in message.components
        for item in row["components"]
    ]


async def ask(session: LocalSession, user: str, text: str, anonymous: bool = False) -> Exchange:
    return await session.run(f"/ask question:{text} anonymous:{str(anonymous).lower()}", user=user)


async def test_ask_upvote_next_answered_and_export(env: Env) -> None:
    session, clock = env
    first = await ask(session, "Grace", "What does the attention mask do?")
    assert first.reply.ephemeral and "Your question **#1** is in the queue" in first.reply.content
    assert "live now" in first.reply.content and labels(first.reply) == [("Withdraw", False)]
    post = public_post(session, 1)
    assert post.interaction_id is None  # a channel message: it does not show who used /ask
    assert post.embeds[0]["description"] == "What does the attention mask do?"
    assert field(post, "Asked by") == "Grace" and field(post, "Votes") == "0"
    assert labels(post) == [("Upvote", False), ("Withdraw", False)]
    await ask(session, "Linus", "Why do we need padding?", anonymous=True)
    second = public_post(session, 2)

    voted = await session.click(second, "Upvote", user="Grace")
    assert field(second, "Votes") == "1"
    assert [m.content for m in voted.messages if m.ephemeral][-1] == "👍 You upvoted question #2 (1 vote)."
    # A second press (a laggy double tap) keeps the vote: still one.
    twice = await session.click(second, "Upvote", user="Grace")
    (confirmation,) = [m for m in twice.messages if m.ephemeral]
    assert confirmation.content == "👍 You had already upvoted question #2 (1 vote)."
    assert field(second, "Votes") == "1"
    own = await session.click(second, "Upvote", user="Linus")
    (refusal,) = [m for m in own.messages if m.ephemeral]  # the press was acknowledged first
    assert "your own question" in refusal.content
    await session.click(second, "Upvote", moderator=True)
    assert field(second, "Votes") == "2"
    undone = await session.click(confirmation, "Undo", user="Grace")  # Undo takes it back
    assert undone.reply.content == "Your upvote on question #2 is taken back (1 vote)."
    assert field(second, "Votes") == "1"  # the public post follows

    panel = (await session.run("/questions list", moderator=True)).reply
    assert panel.ephemeral
    lines = panel.embeds[0]["description"].splitlines()
    assert lines[0].startswith("▶ **#2** · 1 vote · anonymous") and lines[2].startswith(
        "**#1** · 0 votes · Grace"
    )

    await session.click(panel, "Next", moderator=True)
    assert "Now answering #2" in field(panel, "Done")
    assert field(panel, "Being answered").startswith("▶ **#2**")
    presenter = [m for m in channel_posts(session, "general") if m.embeds[0]["title"].startswith("🎤")]
    assert presenter[0].embeds[0]["title"] == "🎤 Now answering question #2"
    assert field(second, "Status") == "🎤 Being answered now"
    assert labels(second) == [("Upvote", True), ("Withdraw", True)]

    opened = await session.click(panel, "Answered", moderator=True)
    assert opened.modal is not None and opened.modal["title"] == "Answered: question #2"
    await session.submit(
        opened, {ANSWER_FIELD: "So sequences of different lengths fit one batch."}, moderator=True
    )
    assert field(panel, "Done").startswith("Marked #2 answered.")
    assert field(second, "Status") == "✅ Answered" and second.components == []
    assert field(second, "Answer") == "So sequences of different lengths fit one batch."
    answers = [m for m in channel_posts(session, "general") if m.embeds[0]["title"].startswith("✅")]
    assert len(answers) == 1 and field(answers[0], "Answer").startswith("So sequences")

    await session.click(panel, "Next", moderator=True)
    opened = await session.click(panel, "Answered", moderator=True)
    await session.submit(opened, {ANSWER_FIELD: ""}, moderator=True)  # answered on the call
    assert len([m for m in channel_posts(session, "general") if m.embeds[0]["title"].startswith("✅")]) == 1
    assert panel.embeds[0]["description"] == "No open questions."
    assert labels(panel)[0] == ("Next", True)

    await clock.set(utc(2031, 3, 20, 19))  # after the session
    exported = await session.run("/questions export", moderator=True)
    assert exported.reply.ephemeral and "Posted the Q&A of session #1 (2 questions)" in exported.reply.content
    threads = [r for r in exported.requests if r.method == "POST" and r.path.endswith("/threads")]
    assert len(threads) == 1 and threads[0].json["name"].startswith("Q&A — HF course study group")
    thread = next(c for c in session.double.world.channels.values() if c.type == 11)
    text = "\n".join(m.content for m in session.double.channel_messages(thread.id))
    assert text.startswith("# Q&A — HF course study group")
    assert "### #2 · 1 vote · asked by anonymous" in text
    assert "**Answer:** So sequences of different lengths fit one batch." in text
    assert "### #1 · 0 votes · asked by Grace" in text and "2 answered · 0 not answered" in text

    as_file = await session.run("/questions export format:file", moderator=True)
    (upload,) = [f for r in as_file.requests for f in r.files]
    assert upload.filename == "qa-session-1.md"
    assert upload.data.decode().startswith("# Q&A — HF course study group")
    actions = [
        row[0] for row in await rows(session, "SELECT action FROM audit_log WHERE action LIKE 'question.%'")
    ]
    assert (
        actions
        == ["question.next", "question.answered", "question.next", "question.answered"]
        + ["question.export"] * 2
    )


async def test_anonymous_askers_never_appear_in_anything_the_bot_sends(env: Env) -> None:
    session, clock = env
    grace = session.double.world.user("Grace")
    asked = await ask(session, "Grace", "Is it silly to ask what a tensor is?", anonymous=True)
    assert "not shown anywhere" in asked.reply.content
    assert all(m.ephemeral for m in asked.messages if m.interaction_id == asked.state.id)
    spare = await ask(session, "Grace", "Another one, withdrawn later", anonymous=True)
    await ask(session, "Linus", "What is a tensor?")
    await session.click(public_post(session, 1), "Upvote", user="Linus")
    await session.click(spare.reply, "Withdraw", user="Grace")
    panel = (await session.run("/questions list", moderator=True)).reply
    await session.choose(panel, "Act on another question…", ["3"], moderator=True)
    merging = await session.click(panel, "Merge duplicate", moderator=True)
    assert merging.answered
    await session.choose(panel, "It duplicates…", ["1"], moderator=True)
    await session.click(panel, "Next", moderator=True)
    opened = await session.click(panel, "Answered", moderator=True)
    await session.submit(
        opened, {ANSWER_FIELD: "Not at all: a tensor is an n-dimensional array."}, moderator=True
    )
    await clock.set(utc(2031, 3, 20, 19))
    await session.run("/questions export", moderator=True)
    await session.run("/questions export format:file", moderator=True)
    sent = everything_sent(session)
    assert "Is it silly to ask what a tensor is?" in sent  # the question itself is shown…
    for trace in ("Grace", "grace", str(grace.id)):  # …but never who asked it
        assert trace not in sent, trace
    assert await rows(session, "SELECT asker_name FROM questions WHERE anonymous = 1") == [(None,), (None,)]


async def test_nothing_a_member_types_pings_anyone(env: Env) -> None:
    session, _ = env
    ada = session.double.world.user("Ada")
    role = session.double.world.moderator_role_id
    await ask(session, "Grace", f"@everyone @here <@{ada.id}> <@&{role}> why?")
    panel = (await session.run("/questions list", moderator=True)).reply
    await session.click(panel, "Next", moderator=True)
    opened = await session.click(panel, "Answered", moderator=True)
    await session.submit(opened, {ANSWER_FIELD: f"Ask <@{ada.id}> and @everyone"}, moderator=True)
    await session.run("/questions export session:1", moderator=True)
    messages = [m for m in session.double.messages.values() if m.content or m.embeds]
    assert len(messages) > 5
    assert all(m.pings() == [] for m in messages), [m.content for m in messages if m.pings()]
    assert all(m.allowed_mentions == {"parse": []} for m in messages if m.content and "<@" in m.content)


async def test_limits_and_bad_questions_are_refused(env: Env) -> None:
    session, _ = env
    for number in range(3):
        assert (await ask(session, "Grace", f"Question {number}")).reply.content.startswith("Your question")
    posts = len(channel_posts(session, "general"))
    refusals = {
        "Question 3": "the limit is 3",
        "question 0": "You already asked that",
    }
    for text, message in refusals.items():
        refused = await ask(session, "Grace", text)
        assert refused.reply.ephemeral and message in refused.reply.content, refused.reply.content
    blank = await ask(session, "Linus", "'   '")
    assert blank.reply.ephemeral and "The question is empty" in blank.reply.content
    with pytest.raises(CommandLineError, match="500"):  # the Discord client refuses it…
        await ask(session, "Linus", "x" * 501)
    payload = session.command_payload("/ask question:placeholder", user="Linus")
    payload["data"]["options"][0]["value"] = "y" * 600  # …and a client that sends it anyway is refused too
    refused = await session.send(payload)
    assert refused.reply.ephemeral and "600 characters long; the limit is 500" in refused.reply.content
    assert len(channel_posts(session, "general")) == posts
    assert await rows(session, "SELECT COUNT(*) FROM questions") == [(3,)]


async def test_no_session_no_questions(settings: Settings, shared_pool: InferencePool) -> None:
    async with clocked(settings, shared_pool) as (session, _):
        refused = await ask(session, "Grace", "Anyone there?")
        assert refused.reply.ephemeral and "no session to ask for yet" in refused.reply.content
        assert await rows(session, "SELECT COUNT(*) FROM questions") == [(0,)]


async def test_after_the_last_session_ask_says_it_is_over_not_that_none_came_yet(env: Env) -> None:
    session, clock = env
    await clock.set(utc(2031, 3, 27, 20))  # both sessions are over
    refused = await ask(session, "Grace", "Anyone there?")
    assert refused.reply.ephemeral
    assert "The last session, **HF course study group**, ended <t:" in refused.reply.content
    assert "no next one is scheduled yet" in refused.reply.content
    assert "no session to ask for yet" not in refused.reply.content


async def test_questions_go_to_the_next_session_when_none_is_live(env: Env) -> None:
    session, clock = env
    await clock.set(utc(2031, 3, 20, 19))  # the first session is over
    asked = await ask(session, "Grace", "For next week")
    assert "starting <t:" in asked.reply.content
    assert await rows(session, "SELECT session_id FROM questions") == [(2,)]


async def test_withdrawing_is_for_the_asker_only(env: Env) -> None:
    session, _ = env
    receipt = (await ask(session, "Grace", "Mine to withdraw")).reply
    post = public_post(session, 1)
    stale = copy.deepcopy(post)
    refused = await session.click(post, "Withdraw", user="Linus")
    (refusal,) = [m for m in refused.messages if m.ephemeral]  # the press was acknowledged first
    assert "Only the member who asked" in refusal.content
    await session.click(receipt, "Withdraw", user="Grace")
    assert receipt.content == "Question #1 is withdrawn." and receipt.components == []
    assert post.embeds[0]["description"] == "Withdrawn by the member who asked it." and post.components == []
    late = await session.click(stale, "Upvote", user="Linus")
    (refusal,) = [m for m in late.messages if m.ephemeral]
    assert "no longer in the queue" in refusal.content
    await ask(session, "Grace", "Second thought")
    choices = await session.autocomplete("/questions withdraw question:", "question", user="Grace")
    assert choices == [{"name": "#2 · Second thought", "value": 2}]
    assert await session.autocomplete("/questions withdraw question:", "question", user="Linus") == []
    done = await session.run("/questions withdraw question:2", user="Grace")
    assert done.reply.ephemeral and done.reply.content == "Question #2 is withdrawn."
    assert public_post(session, 2).components == []


async def test_skip_and_merge_duplicate_from_the_panel(env: Env) -> None:
    session, _ = env
    await ask(session, "Grace", "What is BERT?")
    await ask(session, "Linus", "what's BERT exactly")
    await ask(session, "Ada", "How big is GPT-2?")
    await session.click(public_post(session, 3), "Upvote", user="Grace")
    panel = (await session.run("/questions list", moderator=True)).reply
    assert panel.embeds[0]["description"].startswith("▶ **#3**")  # most votes first
    await session.choose(panel, "Act on another question…", ["2"], moderator=True)
    assert "▶ **#2**" in panel.embeds[0]["description"]
    await session.click(panel, "Merge duplicate", moderator=True)
    assert panel.embeds[0]["title"] == "Merge question #2"
    await session.choose(panel, "It duplicates…", ["1"], moderator=True)
    assert field(panel, "Done") == "Merged #2 into #1, which now has 1 votes."  # Linus wanted it too
    assert field(public_post(session, 2), "Status") == "Merged into #1 (a duplicate)"
    assert public_post(session, 2).components == []
    assert field(public_post(session, 1), "Votes") == "1"
    await session.click(
        panel, "Skip", moderator=True
    )  # the focus is back on the top: #3 or #1 (tied, older #1)
    assert field(panel, "Done") == "Skipped #1."
    assert field(public_post(session, 1), "Status") == "Skipped"
    assert await rows(session, "SELECT id, status FROM questions ORDER BY id") == [
        (1, "skipped"),
        (2, "merged"),
        (3, "open"),
    ]


async def test_members_cannot_run_the_queue(env: Env) -> None:
    session, _ = env
    await ask(session, "Grace", "A question")
    for line in ("/questions list", "/questions export session:1"):
        refused = await session.run(line, user="Linus")
        assert refused.reply.ephemeral and "moderators" in refused.reply.content
    panel = (await session.run("/questions list", moderator=True)).reply
    for button in ("Next", "Answered", "Skip", "Merge duplicate", "Refresh"):
        refused = await session.click(panel, button, user="Linus")
        assert refused.reply.ephemeral and "moderators" in refused.reply.content, button
    assert await rows(session, "SELECT status FROM questions") == [("open",)]
    assert [m for m in channel_posts(session, "general") if m.embeds[0]["title"].startswith("🎤")] == []


async def test_queue_buttons_work_after_a_restart(env: Env) -> None:
    session, _ = env
    await ask(session, "Grace", "Still there after a restart?")
    panel = (await session.run("/questions list", moderator=True)).reply
    await session.restart()
    await session.click(public_post(session, 1), "Upvote", user="Linus")
    assert field(public_post(session, 1), "Votes") == "1"
    await session.click(panel, "Next", moderator=True)
    assert "Now answering #1" in field(panel, "Done")


async def test_the_panel_pages_through_a_long_queue(env: Env) -> None:
    session, clock = env
    world = session.double.world
    for number in range(10):
        world.add_user(session.double.ids, f"Member{number}")
        await ask(session, f"Member{number}", f"Question number {number}")
        await clock.advance(timedelta(seconds=1))
    panel = (await session.run("/questions list", moderator=True)).reply
    assert panel.embeds[0]["footer"]["text"].startswith("Page 1 of 2 · 10 open")
    await session.click(panel, "Page ▶", moderator=True)
    assert panel.embeds[0]["footer"]["text"].startswith("Page 2 of 2")
    assert "Question number 9" in panel.embeds[0]["description"]
