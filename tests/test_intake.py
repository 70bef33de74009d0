"""Interactions reach discord.py one per loop turn (bot/intake.py): a burst never holds the loop."""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import random
import time
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from multidict import CIMultiDict
from yarl import URL

from bot import intake as intake_module
from bot.intake import EVENT, FirstResponses, InteractionIntake
from bot.local.session import LocalSession, find_component
from bot.settings import Settings
from tests.support.sessions import channel_posts, schedule


class Recorder:
    """A parser table like discord.py's, whose interaction parser records what it was given."""

    def __init__(self) -> None:
        self.parsed: list[Any] = []
        self.table: dict[str, Any] = {EVENT: self.parse, "MESSAGE_CREATE": self.parsed.append}

    def parse(self, data: Any) -> None:
        if data == "broken":
            raise KeyError("member")
        self.parsed.append(data)

    def installed_intake(self) -> InteractionIntake:
        """An intake over this table, installed: ``table[EVENT]`` now queues."""
        intake = InteractionIntake(self.table)
        intake.install()
        return intake


async def test_a_burst_is_handed_over_in_order_one_interaction_per_loop_turn() -> None:
    recorder = Recorder()
    intake = recorder.installed_intake()
    seen_per_turn: list[int] = []

    async def probe() -> None:
        for _ in range(12):
            seen_per_turn.append(len(recorder.parsed))
            await asyncio.sleep(0)

    for number in range(8):  # one gateway step: eight interactions read back to back
        recorder.table[EVENT](number)
    assert recorder.parsed == [] and intake.waiting == 8  # the gateway step only queued them
    await probe()
    assert recorder.parsed == list(range(8))
    steps = [after - before for before, after in itertools.pairwise(seen_per_turn)]
    assert max(steps) == 1  # never two interactions in one turn of the loop
    assert intake.waiting == 0
    await intake.close()


async def test_an_unreadable_interaction_is_logged_and_the_next_ones_still_arrive(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    intake = recorder.installed_intake()
    for data in ("first", "broken", "third"):
        recorder.table[EVENT](data)
    with caplog.at_level(logging.ERROR, logger="bot.intake"):
        for _ in range(10):
            await asyncio.sleep(0)
    assert recorder.parsed == ["first", "third"]
    assert [record.getMessage() for record in caplog.records] == [
        "An interaction from the gateway could not be read"
    ]
    await intake.close()


async def test_close_gives_the_parser_back_and_drops_what_waits() -> None:
    recorder = Recorder()
    intake = InteractionIntake(recorder.table)
    original = recorder.table[EVENT]
    intake.install()
    assert recorder.table[EVENT] != original
    recorder.table["MESSAGE_CREATE"]("untouched")  # other events are not paced
    recorder.table[EVENT]("late")
    await intake.close()
    assert recorder.table[EVENT] == original
    assert intake.waiting == 0
    assert recorder.parsed == ["untouched"]
    recorder.table[EVENT]("after close")  # discord.py's own parser again: at once
    assert recorder.parsed == ["untouched", "after close"]


async def request_ended(responses: FirstResponses, method: str, path: str) -> None:
    """What aiohttp tells the bot's trace at the end of a request to ``path``."""
    url = URL(f"http://discord.test/api/v10{path}")
    params = aiohttp.TraceRequestEndParams(method, url, CIMultiDict(), None)  # type: ignore[arg-type]
    for callback in responses.trace.on_request_end:
        await callback(None, SimpleNamespace(), params)  # type: ignore[arg-type]


async def test_follow_ups_wait_for_every_first_response_but_not_past_discords_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder = Recorder()
    intake = recorder.installed_intake()
    for number in (7, 8, 9):
        recorder.table[EVENT]({"id": str(number), "type": 2, "token": f"t{number}"})
    held = asyncio.create_task(intake.quiet(60))
    for _ in range(6):  # handed over one per loop turn
        await asyncio.sleep(0)
    assert intake.waiting == 0
    assert intake.responses.waiting == 3 and not held.done()
    await request_ended(intake.responses, "PATCH", "/webhooks/1/t7/messages/@original")  # no first response
    await request_ended(intake.responses, "POST", "/webhooks/1/t7")  # a followup: none either
    await request_ended(intake.responses, "POST", "/interactions/7/t7/callback")
    await request_ended(intake.responses, "POST", "/interactions/8/t8/callback")
    await asyncio.sleep(0)
    assert intake.responses.waiting == 1 and not held.done()
    monkeypatch.setattr(intake_module, "FIRST_RESPONSE_S", 0.05)  # Discord's deadline, made short
    recorder.table[EVENT]({"id": "10", "type": 2, "token": "t10"})  # never answered
    await request_ended(intake.responses, "POST", "/interactions/9/t9/callback")
    await asyncio.wait_for(held, 5)  # #10 is waited for until its deadline passes, no longer
    assert intake.responses.waiting == 0
    await intake.close()


async def test_held_follow_ups_go_on_in_order_one_per_loop_turn() -> None:
    recorder = Recorder()
    intake = recorder.installed_intake()
    recorder.table[EVENT]({"id": "7", "type": 2, "token": "t7"})
    turn = 0
    released: list[tuple[int, int]] = []  # (follow-up, the loop turn it went on in)

    async def follow_up(number: int) -> None:
        await intake.quiet(60)
        released.append((number, turn))

    held = [asyncio.create_task(follow_up(number)) for number in range(5)]
    for _ in range(6):
        await asyncio.sleep(0)
    assert released == [] and intake.responses.waiting == 1
    intake.responses.answered(7)
    while not all(task.done() for task in held):
        turn += 1
        await asyncio.sleep(0)
    assert [number for number, _ in released] == [0, 1, 2, 3, 4]  # in the order they came
    turns = [at for _, at in released]
    assert len(set(turns)) == 5  # never two in one turn of the loop
    await intake.quiet(60)  # nothing held, the gate open: at once
    await intake.close()


async def test_the_bot_answers_a_burst_taken_in_through_the_intake(settings: Settings) -> None:
    async with LocalSession(settings) as session:
        assert session.bot is not None
        world, ids = session.double.world, session.double.ids
        members = [world.add_user(ids, f"burst{number}") for number in range(25)]
        payloads = [session.command_payload("/about", user=member.name) for member in members]
        waiting_seen: list[int] = []
        intake = session.bot.intake

        async def watch() -> None:
            while True:
                waiting_seen.append(intake.waiting)
                await asyncio.sleep(0)

        watcher = asyncio.create_task(watch())
        exchanges = await session.send_many(payloads)
        watcher.cancel()
        assert all(exchange.answered for exchange in exchanges)
        assert max(waiting_seen) > 1  # the burst waited in the intake, not in one gateway step…
        assert waiting_seen[-1] == 0
        falls = [a - b for a, b in itertools.pairwise(waiting_seen) if a > b]
        assert max(falls) == 1  # …and left it one interaction per turn of the loop


async def test_quiet_returns_once_every_interaction_is_handed_over_or_when_its_time_is_up() -> None:
    recorder = Recorder()
    intake = recorder.installed_intake()
    await intake.quiet(0)  # nothing waits: at once
    for number in range(6):
        recorder.table[EVENT](number)
    await intake.quiet(0)  # no time to wait: at once, though six wait
    assert recorder.parsed == [] and intake.waiting == 6
    await intake.quiet(60)
    assert intake.waiting == 0 and len(recorder.parsed) >= 5  # the last is being handed over now
    await intake.close()


async def test_a_burst_gets_every_first_response_before_any_later_request(settings: Settings) -> None:
    """Every edit, followup or deletion of a burst waits for the burst's last first response: a
    "thinking…" replaced by its answer (``/papers add``, ``/ask``), a pressed message edited and
    followed up (Upvote), whichever module makes the call, and not only until the last
    interaction has been handed over."""
    async with LocalSession(settings) as session:
        assert session.bot is not None
        await schedule(session, weeks=1)  # /ask needs a session to ask for
        await session.run("/ask question:What does the attention mask do?", user="Grace")
        (post,) = [m for m in channel_posts(session, "general") if m.embeds and m.embeds[0].get("title")]
        world, ids = session.double.world, session.double.ids
        voters = [world.add_user(ids, f"voter{n}") for n in range(40)]
        await session.restart()  # the new members arrive with the next GUILD_CREATE
        upvote = find_component(post, "Upvote")
        payloads = [
            session.command_payload(f"/papers add title:Paper {n} arxiv:2101.{n:05d}", moderator=True)
            for n in range(80)
        ]
        payloads += [
            session.command_payload(f"/ask question:Question number {n}?", user=voter.name)
            for n, voter in enumerate(voters[:20])
        ]
        payloads += [
            session.payloads.component(post, upvote["custom_id"], upvote["type"], voter) for voter in voters
        ]
        random.Random(13).shuffle(payloads)
        # Each answer takes a while to come back, as over a network: the intake then empties
        # while the last first responses are still on their way.
        session.double.answer_latency_s = 0.05
        since = time.monotonic()
        exchanges = await session.send_many(payloads)
        assert all(exchange.answered for exchange in exchanges)
        sent = session.double.requests_since(since)
        # The last first response reached the bot after its answer left the double.
        last_first_response = max(r.answered_at for r in sent if r.path.endswith("/callback"))
        later = [r for r in sent if "/webhooks/" in r.path]  # an interaction's edit, followup or deletion
        methods = collections.Counter(r.method for r in later)
        assert methods["PATCH"] >= 140 and methods["POST"] >= 40, methods  # edits, and the votes' followups
        early = [f"{r.method} {r.path}" for r in later if r.at < last_first_response]
        assert not early, (len(early), early[:3])  # none sent before the bot had every first response
