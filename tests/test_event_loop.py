"""The bot's event loop: uvloop by default, asyncio's on request or where uvloop is missing."""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

import pytest
import uvloop

from bot import event_loop
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from tests.conftest import make_settings


async def running_loop() -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


def test_uvloop_runs_the_coroutine_on_uvloop() -> None:
    assert isinstance(event_loop.run(running_loop(), "uvloop"), uvloop.Loop)


def test_asyncio_runs_the_coroutine_on_the_standard_loop() -> None:
    loop = event_loop.run(running_loop(), "asyncio")
    assert not isinstance(loop, uvloop.Loop)
    assert type(loop).__module__.startswith("asyncio.")


def test_without_uvloop_it_says_so_and_uses_asyncio(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop raises ImportError
    with caplog.at_level(logging.WARNING, logger="bot.event_loop"):
        loop = event_loop.run(running_loop(), "uvloop")
    assert not isinstance(loop, uvloop.Loop)
    assert "uvloop is not installed" in caplog.text


def test_the_bot_answers_commands_and_demos_on_uvloop(tmp_path: Path, tiny_dir: Path) -> None:
    """The real bot against the double, with a model demo through a worker process's pipe."""
    settings = make_settings(tmp_path, TINY_MODELS_DIR=str(tiny_dir))

    async def scenario() -> tuple[asyncio.AbstractEventLoop, str, dict[str, str], bool]:
        pool = InferencePool(settings)
        await pool.start()
        try:
            async with LocalSession(settings, fail_on_errors=True, answer_timeout=60, backend=pool) as local:
                about = await local.run("/about")
                sentiment = await local.run("/sentiment text:I love this course")
                local.raise_failures()
        finally:
            await pool.close()
        (embed,) = sentiment.reply.embeds
        return (
            asyncio.get_running_loop(),
            about.reply.embeds[0]["title"],
            embed["fields"][0],
            sentiment.answered,
        )

    loop, about_title, scores, answered = event_loop.run(scenario(), "uvloop")
    assert isinstance(loop, uvloop.Loop)
    assert about_title == "studybot"
    assert answered and scores["name"] == "Label scores"
    top = scores["value"].splitlines()[0]  # labels by score, best first
    assert "**POSITIVE**" in top, scores  # the offline model's answer, by way of the worker
