"""Liveness for Docker's HEALTHCHECK: the bot writes a small status file, ``studybot health`` reads it.

A file (not a port) keeps the check free of network set-up: the running bot rewrites it every
``INTERVAL_S`` seconds with whether the gateway is connected and the inference workers are alive;
the check fails when the file is stale (the process hung or died) or reports a problem.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

log = logging.getLogger(__name__)

INTERVAL_S = 15.0
STALE_AFTER_S = 60.0


@dataclass(frozen=True)
class HealthReport:
    """What the bot says about itself."""

    written_at: float
    gateway_connected: bool
    workers_alive: int
    workers_expected: int

    @property
    def problems(self) -> list[str]:
        found = []
        if not self.gateway_connected:
            found.append("the Discord gateway is not connected")
        if self.workers_alive < self.workers_expected:
            found.append(f"{self.workers_alive} of {self.workers_expected} inference workers are alive")
        return found


def write_report(path: Path, report: HealthReport) -> None:
    """Replace the status file atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(json.dumps(asdict(report)), encoding="utf-8")
    os.replace(partial, path)


def check(path: Path, now: float | None = None) -> list[str]:
    """The problems to report; an empty list means healthy."""
    try:
        report = HealthReport(**json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return [f"no health file at {path} (is the bot running?)"]
    except (ValueError, TypeError):
        return [f"the health file {path} is unreadable"]
    age = (now if now is not None else time.time()) - report.written_at
    if age > STALE_AFTER_S:
        return [f"the bot last reported {age:.0f} s ago (limit {STALE_AFTER_S:.0f} s)"]
    return report.problems


async def report_forever(path: Path, probe: Callable[[], HealthReport]) -> None:
    """Write ``probe()``'s report every ``INTERVAL_S`` seconds until cancelled.

    A file that cannot be written (a read-only or full filesystem) is said once, with its reason,
    and again only once it could be written in between: not a traceback every 15 seconds.
    """
    failing = False
    while True:
        try:
            await asyncio.to_thread(write_report, path, probe())
        except OSError as error:
            if not failing:
                log.warning(
                    "Could not write the health file %s (%s); the health check will report the bot "
                    "as stale until it can",
                    path,
                    error.strerror or error,
                )
            failing = True
        else:
            if failing:
                log.info("The health file %s is written again", path)
            failing = False
        await asyncio.sleep(INTERVAL_S)
