"""The bot: start-up (database → migrations → inference → cogs) and shutdown in reverse order."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pkgutil
import sqlite3
import time
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot.clock import Clock, SystemClock
from bot.components import ActionItem, ActionRegistry
from bot.db import apply_migrations, open_database
from bot.db.connection import Database, with_reader
from bot.db.demo_runs import DemoRunStore
from bot.db.faults import classify
from bot.db.reminders import ReminderStore
from bot.errors import StudyTree, fault_log
from bot.health import HealthReport, report_forever
from bot.heap import freeze_startup_heap
from bot.inference.backend import InferenceBackend
from bot.inference.factory import make_backend
from bot.intake import FirstResponses, InteractionIntake
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.unrouted import answer_unrouted

log = logging.getLogger(__name__)

#: The longest rate-limit wait discord.py may sleep through inside a handler; a longer one raises
#: ``discord.RateLimited`` so the handler can say so (an interaction token lasts 15 minutes).
MAX_RATE_LIMIT_WAIT_S = 60.0

# studybot never joins voice channels: don't warn at every start that voice libraries are missing.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

#: How often old rows are forgotten (the first time right after start-up, in the background).
HOUSEKEEPING_EVERY_S = 24 * 3600


def extension_names() -> list[str]:
    """Every extension under ``cogs/`` (modules and packages), skipping ``_``-prefixed ones."""
    return sorted(
        f"{cogs.__name__}.{module.name}"
        for module in pkgutil.iter_modules(cogs.__path__)
        if not module.name.startswith("_")
    )


class StudyBot(commands.Bot):
    """The studybot client. Slash commands only; the settings decide everything else.

    ``start_services=False`` loads the commands without opening the database or starting the
    inference workers (``studybot sync`` needs nothing more). ``backend`` lends the bot an inference
    backend that someone else owns (and closes); by default the bot starts its own
    backend (:func:`~bot.inference.factory.make_backend`: the local pool or Ray Serve) and closes it.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        start_services: bool = True,
        backend: InferenceBackend | None = None,
        warm_up: bool = True,
        **client_options: Any,
    ) -> None:
        intents = discord.Intents.default()
        intents.message_content = settings.message_content_intent
        #: Which interactions still wait for their first response (seen in the bot's HTTP requests).
        responses = FirstResponses()
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=StudyTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            http_trace=responses.trace,
            **{"max_ratelimit_timeout": MAX_RATE_LIMIT_WAIT_S, **client_options},
        )
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.scheduler = Scheduler(self.clock)
        self.actions = ActionRegistry()  # the cogs' persistent buttons and selects (bot/components.py)
        self.add_dynamic_items(ActionItem)
        self.start_services = start_services
        #: Whether the features load their slow libraries in the background as they load (dateparser),
        #: and the start-up heap is frozen once ready (:mod:`bot.heap`): worth it for a bot that
        #: serves for a while, not for one that answers one command and exits.
        self.warm_up = warm_up
        self.started_monotonic = time.monotonic()
        self.started_at = discord.utils.utcnow()
        self._db: Database | None = None
        self.backend: InferenceBackend | None = backend
        self._owns_backend = backend is None
        self._health_task: asyncio.Task[None] | None = None
        self._housekeeping_task: asyncio.Task[None] | None = None
        #: Set after each round of :meth:`housekeeping` (tests wait on it).
        self.housekept = asyncio.Event()
        #: Interactions reach discord.py one per loop turn (a burst never holds the loop).
        self.intake = InteractionIntake(self._connection.parsers, responses)
        self.intake.install()

    @property
    def db(self) -> Database:
        """The open database (available from ``setup_hook`` until ``close``): its writer and reader
        connections, used like one connection (:class:`~bot.db.connection.Database`)."""
        if self._db is None:
            raise RuntimeError("the database is not open")
        return self._db

    async def setup_hook(self) -> None:
        if self.start_services:
            writer = await open_database(self.settings.database_path)
            try:
                version = await apply_migrations(writer)
                # Reads outside units of work go to a second connection, beside the writes.
                self._db = await with_reader(writer, self.settings.database_path)
            except BaseException:
                await writer.close()
                raise
            log.info("Database at schema version %d", version)
            if self.backend is None:
                self.backend = make_backend(self.settings)  # INFERENCE_BACKEND: local pool or Ray Serve
            await self.backend.start()
            self._health_task = asyncio.create_task(
                report_forever(self.settings.health_file, self.health_report), name="studybot-health"
            )
        for name in extension_names():
            await self.load_extension(name)
        log.info("Loaded %d extensions", len(self.extensions))
        if self.start_services:
            await self.scheduler.start(ReminderStore(self.db), ready=self.wait_until_ready)
            # Start-up only reads: a read-only or locked database still starts and serves reads.
            self._housekeeping_task = asyncio.create_task(self.housekeeping(), name="studybot-housekeeping")
        if self.start_services and self.settings.dev_guild_id is not None:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("Synced %d commands to the development server %s", len(synced), guild.id)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Presses and forms that discord.py routes nowhere get an answer (see :mod:`bot.unrouted`)."""
        await answer_unrouted(self, interaction)

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("Connected as %s (%s) to %d servers", self.user, self.user.id, len(self.guilds))
        if self.warm_up:
            freeze_startup_heap()

    async def close(self) -> None:
        """Stop taking events, unload the cogs, drain the inference backend, then close the database."""
        # discord.py calls close() again from connect() when the gateway closes, possibly while
        # the first call is still running: each resource is taken before it is awaited on.
        await self.intake.close()
        health, self._health_task = self._health_task, None
        if health is not None:
            health.cancel()
        housekeeping, self._housekeeping_task = self._housekeeping_task, None
        if housekeeping is not None:
            housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await housekeeping
        await self.scheduler.stop()
        # Closing during the start-up wait for guilds (e.g. SIGTERM right after connecting) would
        # leave discord.py's pending "ready" dispatch to fail on a closed client: cancel it.
        ready = self._connection._ready_task
        if ready is not None and not ready.done():
            ready.cancel()
        await super().close()  # closes the gateway and unloads every extension, newest first
        backend = self.backend if self._owns_backend else None
        self._owns_backend = False
        if backend is not None:
            await backend.close()
        db, self._db = self._db, None
        if db is not None:
            await db.close()
            log.info("Database closed")

    async def housekeeping(self) -> None:
        """Forget demo calls older than 30 days, now and then once every :data:`HOUSEKEEPING_EVERY_S`.

        A database that refuses the write (full, read-only, locked) is left as it is (the fault is
        logged like members' refused changes, once in a while); the next round tries again.
        """
        while True:
            try:
                pruned = await DemoRunStore(self.db).prune(self.clock.now())
            except sqlite3.Error as error:
                fault = classify(error)
                if fault is None:
                    log.exception("Could not forget old demo calls")
                else:  # logged with the members' refusals, once in a while
                    fault_log.note(fault, "forgetting old demo calls")
            else:
                if pruned:
                    log.info("Forgot %d old demo calls", pruned)
            self.housekept.set()
            await asyncio.sleep(HOUSEKEEPING_EVERY_S)

    def health_report(self) -> HealthReport:
        """How the bot is doing right now, for the health file."""
        alive, expected = self.backend.worker_health() if self.backend is not None else (0, 0)
        connected = self.is_ready() and not self.is_closed() and self.ws is not None and self.ws.open
        return HealthReport(time.time(), connected, alive, expected)

    @property
    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_monotonic
