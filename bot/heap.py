"""What start-up built, left out of the garbage collector's full runs (:func:`gc.freeze`).

The modules, the command tree, the settings, discord.py's first cache: objects that live as long
as the process. A full collection scans every tracked object, old or new, and it comes when it
comes: in a burst of 1,000 interactions one stopped the event loop for 105–136 ms, the burst's
longest lag (``benchmarks/load.py`` prints the collector's runs). Frozen once the bot is ready,
the start-up objects are no longer scanned, and the same full collection took 52–66 ms. Garbage
already there is collected first, so nothing is kept that would have been freed.

Once per process: a second freeze would also keep whatever the first bot left behind.
"""

from __future__ import annotations

import gc
import logging

log = logging.getLogger(__name__)

_frozen = False


def freeze_startup_heap() -> bool:
    """Collect, then freeze every object tracked now; True if this call froze them (the first)."""
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.collect()
    gc.freeze()
    log.info("Left %d start-up objects out of the garbage collector's runs", gc.get_freeze_count())
    return True


__all__ = ["freeze_startup_heap"]
