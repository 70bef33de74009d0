"""The health file the running bot writes, and `studybot health` that Docker runs."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

import bot.health
from bot.health import STALE_AFTER_S, HealthReport, check, write_report
from bot.local.session import LocalSession
from tests.test_cli import studybot


async def test_the_running_bot_reports_a_connected_gateway(session: LocalSession) -> None:
    assert session.bot is not None
    report = session.bot.health_report()
    assert report.gateway_connected
    path = session.settings.health_file
    write_report(path, report)
    assert check(path) == []


# The CLI subprocesses reuse the session's tiny models (see the tiny_dir fixture).
pytestmark = pytest.mark.usefixtures("tiny_dir")


def test_problems_are_named(tmp_path: Path) -> None:
    path = tmp_path / "health.json"
    assert "no health file" in check(path)[0]
    write_report(path, HealthReport(time.time(), False, 1, 2))
    assert check(path) == ["the Discord gateway is not connected", "1 of 2 inference workers are alive"]
    write_report(path, HealthReport(time.time() - STALE_AFTER_S - 5, True, 1, 1))
    assert "last reported" in check(path)[0]
    path.write_text("{not json")
    assert "unreadable" in check(path)[0]


def test_health_command_exit_codes(tmp_path: Path) -> None:
    path = tmp_path / "health.json"
    assert studybot(["health"], tmp_path, HEALTH_FILE=str(path)).returncode == 1
    write_report(path, HealthReport(time.time(), True, 1, 1))
    result = studybot(["health"], tmp_path, HEALTH_FILE=str(path))
    assert result.returncode == 0 and result.stdout.strip() == "healthy"


async def test_an_unwritable_health_file_is_said_once_not_every_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(bot.health, "INTERVAL_S", 0.0)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the health folder should be")
    rounds = 0
    fourth = asyncio.Event()

    def probe() -> HealthReport:
        nonlocal rounds
        rounds += 1
        if rounds == 4:
            fourth.set()
        return HealthReport(time.time(), True, 1, 1)

    task = asyncio.create_task(bot.health.report_forever(blocker / "health.json", probe))
    try:
        await asyncio.wait_for(fourth.wait(), 30)
    finally:
        task.cancel()
    warnings = [r for r in caplog.records if r.name == "bot.health" and r.levelname == "WARNING"]
    assert len(warnings) == 1 and warnings[0].exc_info is None
    assert "Could not write the health file" in warnings[0].getMessage()
