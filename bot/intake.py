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
:func:`after_first_responses` returns once no interaction waits in the intake (at most
:data:`FOLLOW_UP_WAIT_S`, so a steady stream cannot hold it back for good). :mod:`bot.replies`
calls it before every edit and followup; first responses never wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: The gateway event whose parsing the intake paces.
EVENT = "INTERACTION_CREATE"
#: The longest an edit or followup waits for the intake to empty: longer than a burst takes to drain
#: (a cap that runs out mid-burst lets every held edit go at once, and the last first responses
#: of the burst then miss their 3 s); an edit has the token's 15 minutes.
FOLLOW_UP_WAIT_S = 10.0


class InteractionIntake:
    """Paces one client's ``INTERACTION_CREATE`` parsing: one interaction per loop turn.

    ``parsers`` is discord.py's table of gateway parsers (``ConnectionState.parsers``), which the
    gateway reads by event name for every message; :meth:`install` replaces its entry for
    interactions, :meth:`close` puts it back and drops what is still queued (the bot is closing:
    those interactions would not be answered anyway).
    """

    def __init__(self, parsers: dict[str, Callable[[Any], None]]) -> None:
        self._parsers = parsers
        self._parse = parsers[EVENT]
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._empty = asyncio.Event()
        self._empty.set()

    @property
    def waiting(self) -> int:
        """Interactions received but not yet handed to discord.py."""
        return self._queue.qsize()

    def install(self) -> None:
        self._parsers[EVENT] = self._receive

    async def quiet(self, within_s: float) -> None:
        """Return once no interaction waits to be handed over, or after ``within_s`` seconds."""
        if self._empty.is_set() or within_s <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._empty.wait(), within_s)

    def _receive(self, data: Any) -> None:
        """The gateway's call for each interaction: queue it (the gateway step stays short)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._hand_over(), name="studybot-intake")
        self._queue.put_nowait(data)
        self._empty.clear()

    async def _hand_over(self) -> None:
        while True:
            data = await self._queue.get()
            if self._queue.empty():
                self._empty.set()
            try:
                self._parse(data)
            except Exception:  # what the gateway step would have raised: one interaction, not the intake
                log.exception("An interaction from the gateway could not be read")
            await asyncio.sleep(0)  # the loop turns: timers and other tasks run between interactions

    async def close(self) -> None:
        self._parsers[EVENT] = self._parse
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        while not self._queue.empty():
            self._queue.get_nowait()
        self._empty.set()


async def after_first_responses(client: Any) -> None:
    """Wait (at most :data:`FOLLOW_UP_WAIT_S`) until ``client``'s intake has handed over every
    interaction it received: an edit or followup then never delays a first response."""
    intake = getattr(client, "intake", None)
    if isinstance(intake, InteractionIntake):
        await intake.quiet(FOLLOW_UP_WAIT_S)
