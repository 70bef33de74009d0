"""Interaction tokens expire after 15 minutes on the double's clock; jobs that outlive them (a demo
queued behind others, a Q&A export) post their answer instead of failing."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import ManualClock, utc
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.settings import Settings
from tests.support.sessions import channel_posts, clocked, schedule, setup_guild

Env = tuple[LocalSession, ManualClock]
SENTENCE = "Ada Lovelace worked with Charles Babbage in London."


@pytest.fixture
async def env(settings: Settings, shared_pool: InferencePool) -> AsyncIterator[Env]:
    async with clocked(settings, shared_pool) as pair:
        yield pair


async def test_a_demo_queued_past_its_token_posts_its_result_in_the_channel(
    env: Env, shared_pool: InferencePool
) -> None:
    session, clock = env
    await shared_pool.wait_ready()
    pid = shared_pool.workers[0].pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # the worker is busy: both demos wait in the queue
    try:
        blocker = await session.launch("/sentiment text:first in line", user="Ada")
        waiting = await session.launch(f"/ner text:{SENTENCE}", user="Grace")
        await asyncio.sleep(0.1)
        await clock.advance(timedelta(minutes=16))  # both tokens are gone now
    finally:
        os.kill(pid, signal.SIGCONT)
    await session.finish(blocker)
    await session.finish(waiting)
    # The originals could not be edited any more: they still show their status (both demos went
    # to the stopped worker in one window, so Grace's may already say it runs)…
    assert waiting.reply.embeds[0]["description"].startswith(("⏳ Waiting in the queue", "⚙️ Running"))
    assert not waiting.reply.embeds[0].get("fields"), "the original shows a result"
    refused = [r for r in waiting.requests if r.method == "PATCH" and r.status == 401]
    assert refused, "the bot never tried to edit the original"
    # …and each result was posted in the channel, saying what it answers, pinging nobody.
    posts = {m.content.splitlines()[0]: m for m in channel_posts(session, "general")}
    ner = posts[
        "↪️ The answer to Grace's `/ner`, posted here: Discord lets me update a reply for 15 minutes only."
    ]
    assert ner.embeds and ner.embeds[0]["fields"], ner.embeds
    assert ner.allowed_mentions == {"parse": []} and ner.pings() == []
    assert any(row["components"] for row in ner.components)  # Run again / Show code still there
    assert any(line.startswith("↪️ The answer to Ada's `/sentiment`") for line in posts)
    assert session.error_records == []


async def test_an_export_paced_past_its_token_tells_the_moderator_in_a_dm(env: Env) -> None:
    session, clock = env
    await setup_guild(session)
    await schedule(session, weeks=1)
    await clock.set(utc(2031, 3, 20, 17, 10))
    await session.run("/ask question:What is a tensor?", user="Grace")
    with session.double.holding("message-create"):  # Discord is slow to take the export's posts
        export = await session.launch("/questions export format:file", moderator=True)
        await asyncio.sleep(0.1)
        await clock.advance(timedelta(minutes=16))
    await session.finish(export)
    assert export.reply.content == ""  # the "thinking…" placeholder could not be replaced
    ada = session.member("Ada")
    dm = [c for c in session.double.world.channels.values() if c.type == 1 and c.recipient_id == ada.id]
    assert dm, "no DM to the moderator"
    (sent,) = session.double.channel_messages(dm[0].id)
    assert sent.content.startswith("↪️ The answer to Ada's `/questions export`")
    assert "Posted the Q&A of session #1 (1 questions)" in sent.content
    assert session.error_records == []
