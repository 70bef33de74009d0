"""Who may queue a request now: the global queue limit and the per-member in-flight limit.

Both backends admit through one :class:`Admission`: a request is counted from the moment it is
checked (its place reserved) until it ends (done, failed, timed out, cancelled, or its
reservation released), with all its inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

from bot.inference.errors import MemberLimitError, QueueFullError
from bot.settings import Settings


class Admission:
    """Counts requests per member and inputs over all members; refuses past the limits."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._member_jobs: dict[Hashable, int] = defaultdict(int)
        self.admitted_items = 0

    def check(self, member: Hashable, items: int) -> None:
        """Raise :class:`MemberLimitError` or :class:`QueueFullError` if ``member`` may not add ``items``."""
        limit = self.settings.member_inflight_limit
        running = self._member_jobs.get(member, 0)
        if running >= limit:
            noun = "request" if limit == 1 else "requests"
            raise MemberLimitError(
                f"You already have {running} {noun} running (the limit is {limit}); wait for them to finish."
            )
        if self.admitted_items + items > self.settings.queue_limit:
            raise QueueFullError(
                f"The model queue is full ({self.settings.queue_limit} requests); "
                "please try again in a minute."
            )

    def admit(self, member: Hashable, items: int) -> None:
        """Check, then count the request."""
        self.check(member, items)
        self._member_jobs[member] += 1
        self.admitted_items += items

    def counted(self) -> tuple[int, int]:
        """(requests, inputs) counted now over every member."""
        return sum(self._member_jobs.values()), self.admitted_items

    def release(self, member: Hashable, items: int) -> None:
        """The request ended: stop counting it."""
        self._member_jobs[member] -= 1
        if self._member_jobs[member] <= 0:
            del self._member_jobs[member]
        self.admitted_items -= items
