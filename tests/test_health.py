"""The health file the running bot writes, and `studybot health` that Docker runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

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
