"""Rate limits as Discord applies them, and the bot living with them.

Raw requests show the double's headers, 429s and exemptions; the real bot then shows that
discord.py paces itself on the headers (a burst of event creations and channel posts with no 429),
and what ``/session schedule`` says when Discord refuses for longer than a handler may wait.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import ManualClock
from bot.inference.pool import InferencePool
from bot.local.ratelimits import Limit, RateLimiter
from bot.local.server import COMMAND, DiscordDouble
from bot.local.session import LocalSession
from bot.settings import Settings
from tests.support.raw import RawDiscord, raw_double
from tests.support.sessions import START, channel_posts, event_requests, field, schedule, setup_guild


@pytest.fixture
async def raw() -> AsyncIterator[RawDiscord]:
    # Windows long enough that none resets during a test: every count below is exact.
    async with raw_double(DiscordDouble(rate_limits=RateLimiter(scale=10.0))) as client:
        yield client


async def test_every_answer_carries_the_buckets_headers(raw: RawDiscord) -> None:
    first = await raw.post_message({"content": "one"})
    headers = first.headers
    assert headers["X-RateLimit-Limit"] == "5" and headers["X-RateLimit-Remaining"] == "4"
    assert 0 < float(headers["X-RateLimit-Reset-After"]) <= 50.0
    assert float(headers["X-RateLimit-Reset"]) > 1_700_000_000  # epoch seconds
    second = await raw.post_message({"content": "two"})
    assert second.headers["X-RateLimit-Remaining"] == "3"
    assert second.headers["X-RateLimit-Bucket"] == headers["X-RateLimit-Bucket"]
    # Counted per channel (the top-level resource): another channel has its own five.
    elsewhere = await raw.post_message({"content": "one"}, channel="homework")
    assert elsewhere.headers["X-RateLimit-Remaining"] == "4"
    # A refused request still counts, and still gets the headers.
    refused = await raw.post_message({"content": "x" * 2001})
    assert refused.status == 400 and refused.headers["X-RateLimit-Remaining"] == "2"


async def test_past_the_limit_the_double_answers_429_as_discord(raw: RawDiscord) -> None:
    for number in range(5):
        assert (await raw.post_message({"content": str(number)})).status == 200
    limited = await raw.post_message({"content": "sixth"})
    assert limited.status == 429
    assert limited.body["message"] == "You are being rate limited."
    assert limited.body["global"] is False and 0 < limited.body["retry_after"] <= 50.0
    assert limited.headers["X-RateLimit-Scope"] == "user"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert int(limited.headers["Retry-After"]) >= 1
    assert "Via" in limited.headers  # discord.py takes a 429 without it for a Cloudflare ban
    assert len(raw.double.channel_messages(raw.channel_id())) == 5
    assert raw.double.rate_limits.refused == [("message-create", "user")]


async def test_the_global_limit_spares_the_interaction_endpoints(raw: RawDiscord) -> None:
    raw.double.rate_limits.global_limit = Limit(3, 100.0)
    state = raw.interaction(COMMAND)
    for _ in range(3):
        assert (await raw.request("GET", f"/channels/{raw.channel_id()}")).status == 200
    limited = await raw.request("GET", f"/channels/{raw.channel_id('homework')}")
    assert limited.status == 429 and limited.body["global"] is True
    assert (
        limited.headers["X-RateLimit-Global"] == "true" and limited.headers["X-RateLimit-Scope"] == "global"
    )
    # The callback has no limit of any kind; the interaction webhooks only their own bucket.
    answered = await raw.callback(state, {"type": 4, "data": {"content": "fine"}})
    assert answered.status == 200 and "X-RateLimit-Limit" not in answered.headers
    followup = await raw.request("POST", raw.webhook(state), {"content": "also fine"})
    assert followup.status == 200 and followup.headers["X-RateLimit-Limit"] == "5"


async def test_a_shared_limit_refuses_while_headers_show_room(raw: RawDiscord) -> None:
    raw.double.rate_limits.refuse("message-create", after=1, retry_after=1337.0)
    assert (await raw.post_message({"content": "one"})).status == 200
    shared = await raw.post_message({"content": "two"})
    assert shared.status == 429 and shared.body["retry_after"] == 1337.0
    assert shared.body["message"] == "The resource is being rate limited."
    assert shared.headers["X-RateLimit-Scope"] == "shared"
    assert int(shared.headers["X-RateLimit-Remaining"]) > 0


# --- the bot against the limits ----------------------------------------------------------------


@pytest.fixture
async def tight(settings: Settings, shared_pool: InferencePool) -> AsyncIterator[LocalSession]:
    """The bot against Discord-like limits made tight: 2 event creations per 0.3 s, 2 posts per
    0.3 s per channel. Real seconds: discord.py sleeps on Reset-After (a few tenths here)."""
    limits = RateLimiter(scale=1.0)
    limits.set_limit("event-create", 2, 0.3)
    limits.set_limit("message-create", 2, 0.3)
    clock = ManualClock(START)
    async with LocalSession(
        settings, clock=clock, fail_on_errors=True, answer_timeout=60, backend=shared_pool, rate_limits=limits
    ) as local:
        await setup_guild(local)
        yield local
        local.raise_failures()


#: How much earlier than the limiter's own clock reading a request's ``at`` may be: the double
#: records it, then counts it in the same synchronous stretch (microseconds apart).
RECORDING_SLACK_S = 0.001


def fixed_windows(times: list[float], window: float) -> list[int]:
    """How many requests each of the limiter's windows took, as Discord counts them.

    A window opens with the first request after the last one closed and lasts ``window`` seconds
    (:class:`bot.local.ratelimits.RateLimiter`). Not a sliding window: a compliant client may send
    a window's last request late and the next window's first right after it, closer together than
    ``window`` (the second of a pair comes one round trip after the first, longer on a busy machine).
    """
    counts: list[int] = []
    opened = float("-inf")
    for at in sorted(times):
        if at >= opened + window - RECORDING_SLACK_S:
            opened = at
            counts.append(0)
        counts[-1] += 1
    return counts


async def test_a_burst_of_event_creations_is_paced_by_discord_py_without_a_429(tight: LocalSession) -> None:
    done = await schedule(tight, weeks=8)
    assert done.reply.content == "Scheduled 8 sessions. Created 8 Discord events."
    created = event_requests(tight, "POST")
    assert [request.status for request in created] == [200] * 8
    assert len(tight.double.scheduled_events) == 8
    assert tight.double.rate_limits.refused == []  # discord.py waited on the headers
    windows = fixed_windows([request.at for request in created], 0.3)
    assert max(windows) <= 2 and len(windows) >= 4, windows  # 8 at 2 per window: it waited 3 times


async def test_a_burst_of_concurrent_channel_posts_is_paced_and_the_bot_never_sees_a_429(
    tight: LocalSession,
) -> None:
    await schedule(tight, weeks=1)
    clock = tight.double.clock
    assert isinstance(clock, ManualClock)
    await clock.set(START.replace(day=20, hour=17, minute=10))  # the session is live
    payloads = [
        tight.command_payload(
            f"/ask question:Question number {n} about tensors?", user=["Grace", "Linus"][n % 2]
        )
        for n in range(6)
    ]
    burst = len(tight.double.requests)
    asked = await tight.send_many(payloads)
    assert all("in the queue" in exchange.reply.content for exchange in asked)
    posts = [m for m in channel_posts(tight, "general") if m.embeds]
    assert len(posts) == 6  # every question got its public post
    path = f"/channels/{tight.channel('general').id}/messages"
    posted = sorted(r.at for r in tight.double.requests[burst:] if r.path == path and r.status == 200)
    assert len(posted) == 6
    assert posted[-1] - posted[0] >= 0.6  # 6 posts at 2 per 0.3 s: discord.py waited on the headers
    # Concurrent requests can still meet a 429 (discord.py learns a bucket from answers that may
    # arrive out of order); it retries them itself, so the handlers never see one.
    assert len(tight.double.rate_limits.refused) <= 2
    assert tight.error_records == []


async def test_a_short_shared_limit_is_retried_by_discord_py_unseen(tight: LocalSession) -> None:
    tight.double.rate_limits.refuse("event-create", after=2, retry_after=0.05)
    done = await schedule(tight, weeks=4)
    assert done.reply.content == "Scheduled 4 sessions. Created 4 Discord events."
    assert ("event-create", "shared") in tight.double.rate_limits.refused
    assert len(tight.double.scheduled_events) == 4


async def test_a_long_rate_limit_stops_the_series_and_says_how_far_it_got(tight: LocalSession) -> None:
    # A limit no header announces, asking for an hour: longer than any handler may wait.
    tight.double.rate_limits.refuse("event-create", after=5, retry_after=3600.0)
    with tight.allowing_errors():  # discord.py warns about the rate limit it gives up on
        done = await schedule(tight, weeks=52)
    assert done.reply.content == "Scheduled 52 sessions. Created 5 Discord events."
    notes = field(done.reply, "Notes")
    assert "Discord is rate limiting event creation for about 60 min" in notes
    assert "stopped at session #6: 47 sessions from there on have no Discord event yet" in notes
    assert "`/session edit`" in notes
    assert len(tight.double.scheduled_events) == 5
    assert tight.error_records == []  # a warning, not an error: the handler finished
