"""Rate limits as Discord applies them: per-route buckets, a global limit, 429s with ``retry_after``.

From Discord's rate-limit reference (docs/topics/rate-limits):

- Per-route limits are counted per bucket and per top-level resource in the path (a channel, a
  guild, or a webhook id + token); every answer carries ``X-RateLimit-Limit``, ``-Remaining``,
  ``-Reset`` (epoch seconds), ``-Reset-After`` (seconds, with decimals) and ``-Bucket`` (a hash
  naming the limit, without the resource).
- A request past a limit gets HTTP 429 with a JSON body ``{"message", "retry_after", "global"}``,
  a ``Retry-After`` header and ``X-RateLimit-Scope`` (``user`` for a bot's own per-route limit,
  ``global`` for the global one, ``shared`` for a limit on the resource itself that other users
  share).
- All bots may make 50 requests per second in all (the global limit); interaction endpoints (the
  callback and the interaction webhooks) are not bound to it. The callback itself has no per-route
  limit either.

Discord publishes no per-route numbers (and says not to hard-code them: a bot follows the headers),
so the double's :data:`DISCORD_LIKE` limits are its own choice, in the range Discord is known to
answer with. Windows are in real seconds (discord.py sleeps on ``Reset-After`` with asyncio), times
``scale``: tests use a small scale so that pacing is exercised without slowing the suite.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

#: Discord's answer body on a 429.
RATE_LIMITED = "You are being rate limited."
SHARED_LIMITED = "The resource is being rate limited."


@dataclass(frozen=True)
class Limit:
    """``requests`` per ``per_s`` seconds."""

    requests: int
    per_s: float


#: Per-route limits by bucket name (the double's choice; see the module docstring).
DISCORD_LIKE: dict[str, Limit] = {
    "message-create": Limit(5, 5.0),  # per channel
    "message-edit": Limit(5, 5.0),  # per channel
    "message-delete": Limit(5, 1.0),  # per channel
    "channel-read": Limit(10, 1.0),  # per channel
    "thread-create": Limit(5, 5.0),  # per channel
    "typing": Limit(5, 5.0),  # per channel
    "dm-open": Limit(5, 5.0),  # per bot
    "event-create": Limit(5, 5.0),  # per guild
    "event-edit": Limit(5, 5.0),  # per guild
    "event-read": Limit(10, 1.0),  # per guild
    "guild-read": Limit(10, 1.0),  # per guild
    "commands": Limit(4, 20.0),  # command sync, per application (and guild)
    "webhook": Limit(5, 2.0),  # interaction followups and edits, per webhook token
    "default": Limit(10, 1.0),
}
GLOBAL = Limit(50, 1.0)


@dataclass
class _Window:
    started: float
    used: int = 0


@dataclass
class _Refusal:
    """A limit the test imposes on a bucket: after ``allowed`` more requests, 429 for ``retry_after``."""

    allowed: int
    retry_after: float
    scope: str
    until: float | None = None


@dataclass
class Verdict:
    """What the limiter says about one request: the headers to send, and a 429 body if refused."""

    headers: dict[str, str] = field(default_factory=dict)
    refusal: dict[str, Any] | None = None


class RateLimiter:
    """Counts requests per bucket and resource, and answers as Discord would.

    ``scale`` multiplies every window (0.01: Discord's 5 per 5 s becomes 5 per 50 ms);
    ``enabled=False`` turns limiting off (no headers, no 429s).
    """

    def __init__(
        self,
        limits: dict[str, Limit] | None = None,
        *,
        global_limit: Limit = GLOBAL,
        scale: float = 1.0,
        enabled: bool = True,
    ) -> None:
        self.limits = dict(DISCORD_LIKE if limits is None else limits)
        self.global_limit = global_limit
        self.scale = scale
        self.enabled = enabled
        self.refused: list[tuple[str, str]] = []  #: (bucket, scope) of every 429 sent
        self._windows: dict[tuple[str, str], _Window] = {}
        self._global = _Window(time.monotonic())
        self._refusals: dict[str, _Refusal] = {}

    def set_limit(self, bucket: str, requests: int, per_s: float) -> None:
        """Change one bucket's limit (tests make them tight)."""
        self.limits[bucket] = Limit(requests, per_s)

    def refuse(self, bucket: str, *, after: int, retry_after: float, scope: str = "shared") -> None:
        """After ``after`` more requests in ``bucket``, answer 429 (``scope``) for ``retry_after`` s.

        This is the limit no header announces: Discord's "shared" resource limits, or a limit hit
        by someone else. ``retry_after`` is sent as given (not scaled).
        """
        self._refusals[bucket] = _Refusal(after, retry_after, scope)

    @staticmethod
    def bucket_hash(bucket: str) -> str:
        """A stable opaque hash for the ``X-RateLimit-Bucket`` header."""
        return hashlib.sha1(bucket.encode()).hexdigest()[:16]

    def check(self, bucket: str | None, resource: str, *, global_exempt: bool) -> Verdict:
        """Count one request to ``bucket`` (None: not per-route limited) for ``resource``."""
        if not self.enabled:
            return Verdict()
        now = time.monotonic()
        if not global_exempt:
            refused = self._check_global(now)
            if refused is not None:
                return refused
        if bucket is None:
            return Verdict()
        limit = self.limits.get(bucket) or self.limits["default"]
        window_s = limit.per_s * self.scale
        window = self._windows.get((bucket, resource))
        if window is None or now >= window.started + window_s:
            window = self._windows[(bucket, resource)] = _Window(now)
        # Rounded up to the millisecond: a client that sleeps this long finds the window reset.
        reset_after = math.ceil(max(0.0, window.started + window_s - now) * 1000) / 1000
        headers = {
            "X-RateLimit-Limit": str(limit.requests),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": self.bucket_hash(bucket),
        }
        shared = self._shared(bucket, now)
        if shared is not None:
            headers["X-RateLimit-Remaining"] = str(max(0, limit.requests - window.used))
            return self._refuse(bucket, headers, shared.retry_after_left(now), shared.scope)
        if window.used >= limit.requests:
            headers["X-RateLimit-Remaining"] = "0"
            return self._refuse(bucket, headers, reset_after, "user")
        window.used += 1
        headers["X-RateLimit-Remaining"] = str(limit.requests - window.used)
        return Verdict(headers)

    def _shared(self, bucket: str, now: float) -> _SharedState | None:
        refusal = self._refusals.get(bucket)
        if refusal is None:
            return None
        if refusal.until is None:
            if refusal.allowed > 0:
                refusal.allowed -= 1
                return None
            refusal.until = now + refusal.retry_after
        if now >= refusal.until:
            del self._refusals[bucket]
            return None
        return _SharedState(refusal.until, refusal.scope)

    def _check_global(self, now: float) -> Verdict | None:
        window_s = self.global_limit.per_s * self.scale
        if now >= self._global.started + window_s:
            self._global = _Window(now)
        if self._global.used < self.global_limit.requests:
            self._global.used += 1
            return None
        retry_after = max(0.0, self._global.started + window_s - now)
        self.refused.append(("global", "global"))
        return Verdict(
            {
                "X-RateLimit-Global": "true",
                "X-RateLimit-Scope": "global",
                "Retry-After": str(max(1, math.ceil(retry_after))),
                "Via": "1.1 google",
            },
            {"message": RATE_LIMITED, "retry_after": round(retry_after, 3), "global": True},
        )

    def _refuse(self, bucket: str, headers: dict[str, str], retry_after: float, scope: str) -> Verdict:
        self.refused.append((bucket, scope))
        headers.update(
            {
                "X-RateLimit-Scope": scope,
                "Retry-After": str(max(1, math.ceil(retry_after))),
                # discord.py takes a 429 without a Via header for a Cloudflare ban.
                "Via": "1.1 google",
            }
        )
        message = SHARED_LIMITED if scope == "shared" else RATE_LIMITED
        return Verdict(headers, {"message": message, "retry_after": round(retry_after, 3), "global": False})


@dataclass
class _SharedState:
    until: float
    scope: str

    def retry_after_left(self, now: float) -> float:
        return max(0.0, self.until - now)


__all__ = ["DISCORD_LIKE", "GLOBAL", "Limit", "RateLimiter", "Verdict"]
