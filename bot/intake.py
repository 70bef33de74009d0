"""Interactions handed to discord.py one per turn of the event loop, so a burst never holds it.

discord.py reads the gateway in one loop step for as long as messages are buffered: a burst of
1,000 interactions is parsed, routed and turned into 1,000 handler tasks in a single step, and the
first steps of those tasks then all run in the next turn. Every timer waits behind all of it (the
heartbeat, the live messages' edits, the scheduler), and the loop's lag grows with the burst.

:class:`InteractionIntake` takes over discord.py's ``INTERACTION_CREATE`` parser: the gateway step
only queues the payload, and one task hands the payloads to discord.py's own parser one per loop
turn, in arrival order. The work per interaction does not change, nor its order; what changes is
that the loop turns between interactions, so a timer waits for about one interaction's work
instead of a whole burst's. No library does this: it is a property of how discord.py reads its
socket (``DiscordWebSocket.poll_event`` awaits a reader that does not suspend while data is
buffered).

Pacing alone would let the interactions already taken in do their later work (a demo's result, a
list that replaces its "thinking…") between the first responses of those still waiting, and push
the last of a burst past Discord's 3 seconds. So what comes after a first response waits first:
:func:`after_first_responses` returns once no interaction waits in the intake *and* every
interaction handed over has had its first response (:class:`FirstResponses`), at most
:data:`FOLLOW_UP_WAIT_S` (a steady stream cannot hold it back for good). :mod:`bot.replies` calls
it before every edit, followup and deletion; first responses never wait.

An empty intake alone is not enough: handing an interaction over costs a fraction of answering it,
so the intake of a 1,000 burst is empty long before the last "queued" message is sent, and about
545 edits of such a burst went before its last first response (``benchmarks/load.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import deque
from collections.abc import Callable
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

#: The gateway event whose parsing the intake paces.
EVENT = "INTERACTION_CREATE"
#: The longest an edit or followup waits for the intake to empty: longer than a burst takes to drain
#: (a cap that runs out mid-burst lets every held edit go at once, and the last first responses
#: of the burst then miss their 3 s); an edit has the token's 15 minutes.
FOLLOW_UP_WAIT_S = 10.0
#: Discord's deadline for a first response: an interaction not answered by then is no longer waited for.
FIRST_RESPONSE_S = 3.0
#: An interaction's first response: ``POST /interactions/{id}/{token}/callback``.
_CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback$")
#: ``PING``: Discord's check of an HTTP endpoint, never sent over the gateway nor answered by a bot.
_PING = 1


class FirstResponses:
    """The interactions handed to discord.py that have not had their first response yet.

    A first response is seen as the end of its ``…/callback`` request, through aiohttp's tracing
    of the bot's HTTP session (:attr:`trace`, which the bot gives discord.py as ``http_trace``),
    whichever code sent it: a handler's ``send_message``, a defer, the error handler, a modal.
    An interaction is waited for at most :data:`FIRST_RESPONSE_S` after it was handed over (a
    handler that failed before answering must not hold the follow-ups of everyone else).
    """

    def __init__(self) -> None:
        self._waiting: dict[int, asyncio.TimerHandle] = {}
        #: Called when the last awaited first response comes (the intake's gate listens).
        self.on_all_answered: Callable[[], None] = lambda: None
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_end.append(self._request_ended)
        self.trace.on_request_exception.append(self._request_ended)

    @property
    def waiting(self) -> int:
        """Interactions handed over and not answered yet."""
        return len(self._waiting)

    def expect(self, interaction_id: int) -> None:
        """``interaction_id`` was handed to discord.py: its first response is now awaited."""
        loop = asyncio.get_running_loop()
        self._waiting[interaction_id] = loop.call_later(FIRST_RESPONSE_S, self.answered, interaction_id)

    def answered(self, interaction_id: int) -> None:
        """``interaction_id`` has had its first response (or will not get one in time)."""
        timer = self._waiting.pop(interaction_id, None)
        if timer is None:
            return
        timer.cancel()
        if not self._waiting:
            self.on_all_answered()

    def forget(self) -> None:
        """Wait for no interaction any more (the bot is closing)."""
        for interaction_id in list(self._waiting):
            self.answered(interaction_id)

    async def _request_ended(self, _session: Any, _context: Any, params: Any) -> None:
        """aiohttp's call at the end of each request (answered or failed)."""
        if params.method == "POST" and (match := _CALLBACK.search(params.url.path)) is not None:
            self.answered(int(match.group(1)))


class InteractionIntake:
    """Paces one client's ``INTERACTION_CREATE`` parsing: one interaction per loop turn.

    ``parsers`` is discord.py's table of gateway parsers (``ConnectionState.parsers``), which the
    gateway reads by event name for every message; :meth:`install` replaces its entry for
    interactions, :meth:`close` puts it back and drops what is still queued (the bot is closing:
    those interactions would not be answered anyway).
    """

    def __init__(
        self, parsers: dict[str, Callable[[Any], None]], responses: FirstResponses | None = None
    ) -> None:
        self._parsers = parsers
        self._parse = parsers[EVENT]
        #: The interactions handed over that still wait for their first response.
        self.responses = responses or FirstResponses()
        self.responses.on_all_answered = self._update_quiet
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        #: Set while no interaction waits to be handed over nor for its first response.
        self._quiet = asyncio.Event()
        self._quiet.set()
        #: The follow-ups held by :meth:`quiet`, in the order they came; let go one per loop turn.
        self._held: deque[asyncio.Future[None]] = deque()
        self._releasing: asyncio.Task[None] | None = None

    @property
    def waiting(self) -> int:
        """Interactions received but not yet handed to discord.py."""
        return self._queue.qsize()

    def install(self) -> None:
        self._parsers[EVENT] = self._receive

    async def quiet(self, within_s: float) -> None:
        """Return once no interaction waits to be handed over nor for its first response, or after
        ``within_s`` seconds; follow-ups held until then go on in the order they came, one per
        turn of the loop (a burst's hundreds of held edits woken in one turn held the loop for
        tens of milliseconds)."""
        if within_s <= 0 or (self._quiet.is_set() and not self._held):
            return
        held = asyncio.get_running_loop().create_future()
        self._held.append(held)
        self._release_soon()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(held, within_s)

    def _update_quiet(self) -> None:
        """Open the gate when the intake is empty and every interaction has had its first response.

        A follow-up let go goes on even if the next interaction arrives before it runs: holding it
        again would cost the loop a wake-up per follow-up each time the gate opens.
        """
        if self._queue.empty() and not self.responses.waiting:
            self._quiet.set()
            self._release_soon()
        else:
            self._quiet.clear()

    def _release_soon(self) -> None:
        if self._releasing is None and self._held and self._quiet.is_set():
            loop = asyncio.get_running_loop()
            self._releasing = loop.create_task(self._release(), name="studybot-follow-ups")

    async def _release(self) -> None:
        """Let the held follow-ups go, one per loop turn, while the gate stays open."""
        try:
            while self._held and self._quiet.is_set():
                held = self._held.popleft()
                if not held.done():  # not given up (its wait ran out)
                    held.set_result(None)
                    await asyncio.sleep(0)
        finally:
            self._releasing = None

    def _receive(self, data: Any) -> None:
        """The gateway's call for each interaction: queue it (the gateway step stays short)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._hand_over(), name="studybot-intake")
        self._queue.put_nowait(data)
        self._quiet.clear()

    async def _hand_over(self) -> None:
        while True:
            data = await self._queue.get()
            try:
                self._parse(data)
            except Exception:  # what the gateway step would have raised: one interaction, not the intake
                log.exception("An interaction from the gateway could not be read")
            else:
                if isinstance(data, dict) and data.get("type") != _PING and "id" in data:
                    self.responses.expect(int(data["id"]))
            self._update_quiet()
            await asyncio.sleep(0)  # the loop turns: timers and other tasks run between interactions

    async def close(self) -> None:
        self._parsers[EVENT] = self._parse
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        while not self._queue.empty():
            self._queue.get_nowait()
        self.responses.forget()
        self._quiet.set()
        if self._releasing is not None:
            self._releasing.cancel()
            await asyncio.gather(self._releasing, return_exceptions=True)
        while self._held:
            held = self._held.popleft()
            if not held.done():
                held.set_result(None)


async def after_first_responses(client: Any) -> None:
    """Wait (at most :data:`FOLLOW_UP_WAIT_S`) until ``client``'s intake has handed over every
    interaction it received and each has had its first response: an edit or followup then never
    delays a first response."""
    intake = getattr(client, "intake", None)
    if isinstance(intake, InteractionIntake):
        await intake.quiet(FOLLOW_UP_WAIT_S)
