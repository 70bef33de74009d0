"""A bot that serves for a while leaves its start-up heap out of the collector's runs, once per
process (``bot/heap.py``); a bot for one command does not pay for the collection it takes."""

from __future__ import annotations

import gc

import pytest

from bot import heap
from bot.inference.pool import InferencePool
from bot.local.session import LocalSession
from bot.settings import Settings


@pytest.fixture
def freezes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The collector's calls made by ``bot.heap``, recorded instead of made, and the process made
    to look not yet frozen (the suite's first serving bot really freezes it)."""
    calls: list[str] = []

    def collect(*_generation: int) -> int:
        calls.append("collect")
        return 0

    monkeypatch.setattr(heap, "_frozen", False)
    monkeypatch.setattr(gc, "collect", collect)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    return calls


def test_the_heap_is_collected_then_frozen_once_per_process(freezes: list[str]) -> None:
    assert heap.freeze_startup_heap()
    assert freezes == ["collect", "freeze"]  # the garbage first: nothing kept that would be freed
    assert not heap.freeze_startup_heap()
    assert freezes == ["collect", "freeze"]


async def test_a_serving_bot_freezes_its_heap_once_ready(
    settings: Settings, shared_pool: InferencePool, freezes: list[str]
) -> None:
    async with LocalSession(settings, backend=shared_pool, fail_on_errors=True) as session:
        assert (await session.run("/about")).answered
        assert freezes == ["collect", "freeze"]
    async with LocalSession(settings, backend=shared_pool, fail_on_errors=True):
        assert freezes == ["collect", "freeze"]  # a second bot in the process freezes nothing more


async def test_a_bot_for_one_command_freezes_nothing(
    settings: Settings, shared_pool: InferencePool, freezes: list[str]
) -> None:
    async with LocalSession(settings, backend=shared_pool, fail_on_errors=True, warm_up=False) as session:
        assert (await session.run("/about")).answered
    assert freezes == []
