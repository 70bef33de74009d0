"""The demos' limits through the real bot: per-member cooldown, in-flight limit, a full queue, and
output too long for an embed (shortened in the embed, whole in an attached file)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import Callable
from pathlib import Path

from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.settings import Settings
from cogs._live.text import CUT


async def until(condition: Callable[[], bool], limit_s: float = 10.0) -> None:
    async with asyncio.timeout(limit_s):
        while not condition():  # noqa: ASYNC110 - pool state has no event to wait on
            await asyncio.sleep(0.01)


async def test_a_member_over_the_demo_rate_is_told_when_to_retry(
    settings: Settings, shared_pool: InferencePool
) -> None:
    limited = settings.replace(demo_rate=(2, 600.0))
    async with LocalSession(limited, backend=shared_pool, fail_on_errors=True) as local:
        for n in range(2):
            done = await local.run(f"/tokenize text:attempt {n}", user="Ada")
            assert done.reply.embeds[0]["fields"][0]["name"].startswith("Tokens")
        before = sum(shared_pool.metrics.requests.values())
        refused = await local.run("/tokenize text:one too many", user="Ada")
        assert refused.reply.ephemeral
        assert re.search(r"<t:\d+:R>", refused.reply.content), refused.reply.content
        assert sum(shared_pool.metrics.requests.values()) == before  # nothing was queued
        other = await local.run("/tokenize text:my first", user="Grace")  # the rate is per member
        assert other.reply.embeds[0]["fields"][0]["name"].startswith("Tokens")


async def test_in_flight_and_queue_limits_refuse_ephemerally_and_name_the_limit(
    tmp_path: Path, settings: Settings
) -> None:
    limits = settings.replace(queue_limit=2, member_inflight_limit=1, demo_rate=(100, 1.0))
    pool = InferencePool(limits, update_interval_s=0)
    await pool.start()
    await pool.wait_ready()
    try:
        assert await pool.preload(["sentiment-analysis"]) == {}
        async with LocalSession(limits, backend=pool, fail_on_errors=True) as local:
            pid = pool.workers[0].pid
            assert pid is not None
            os.kill(pid, signal.SIGSTOP)
            try:
                first = await local.launch("/sentiment text:first in line", user="Ada")
                await until(lambda: pool.snapshot().running == 1)
                again = await local.run("/sentiment text:me again", user="Ada")
                assert again.reply.ephemeral and "the limit is 1" in again.reply.content
                second = await local.launch("/sentiment text:second", user="Grace")
                await until(lambda: pool.snapshot().queue_depth == 1)
                full = await local.run("/sentiment text:no room", user="Linus")
                assert full.reply.ephemeral and "The model queue is full (2 requests)" in full.reply.content
                assert pool.snapshot().queue_depth == 1  # the refused ones never queued
            finally:
                os.kill(pid, signal.SIGCONT)
            for exchange in (first, second):
                await local.finish(exchange)
                assert exchange.reply.embeds[0]["fields"][0]["name"] == "Label scores"
    finally:
        await pool.close()


async def test_output_longer_than_a_field_is_attached_whole(session: LocalSession) -> None:
    prompt = " ".join(f"word{n}" for n in range(138))  # 994 characters: the most a prompt may have is 1000
    done = await session.run(f"/generate prompt:{prompt} max_new_tokens:40")
    (field,) = [f for f in done.reply.embeds[0]["fields"] if f["name"] == "Continuation"]
    assert len(field["value"]) <= 1024 and field["value"].startswith("** word")  # the prompt's end, bold
    assert CUT in field["value"] or "word0 " not in field["value"]  # never the whole text in a field
    (attachment,) = done.reply.attachments
    assert attachment["filename"] == "output.txt"
    (sent,) = [f for request in done.requests for f in request.files if f.filename == "output.txt"]
    text = sent.data.decode()
    assert text.startswith(prompt) and len(text) > len(prompt)


async def test_a_burst_past_the_queue_limit_is_refused_before_any_public_message(
    tmp_path: Path, settings: Settings
) -> None:
    """Eight members at once with room for three: five are told ephemerally, and nothing of theirs
    was posted, deleted or stored; the three admitted are numbered in the order they came."""
    limits = settings.replace(queue_limit=4, demo_rate=(100, 1.0))
    pool = InferencePool(limits, update_interval_s=0)
    await pool.start()
    await pool.wait_ready()
    try:
        assert await pool.preload(["sentiment-analysis"]) == {}
        async with LocalSession(limits, backend=pool, fail_on_errors=True) as local:
            for n in range(8):
                local.double.world.add_user(local.double.ids, f"member{n}")
            pid = pool.workers[0].pid
            assert pid is not None
            os.kill(pid, signal.SIGSTOP)  # nothing finishes: every admitted request holds its place
            try:
                blocker = await local.launch("/sentiment text:first, running", user="Ada")
                await until(lambda: pool.snapshot().running == 1)
                burst = [
                    await local.launch(f"/sentiment text:member {n} says hi", user=f"member{n}")
                    for n in range(8)
                ]
            finally:
                os.kill(pid, signal.SIGCONT)
            for exchange in (blocker, *burst):
                await local.finish(exchange)
            assert local.bot is not None
            async with local.bot.db.execute("SELECT COUNT(*) FROM demo_runs") as cursor:
                row = await cursor.fetchone()
    finally:
        await pool.close()
    admitted, refused = burst[:3], burst[3:]
    for exchange in refused:
        assert exchange.reply.ephemeral and "The model queue is full (4 requests)" in exchange.reply.content
        sent = [r for r in exchange.requests if r.method in ("POST", "PATCH", "DELETE")]
        assert len(sent) == 1 and sent[0].json["data"]["flags"] & 64  # one ephemeral reply, nothing public
    acknowledgements = [
        next(r.json for r in e.requests if r.method == "POST" and (r.json or {}).get("type") == 4)
        for e in admitted
    ]
    assert [ack["data"]["embeds"][0]["description"] for ack in acknowledgements] == [
        f"⏳ Waiting in the queue: #{n} in line" for n in (1, 2, 3)
    ]
    for exchange in (blocker, *admitted):
        assert exchange.reply.embeds[0]["fields"][0]["name"] == "Label scores"
    assert row is not None and row[0] == 4  # the refused requests stored nothing
