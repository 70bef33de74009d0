"""Discord's rate limits for the tests: the double's Discord-like limits with windows 50× shorter,
so discord.py's pacing runs on every test without slowing the suite (5 per 5 s → 5 per 100 ms)."""

from __future__ import annotations

from bot.local.ratelimits import RateLimiter

TEST_SCALE = 0.02


def fast_rate_limits() -> RateLimiter:
    """A fresh limiter for one double."""
    return RateLimiter(scale=TEST_SCALE)


__all__ = ["TEST_SCALE", "fast_rate_limits"]
