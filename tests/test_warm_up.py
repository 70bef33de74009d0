"""Slow libraries warmed in the background only where the bot serves for a while (``StudyBot.warm_up``).

``studybot try`` answers one command and exits: a thread loading dateparser beside it would only
compete with that command for the interpreter.
"""

from __future__ import annotations

import asyncio
import io
import threading

import pytest

from bot import when
from bot.inference.pool import InferencePool
from bot.local.console import run_try
from bot.local.session import LocalSession
from bot.settings import Settings


@pytest.fixture
def warmed(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Set once the warm-up thread ran; the process's one warm-up is made to look not yet started.

    The warm-up itself is replaced (the test needs to know that it ran, not to load dateparser),
    in ``bot.when``, which discord.py never reloads (it reloads the cogs with their extensions).
    """
    ran = threading.Event()
    monkeypatch.setattr(when, "_warm_started", False)
    monkeypatch.setattr(when, "_warm_up", ran.set)
    return ran


async def test_a_serving_bot_warms_dateparser_as_its_date_features_load(
    settings: Settings, shared_pool: InferencePool, warmed: threading.Event
) -> None:
    async with LocalSession(settings, backend=shared_pool, fail_on_errors=True):
        assert when._warm_started
        assert await asyncio.to_thread(warmed.wait, 30)


async def test_a_bot_for_one_command_warms_nothing(
    settings: Settings, shared_pool: InferencePool, warmed: threading.Event
) -> None:
    async with LocalSession(settings, backend=shared_pool, fail_on_errors=True, warm_up=False) as session:
        reply = (await session.run("/homework list")).reply
        assert reply is not None
    assert not when._warm_started and not warmed.is_set()


async def test_studybot_try_warms_nothing(settings: Settings, warmed: threading.Event) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert await run_try(settings, "/about", out=out, err=err) == 0, err.getvalue()
    assert "studybot" in out.getvalue().lower()
    assert not when._warm_started and not warmed.is_set()
