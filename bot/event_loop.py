"""Which event loop the bot runs on: uvloop where it is installed, asyncio's own otherwise.

uvloop (libuv under asyncio's API) runs the same coroutines with less time per loop turn, per
socket read and per write, which is most of the bot's work under a burst of interactions: with it
the first responses of a 1,000 burst go out sooner (README, *How fast: a burst of interactions*).
It is a drop-in replacement, so nothing in the bot depends on which loop runs it; ``EVENT_LOOP=
asyncio`` goes back to the standard library's (for ``PYTHONASYNCIODEBUG``, or a platform without
uvloop, such as Windows, where it is also the fallback).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

EventLoopName = Literal["uvloop", "asyncio"]


def loop_factory(name: EventLoopName) -> Callable[[], asyncio.AbstractEventLoop]:
    """A function that makes a new loop of the kind ``name`` (asyncio's if uvloop is missing)."""
    if name == "uvloop":
        try:
            import uvloop
        except ImportError:
            log.warning("EVENT_LOOP=uvloop, but uvloop is not installed: using asyncio's event loop")
        else:
            return uvloop.new_event_loop
    return asyncio.new_event_loop


def run(main: Coroutine[Any, Any, T], name: EventLoopName) -> T:
    """Run ``main`` to completion on a new loop of the kind ``name``, as :func:`asyncio.run` does."""
    with asyncio.Runner(loop_factory=loop_factory(name)) as runner:
        return runner.run(main)
