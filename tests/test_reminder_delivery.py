"""Reminders shown exactly once through faults: a bot process killed mid-send, Discord answering
500/503 for a while, Discord storing a message whose answer is lost, and an outage past the
deadline. The real bot, the Discord double with faults injected, a real SQLite file."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web

from bot.clock import ManualClock, utc
from bot.db.reminders import ReminderStore
from bot.inference.pool import InferencePool
from bot.local.server import Call, DiscordDouble, json_response
from bot.local.session import LocalSession
from bot.local.store import RecordedRequest, StoredMessage
from bot.settings import Settings
from tests.support.sessions import channel_posts, clocked, schedule, setup_guild

START = utc(2030, 3, 1, 12, 0)
DUE = "2030-03-03 12:00"  # UTC (the server's default time zone)
REMIND_AT = utc(2030, 3, 2, 12, 0)  # one day before, the default
ROOT = Path(__file__).resolve().parent.parent
MESSAGE_POST = re.compile(r"^/channels/(\d+)/messages$")

Answer = Callable[[], Awaitable[web.StreamResponse]]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def hw(
    settings: Settings, clock: ManualClock, shared_pool: InferencePool
) -> AsyncIterator[LocalSession]:
    async with LocalSession(
        settings, clock=clock, fail_on_errors=True, answer_timeout=60, backend=shared_pool
    ) as local:
        yield local
        local.raise_failures()


async def _post(session: LocalSession, extra: str = "") -> StoredMessage:
    done = await session.run(f"/homework post week:1 title:Read chapter 1 due:{DUE} {extra}", moderator=True)
    assert done.reply.content.startswith("Posted"), done.reply.content
    (announcement,) = [m for m in done.messages if not m.ephemeral]
    return announcement


def _dm_channels(double: DiscordDouble, user_id: int) -> set[int]:
    return {c.id for c in double.world.channels.values() if c.type == 1 and c.recipient_id == user_id}


def _dms(session: LocalSession, name: str) -> list[StoredMessage]:
    channels = _dm_channels(session.double, session.member(name).id)
    return [m for m in session.double.messages.values() if m.channel_id in channels]


def _posts_to(double: DiscordDouble, channel_ids: set[int]) -> list[RecordedRequest]:
    """The bot's attempts to create a message in those channels (whatever the answer)."""
    return [
        r
        for r in double.requests
        if r.method == "POST" and (m := MESSAGE_POST.match(r.path)) and int(m.group(1)) in channel_ids
    ]


def _is_message_post(call: Call, channel_ids: set[int]) -> bool:
    found = MESSAGE_POST.match(call.record.path)
    return call.request.method == "POST" and found is not None and int(found.group(1)) in channel_ids


def _dm_posts_of(double: DiscordDouble, user_id: int) -> Callable[[Call], bool]:
    """Matches a message POST to ``user_id``'s DM channel (which the bot opens on first use)."""

    def matches(call: Call) -> bool:
        return _is_message_post(call, _dm_channels(double, user_id))

    return matches


def _server_error(status: int) -> web.Response:
    return json_response({"message": f"{status}: Server Error", "code": 0}, status)


async def _rows(session: LocalSession, query: str) -> list[tuple[object, ...]]:
    assert session.bot is not None
    async with session.bot.db.execute(query) as cursor:
        return [tuple(row) for row in await cursor.fetchall()]


async def _until_idle(session: LocalSession, clock: ManualClock, moment: object) -> None:
    assert session.bot is not None
    await clock.set(moment)  # type: ignore[arg-type]
    await session.bot.scheduler.wait_idle()


async def _next_try(session: LocalSession) -> object:
    assert session.bot is not None
    return await ReminderStore(session.bot.db).next_due_at(kinds=tuple(session.bot.scheduler._handlers))


# --- killed mid-send ---------------------------------------------------------------------------------


class Hold:
    """Holds the first matching POST until released: answered first (Discord stored the message and
    the answer never reached the bot) or not at all (it never got to Discord)."""

    def __init__(self, matches: Callable[[Call], bool], *, stored: bool) -> None:
        self.matches, self.stored = matches, stored
        self.holding = asyncio.Event()
        self.release = asyncio.Event()
        self.used = False

    async def __call__(self, call: Call, answer: Answer) -> web.StreamResponse:
        if self.used or not self.matches(call):
            return await answer()
        self.used = True
        response = await answer() if self.stored else _server_error(500)
        self.holding.set()
        await self.release.wait()
        return response


def _child_environment(settings: Settings, tmp_path: Path, tiny_dir: Path) -> dict[str, str]:
    """The settings of the test's bot (the same database file), as a bot process reads them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DISCORD_", "DATABASE_"))}
    env.update(
        DATABASE_PATH=str(settings.database_path),
        MODEL_PROFILE="tiny",
        TINY_MODELS_DIR=str(tiny_dir),
        HEALTH_FILE=str(tmp_path / "bot-process-health.json"),
        DEVICES="cpu",
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest.mark.parametrize("stored", [True, False], ids=["stored-before-the-kill", "never-stored"])
async def test_a_bot_killed_while_posting_shows_each_reminder_once_after_restart(
    settings: Settings, tmp_path: Path, tiny_dir: Path, shared_pool: InferencePool, stored: bool
) -> None:
    clock = ManualClock(START)
    async with LocalSession(
        settings, clock=clock, fail_on_errors=True, answer_timeout=60, backend=shared_pool
    ) as session:
        announcement = await _post(session, "channel_reminder:true")
        members = ["Grace", "Linus", "Ada"]
        for name in members:
            await session.click(announcement, "Remind me", user=name)
        assert session.bot is not None
        await session.bot.close()  # the in-process bot stops; a bot process takes over

        # The reminders go out in order (the channel's, then Grace, Linus, Ada): Linus's is held.
        double = session.double
        hold = Hold(_dm_posts_of(double, session.member("Linus").id), stored=stored)
        double.intercept = hold
        log_path = tmp_path / "bot-process.log"
        with log_path.open("wb") as log_file:
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "tests.support.bot_process",
                double.api_base,
                double.gateway_url,
                (REMIND_AT + timedelta(minutes=1)).isoformat(),
                cwd=ROOT,
                env=_child_environment(settings, tmp_path, tiny_dir),
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the kill takes its worker too
            )
            waiting = asyncio.create_task(hold.holding.wait())
            exited = asyncio.create_task(child.wait())
            try:
                done, _ = await asyncio.wait(
                    {waiting, exited}, timeout=300, return_when=asyncio.FIRST_COMPLETED
                )
                assert waiting in done, (
                    "the bot process never reached Linus's reminder:\n" + log_path.read_text()
                )
            finally:
                os.killpg(child.pid, signal.SIGKILL)
                await exited
                waiting.cancel()
            hold.release.set()
        assert child.returncode == -signal.SIGKILL
        double.intercept = None
        dm_channels = _dm_channels(double, session.member("Linus").id)
        assert len(_posts_to(double, dm_channels)) == 1
        assert len(_dms(session, "Linus")) == (1 if stored else 0)
        assert _dms(session, "Ada") == []  # never reached

        await clock.set(REMIND_AT + timedelta(minutes=1))
        await session.restart()
        assert session.bot is not None
        await session.bot.scheduler.wait_idle()

        for name in members:
            assert len(_dms(session, name)) == 1, f"{name} got {len(_dms(session, name))} reminders"
        channel_reminders = [
            m
            for m in double.channel_messages(announcement.channel_id)
            if m.webhook_id is None and m.id != announcement.id
        ]
        assert len(channel_reminders) == 1
        # A message that Discord stored is found, not posted again; one that it never got is posted.
        assert len(_posts_to(double, dm_channels)) == (1 if stored else 2)
        rows = await _rows(session, "SELECT user_id, outcome, attempts FROM reminders ORDER BY id")
        linus = session.member("Linus").id
        assert [(outcome, attempts) for user, outcome, attempts in rows if user == linus] == [("sent", 2)]
        assert {outcome for _, outcome, _ in rows} == {"sent"}
        session.raise_failures()


# --- outages -----------------------------------------------------------------------------------------


class Outage:
    """Discord failing the matching POSTs with ``status`` while ``on``; ``stored``: it keeps the
    message anyway (the answer is what fails)."""

    def __init__(self, matches: Callable[[Call], bool], status: int, *, stored: bool = False) -> None:
        self.matches, self.status, self.stored = matches, status, stored
        self.on = True
        self.failed = 0

    async def __call__(self, call: Call, answer: Answer) -> web.StreamResponse:
        if not (self.on and self.matches(call)):
            return await answer()
        self.failed += 1
        if self.stored:
            await answer()
        return _server_error(self.status)


async def test_a_reminder_is_sent_once_after_discord_answered_500_for_a_while(
    hw: LocalSession, clock: ManualClock
) -> None:
    announcement = await _post(hw)
    await hw.click(announcement, "Remind me", user="Grace")
    grace = hw.member("Grace").id
    outage = Outage(_dm_posts_of(hw.double, grace), 500)
    hw.double.intercept = outage
    # discord.py re-sends a 500 itself (5 tries, the same nonce each time), then gives up: the
    # scheduler keeps the reminder and tries again 15 s later.
    await _until_idle(hw, clock, REMIND_AT)
    assert outage.failed == 5 and _dms(hw, "Grace") == []
    ((outcome, sent_at),) = await _rows(hw, "SELECT outcome, sent_at FROM reminders")
    assert str(outcome).startswith("failed: DiscordServerError") and sent_at is None
    assert await _next_try(hw) == REMIND_AT + timedelta(seconds=15)

    hw.double.intercept = None  # Discord is back
    await _until_idle(hw, clock, REMIND_AT + timedelta(seconds=15))
    (dm,) = _dms(hw, "Grace")
    assert dm.embeds[0]["title"] == "⏰ Reminder: Week 1 · Read chapter 1"
    posts = _posts_to(hw.double, _dm_channels(hw.double, grace))
    assert len(posts) == 6
    nonces = {(p.json["nonce"], p.json["enforce_nonce"]) for p in posts}
    (nonce, enforced), *_ = nonces
    assert len(nonces) == 1 and enforced is True  # one nonce for the reminder, across attempts
    assert dm.embeds[0]["footer"]["text"].endswith(f"ref {nonce}")
    assert await _rows(hw, "SELECT outcome FROM reminders") == [("sent",)]
    await _until_idle(hw, clock, REMIND_AT + timedelta(hours=5))
    assert len(_dms(hw, "Grace")) == 1


async def test_a_message_stored_but_answered_with_an_error_is_not_posted_again(
    settings: Settings, shared_pool: InferencePool
) -> None:
    first_start = utc(2031, 3, 20, 17)  # a Thursday 18:00 in Paris
    async with clocked(settings, shared_pool) as (session, clock):
        await setup_guild(session, remind=45)
        await schedule(session, weeks=1)
        sessions_channel = session.channel("sessions").id
        outage = Outage(lambda call: _is_message_post(call, {sessions_channel}), 503, stored=True)
        session.double.intercept = outage
        due = first_start - timedelta(minutes=45)
        await _until_idle(session, clock, due)
        assert outage.failed == 1  # 503 is not re-sent by discord.py: the attempt fails at once
        assert len(channel_posts(session, "sessions")) == 1  # … but Discord has the message
        outage.on = False
        await _until_idle(session, clock, due + timedelta(seconds=15))
        (post,) = channel_posts(session, "sessions")
        assert post.embeds[0]["title"].startswith("Starting soon") and post.pings() == []
        assert len(_posts_to(session.double, {sessions_channel})) == 1  # the retry read, and did not post
        assert await _rows(session, "SELECT outcome, attempts FROM reminders") == [("sent", 2)]


async def test_an_outage_past_the_deadline_drops_the_reminder_with_one_log_line(
    hw: LocalSession, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    await hw.run("/config reminders area:homework minutes:60", moderator=True)
    await hw.run("/config channel purpose:homework channel:#homework", moderator=True)
    announcement = await _post(hw, "channel_reminder:true")
    homework_channel = hw.channel("homework").id
    outage = Outage(lambda call: _is_message_post(call, {homework_channel}), 503)
    hw.double.intercept = outage
    due = utc(2030, 3, 3, 12, 0)
    await _until_idle(hw, clock, due - timedelta(minutes=60))
    tries = [clock.now()]
    while (moment := await _next_try(hw)) is not None:
        await _until_idle(hw, clock, moment)
        tries.append(moment)
    # 15 s, 30 s, 1, 2, 4, 8, 16 min; the next wait (30 min) would end after the due date.
    waits = [int((b - a).total_seconds()) for a, b in itertools.pairwise(tries)]
    assert waits == [15, 30, 60, 120, 240, 480, 960]
    assert outage.failed == 8
    reminders = [m for m in hw.double.channel_messages(homework_channel) if m.id != announcement.id]
    assert reminders == []
    ((outcome,),) = await _rows(hw, "SELECT outcome FROM reminders")
    assert str(outcome).startswith("dropped: DiscordServerError")
    dropped = [r for r in caplog.records if r.name == "bot.scheduler" and "dropped" in r.getMessage()]
    assert len(dropped) == 1 and dropped[0].levelno == logging.WARNING
    posted = len(_posts_to(hw.double, {homework_channel}))
    hw.double.intercept = None
    await _until_idle(hw, clock, due + timedelta(hours=1))
    assert len(_posts_to(hw.double, {homework_channel})) == posted  # never tried again
