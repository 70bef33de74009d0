"""Run the real bot against the Discord double, in-process, and talk to it as a member would.

``LocalSession`` is what the console, ``studybot try`` and the tests share: it starts the double,
points discord.py at it, starts an unmodified :class:`~bot.app.StudyBot` over the real gateway,
then sends interactions and waits until the bot has finished answering each one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.app import StudyBot
from bot.clock import Clock
from bot.inference.backend import InferenceBackend
from bot.local.commandline import parse_command_line
from bot.local.patching import pointed_at
from bot.local.payloads import PayloadFactory
from bot.local.ratelimits import RateLimiter
from bot.local.render import render_choices, render_message, render_modal
from bot.local.server import DiscordDouble
from bot.local.store import Breach, InteractionState, RecordedRequest, StoredMessage
from bot.local.world import LocalChannel, LocalUser
from bot.settings import Secret, Settings

log = logging.getLogger(__name__)

LOCAL_TOKEN = Secret("bG9jYWw.studybot.local-double")
WATCHED_LOGGERS = ("discord", "asyncio", "bot", "cogs")
# discord.py runs each interaction's handler in a task with one of these names.
HANDLER_TASK_PREFIXES = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch",
    "discord-ui-modal-dispatch",
    "discord-ui-dynamic-item",  # persistent DynamicItem buttons
    "discord.py: on_",  # gateway event listeners (scheduled events, message deletes…)
)


class LocalFailure(AssertionError):
    """The bot logged an error, broke a Discord rule, or did not answer in time."""


class ErrorWatch(logging.Handler):
    """Collects ERROR records from discord.py, asyncio and the bot; tells a listener at once."""

    def __init__(self, on_error: Callable[[logging.LogRecord], None]) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self._on_error = on_error

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self._on_error(record)


def _describe(record: logging.LogRecord) -> str:
    text = f"{record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
    return text


@dataclass
class Exchange:
    """One interaction and everything the bot did about it."""

    double: DiscordDouble
    state: InteractionState
    since: float
    requests: list[RecordedRequest] = field(default_factory=list)

    @property
    def original(self) -> StoredMessage | None:
        """The interaction's original response message, as it stands now."""
        return self.double.messages.get(self.state.original_message_id or 0)

    @property
    def messages(self) -> list[StoredMessage]:
        """The original response (if any) and every message created while handling this one, as
        members see them now (deleted ones are gone)."""
        found = {m.id: m for m in self.double.messages.values() if m.created_mono >= self.since}
        original = self.original
        if original is not None:
            found[original.id] = original
        return [found[key] for key in sorted(found) if not found[key].deleted]

    @property
    def reply(self) -> StoredMessage:
        """The message a member sees as the answer: the original response (unless it was deleted),
        else the first message."""
        if self.original is not None and not self.original.deleted:
            return self.original
        if not self.messages:
            raise LocalFailure(f"the bot sent no message for interaction {self.state.id}")
        return self.messages[0]

    @property
    def modal(self) -> dict[str, Any] | None:
        return self.state.modal

    @property
    def choices(self) -> list[dict[str, Any]]:
        return self.state.choices or []

    @property
    def answered(self) -> bool:
        return self.state.responded

    def render(self) -> str:
        """What a member would read, as text."""
        parts = [render_message(message) for message in self.messages]
        if self.modal is not None:
            parts.append(render_modal(self.modal))
        if self.state.choices is not None:
            parts.append(render_choices(self.choices))
        return "\n".join(parts) if parts else "(the bot did not answer)"

    def requests_json(self) -> list[dict[str, Any]]:
        """The bot's HTTP requests for ``studybot try --json``, ``at_ms`` from the event."""
        return [request.to_dict(self.state.sent_at) for request in self.requests]


def find_component(message: StoredMessage, label: str) -> dict[str, Any]:
    """The button or select on ``message`` whose label, placeholder or custom id is ``label``."""
    wanted = label.strip().strip("[]").lower()
    for row in message.components:
        for item in row.get("components") or []:
            names = {str(item.get(key, "")).lower() for key in ("label", "placeholder", "custom_id")}
            if wanted in names:
                return item
    labels = [
        item.get("label") or item.get("placeholder") or item.get("custom_id")
        for row in message.components
        for item in row.get("components") or []
    ]
    raise LocalFailure(f"no component {label!r} on that message; it has {labels}")


class LocalSession:
    """The bot, running for real against the Discord double. Use ``async with``."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        fail_on_errors: bool = False,
        answer_timeout: float = 120.0,
        double: DiscordDouble | None = None,
        backend: InferenceBackend | None = None,
        rate_limits: RateLimiter | None = None,
        warm_up: bool = True,
    ) -> None:
        self.settings = settings.replace(discord_token=LOCAL_TOKEN)
        self.warm_up = warm_up  # passed to the bot (see ``StudyBot.warm_up``)
        self.clock = clock
        self.backend = backend
        # The double shares the bot's clock: tokens expire and events are "in the past" on it.
        self.double = double or DiscordDouble(clock=clock, rate_limits=rate_limits)
        self.payloads = PayloadFactory(self.double)
        self.fail_on_errors = fail_on_errors
        self.answer_timeout = answer_timeout
        self.bot: StudyBot | None = None
        self.failures: list[str] = []
        self._failed = asyncio.Event()
        self._allowing_errors = 0
        self._watch = ErrorWatch(self._on_error_record)
        self._patch: contextlib.ExitStack | None = None
        self._runner: asyncio.Task[None] | None = None
        self._seen: set[int] = set()
        self._seen_changed = asyncio.Event()
        self._background: set[asyncio.Task[Any]] = set()
        self._launched: dict[int, set[asyncio.Task[Any]]] = {}

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> LocalSession:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the double, point discord.py at it, and start the bot until it is ready."""
        for name in WATCHED_LOGGERS:
            logging.getLogger(name).addHandler(self._watch)
        self.double.breach_listeners.append(self._on_breach)
        await self.double.start()
        self._patch = contextlib.ExitStack()
        self._patch.enter_context(pointed_at(self.double))
        try:
            await self._start_bot()
        except BaseException:
            # A failed start (a migration refused, a bad catalog) must still close what setup_hook
            # opened: an open database keeps aiosqlite's thread, and so the process, alive.
            await self.stop()
            raise

    async def _start_bot(self) -> None:
        self.double.identified.clear()
        client = StudyBot(
            self.settings,
            clock=self.clock,
            backend=self.backend,
            warm_up=self.warm_up,
            guild_ready_timeout=0.05,
        )
        client.add_listener(self._on_interaction, "on_interaction")
        self.bot = client
        await client.login(LOCAL_TOKEN.reveal())
        self._runner = asyncio.create_task(client.connect(reconnect=False), name="local-bot-gateway")
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait({ready, self._runner}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
        if ready not in done:
            ready.cancel()
            if self._runner in done and self._runner.exception():
                raise LocalFailure(f"the bot did not connect: {self._runner.exception()!r}")
            raise LocalFailure("the bot did not become ready within 30 s")

    async def _stop_bot(self) -> None:
        if self.bot is not None:
            await self.bot.close()
        if self._runner is not None:
            with contextlib.suppress(asyncio.CancelledError, discord.ConnectionClosed):
                await asyncio.wait_for(self._runner, timeout=10)
        self.bot, self._runner = None, None

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same settings, database and double."""
        await self._stop_bot()
        await self._start_bot()

    async def stop(self) -> None:
        """Stop the bot, then the double, and restore discord.py."""
        try:
            await self._stop_bot()
        finally:
            await self.double.stop()
            if self._patch is not None:
                self._patch.close()
            for name in WATCHED_LOGGERS:
                logging.getLogger(name).removeHandler(self._watch)
            self.double.breach_listeners.remove(self._on_breach)

    # --- failures --------------------------------------------------------------------------

    def _on_error_record(self, record: logging.LogRecord) -> None:
        if self.fail_on_errors and not self._allowing_errors:
            self.failures.append(_describe(record))
            self._failed.set()

    def _on_breach(self, breach: Breach) -> None:
        if self.fail_on_errors and not self._allowing_errors:
            self.failures.append(f"Discord rule broken: {breach}")
            self._failed.set()

    @property
    def error_records(self) -> list[logging.LogRecord]:
        """Every ERROR record logged while the session ran."""
        return list(self._watch.records)

    @contextlib.contextmanager
    def allowing_errors(self) -> Iterator[None]:
        """Inside, error logs and breaches are recorded but do not fail the session."""
        self._allowing_errors += 1
        try:
            yield
        finally:
            self._allowing_errors -= 1

    @contextlib.asynccontextmanager
    async def expect_failure(self, pattern: str) -> AsyncIterator[list[str]]:
        """Inside, a :class:`LocalFailure` matching ``pattern`` must happen; it is then forgiven.

        After the failure, the bot is given time to finish (its error handler may still log);
        the failures it caused are put in the yielded list and cleared from the session.
        """
        caught: list[str] = []
        try:
            yield caught
        except LocalFailure as exc:
            if not re.search(pattern, str(exc)):
                raise
        else:
            raise AssertionError(f"expected a failure matching {pattern!r}, but none happened")
        with self.allowing_errors():
            await self._wait_idle(time.monotonic() + self.answer_timeout)
        caught.extend(self.failures)
        self.failures.clear()
        self._failed.clear()

    def raise_failures(self) -> None:
        """Raise :class:`LocalFailure` if anything went wrong so far."""
        if self.failures:
            raise LocalFailure("; ".join(self.failures))

    # --- members and channels ------------------------------------------------------------------

    def member(self, name: str | None = None, *, moderator: bool = False) -> LocalUser:
        """A member of the local guild: ``name``, else Ada (moderator) or Grace (member)."""
        return self.double.world.user(name or ("Ada" if moderator else "Grace"))

    def channel(self, name: str = "general") -> LocalChannel:
        return self.double.world.channel(name)

    def schemas(self) -> list[dict[str, Any]]:
        """The bot's slash-command schemas, as it would sync them to Discord."""
        assert self.bot is not None
        tree = self.bot.tree
        return [command.to_dict(tree) for command in tree.get_commands()]

    # --- talking to the bot --------------------------------------------------------------------

    def command_payload(
        self,
        line: str,
        *,
        user: str | None = None,
        moderator: bool = False,
        channel: str = "general",
        dm: bool = False,
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload that typing ``line`` in Discord would send."""
        parsed = parse_command_line(line, self.schemas())
        member = self.member(user, moderator=moderator)
        return self.payloads.command(parsed, member, self.channel(channel), in_guild=not dm)

    async def run(
        self,
        line: str,
        *,
        user: str | None = None,
        moderator: bool = False,
        channel: str = "general",
        dm: bool = False,
    ) -> Exchange:
        """Type ``line`` (``/command sub option:value …``) as a member and wait for the bot."""
        payload = self.command_payload(line, user=user, moderator=moderator, channel=channel, dm=dm)
        return await self.send(payload)

    async def send(self, payload: dict[str, Any]) -> Exchange:
        """Send a raw interaction payload and wait until the bot has finished with it."""
        (exchange,) = await self.send_many([payload])
        return exchange

    async def send_many(self, payloads: Sequence[dict[str, Any]]) -> list[Exchange]:
        """Send several interactions at once (as concurrent members would) and wait for all."""
        since = time.monotonic()
        states = await self.double.send_interactions(payloads)
        await self._settle(states)
        requests = self.double.requests_since(since)
        return [
            Exchange(self.double, state, since, [r for r in requests if r.interaction_id in (None, state.id)])
            for state in states
        ]

    async def click(
        self, message: StoredMessage, label: str, *, user: str | None = None, moderator: bool = False
    ) -> Exchange:
        """Press the button labelled ``label`` on ``message``."""
        item = find_component(message, label)
        member = self.member(user, moderator=moderator)
        return await self.send(self.payloads.component(message, item["custom_id"], item["type"], member))

    async def choose(
        self,
        message: StoredMessage,
        placeholder: str,
        values: list[str],
        *,
        user: str | None = None,
        moderator: bool = False,
    ) -> Exchange:
        """Pick ``values`` in the select menu ``placeholder`` on ``message``."""
        item = find_component(message, placeholder)
        member = self.member(user, moderator=moderator)
        payload = self.payloads.component(message, item["custom_id"], item["type"], member, values=values)
        return await self.send(payload)

    async def submit(
        self,
        opened: Exchange,
        values: dict[str, str],
        *,
        user: str | None = None,
        moderator: bool = False,
        channel: str = "general",
    ) -> Exchange:
        """Fill in the modal that ``opened`` showed (values by label or custom id) and submit it."""
        modal = opened.modal
        if modal is None:
            raise LocalFailure("that interaction did not open a form")
        by_custom_id = modal_values(modal, values)
        member = self.member(user, moderator=moderator)
        message = opened.state.payload.get("message")
        stored = self.double.messages.get(int(message["id"])) if message else None
        payload = self.payloads.modal_submit(modal, by_custom_id, member, self.channel(channel), stored)
        return await self.send(payload)

    async def autocomplete(
        self,
        line: str,
        focused: str,
        *,
        user: str | None = None,
        moderator: bool = False,
        channel: str = "general",
    ) -> list[dict[str, Any]]:
        """The suggestions the bot gives while ``focused`` is being typed in ``line``."""
        parsed = parse_command_line(line, self.schemas())
        member = self.member(user, moderator=moderator)
        exchange = await self.send(self.payloads.autocomplete(parsed, focused, member, self.channel(channel)))
        return exchange.choices

    async def launch(
        self,
        line: str,
        *,
        user: str | None = None,
        moderator: bool = False,
        channel: str = "general",
        dm: bool = False,
    ) -> Exchange:
        """Type ``line`` and return as soon as the bot has acknowledged it, leaving its handler running.

        Other interactions can then be sent while this one is still busy (say, queued behind a
        frozen worker); :meth:`finish` waits for it to end.
        """
        payload = self.command_payload(line, user=user, moderator=moderator, channel=channel, dm=dm)
        before = set(self._handler_tasks())
        since = time.monotonic()
        state = await self.double.send_interaction(payload)
        await self._wait_for(lambda: state.id in self._seen, "the bot to receive the interaction")
        mine = set(self._handler_tasks()) - before
        self._background |= mine
        self._launched[state.id] = mine
        await self._wait_for(lambda: state.responded, "the bot to acknowledge the interaction")
        return Exchange(self.double, state, since)

    async def finish(self, exchange: Exchange) -> Exchange:
        """Wait until a :meth:`launch`-ed interaction's handler has ended; its requests are then filled in."""
        tasks = self._launched.pop(exchange.state.id, set())
        await self._wait_for(lambda: all(task.done() for task in tasks), "the launched handler to end")
        self._background -= tasks
        await self._settle([])
        exchange.requests = [
            r
            for r in self.double.requests_since(exchange.since)
            if r.interaction_id in (None, exchange.state.id)
        ]
        return exchange

    async def _wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + self.answer_timeout
        while not condition():
            if self._failed.is_set():
                self.raise_failures()
            if time.monotonic() > deadline:
                raise LocalFailure(f"timed out waiting for {what}")
            await asyncio.sleep(0.005)

    def _handler_tasks(self) -> list[asyncio.Task[Any]]:
        return [
            task
            for task in asyncio.all_tasks()
            if not task.done() and task.get_name().startswith(HANDLER_TASK_PREFIXES)
        ]

    async def _on_interaction(self, interaction: discord.Interaction) -> None:
        # discord.py dispatches "interaction" after it has created the handler task.
        self._seen.add(interaction.id)
        self._seen_changed.set()

    def _handlers_busy(self) -> bool:
        """A handler is running that is not one of the launched (background) ones."""
        return any(task not in self._background for task in self._handler_tasks())

    async def _settle(self, states: Sequence[InteractionState]) -> None:
        """Wait until the bot has seen every interaction, its handlers are done and HTTP is quiet."""
        deadline = time.monotonic() + self.answer_timeout
        wanted = {state.id for state in states}
        quiet_checks = 0
        while True:
            if self._failed.is_set():
                self.raise_failures()
            if time.monotonic() > deadline:
                busy = [task.get_name() for task in self._handler_tasks() if task not in self._background]
                raise LocalFailure(
                    f"the bot was still busy after {self.answer_timeout:.0f} s "
                    f"(handlers: {busy or 'none'}; HTTP quiet: {self.double.is_quiet})"
                )
            if self._runner is not None and self._runner.done():
                raise LocalFailure("the bot's gateway connection ended")
            if wanted <= self._seen and self._idle_now():
                quiet_checks += 1
                if quiet_checks >= 2:
                    return
            else:
                quiet_checks = 0
            await asyncio.sleep(0.005)

    def _idle_now(self) -> bool:
        return not self._handlers_busy() and self.double.is_quiet and self._gateway_caught_up()

    def _gateway_caught_up(self) -> bool:
        """The bot has read every gateway event the double sent (their listeners then exist) and
        handed every interaction to discord.py (see :mod:`bot.intake`)."""
        if self.bot is None or self.bot.ws is None or self.bot.is_closed():
            return True
        return (self.bot.ws.sequence or 0) >= self.double.sequence and not self.bot.intake.waiting

    async def settle(self) -> None:
        """Wait until the bot has handled every gateway event sent so far and is idle again
        (after a test acts in Discord itself, e.g. a moderator deletes a message)."""
        await self._settle([])

    async def _wait_idle(self, deadline: float) -> None:
        """Wait until no handler runs and no request is in flight (failures ignored)."""
        quiet_checks = 0
        while quiet_checks < 2 and time.monotonic() < deadline:
            quiet_checks = quiet_checks + 1 if self._idle_now() else 0
            await asyncio.sleep(0.005)


def modal_values(modal: dict[str, Any], values: dict[str, str]) -> dict[str, str]:
    """Map values given by label (or custom id) onto the modal's text inputs' custom ids."""
    result: dict[str, str] = {}
    lowered = {key.lower(): value for key, value in values.items()}
    for row in modal.get("components") or []:
        items = [row] if row.get("type") == 18 else row.get("components") or []
        for item in items:
            inner = item.get("component", item)
            label = str(item.get("label") or inner.get("label") or "").lower()
            custom_id = inner["custom_id"]
            if custom_id.lower() in lowered:
                result[custom_id] = lowered[custom_id.lower()]
            elif label in lowered:
                result[custom_id] = lowered[label]
    unknown = (
        set(lowered)
        - {key.lower() for key in result}
        - {
            str(item.get("label") or item.get("component", item).get("label") or "").lower()
            for row in modal.get("components") or []
            for item in ([row] if row.get("type") == 18 else row.get("components") or [])
        }
    )
    if unknown:
        raise LocalFailure(f"the form has no field {sorted(unknown)}")
    return result
