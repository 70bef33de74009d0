"""A worker process imports what it runs models with, and not the bot's Discord side."""

from __future__ import annotations

import json
import subprocess
import sys

#: The bot's Discord side: together about a third of a second of every worker's start, for nothing.
DISCORD_SIDE = ("discord", "aiohttp", "aiosqlite", "bot.app", "bot.errors")

_IMPORT_THE_WORKER = """
import importlib, json, pkgutil, sys
import bot.inference.runners as runners
from bot.inference import loading, worker_process
for module in pkgutil.iter_modules(runners.__path__):
    importlib.import_module(f"bot.inference.runners.{module.name}")
print(json.dumps(sorted(sys.modules)))
"""


def test_the_worker_and_every_runner_import_nothing_of_the_discord_side() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_THE_WORKER], capture_output=True, text=True, check=True, timeout=300
    )
    modules = set(json.loads(done.stdout))
    assert "bot.inference.worker_process" in modules and "bot.inference.runners.seq2seq" in modules
    assert not [name for name in DISCORD_SIDE if name in modules]
