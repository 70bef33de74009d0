"""Every command acknowledges before its first database write (issue 13), and a refused, cancelled
or failed request leaves no row behind.

The bot's writer connection is instrumented: each INSERT, UPDATE or DELETE it is sent is logged with
the time it was sent, and the Discord double logs when each interaction got its first response.
Each scenario runs one command (or press) at a time and asserts that every write made while it ran
came after that interaction's first response.
"""

from __future__ import annotations

import json
import os
import re
import signal
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.clock import utc
from bot.inference.pool import InferencePool
from bot.local.session import Exchange, LocalSession
from bot.settings import Settings
from cogs._live import inputs
from tests.support.sessions import channel_posts, clocked, schedule, setup_guild

WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
SENTENCE = "My name is Sylvain and I work at Hugging Face in Brooklyn."


@dataclass
class WriteLog:
    """The writes sent to the bot's writer connection, with when they were sent (monotonic)."""

    writes: list[tuple[float, str]] = field(default_factory=list)

    def watch(self, session: LocalSession) -> None:
        """Log the writes of the bot's connection (again after each restart)."""
        assert session.bot is not None
        writer = session.bot.db.writer
        execute, executemany = writer.execute, writer.executemany

        def logged_execute(sql: str, parameters: Any = None) -> Any:
            if WRITE.match(sql):
                self.writes.append((time.monotonic(), sql))
            return execute(sql, parameters)

        def logged_executemany(sql: str, parameters: Any) -> Any:
            self.writes.append((time.monotonic(), sql))
            return executemany(sql, parameters)

        writer.execute = logged_execute  # type: ignore[method-assign]
        writer.executemany = logged_executemany  # type: ignore[method-assign]

    def since(self, moment: float) -> list[tuple[float, str]]:
        return [(at, sql) for at, sql in self.writes if at >= moment]


def assert_acknowledged_first(log: WriteLog, exchange: Exchange, what: str) -> int:
    """Every write made for ``exchange`` came after its first response; returns how many there were."""
    state = exchange.state
    assert state.responded, f"{what}: no response"
    writes = log.since(state.sent_at)
    assert state.responded_at is not None
    early = [sql.split("(")[0].strip() for at, sql in writes if at < state.responded_at]
    assert not early, f"{what}: wrote before acknowledging: {early}"
    return len(writes)


@pytest.fixture
async def watched(
    settings: Settings, shared_pool: InferencePool
) -> AsyncIterator[tuple[LocalSession, WriteLog]]:
    relaxed = settings.replace(demo_rate=(1000, 1.0))
    async with LocalSession(relaxed, backend=shared_pool, fail_on_errors=True, answer_timeout=60) as session:
        log = WriteLog()
        log.watch(session)
        yield session, log
        session.raise_failures()


Step = Callable[[LocalSession], Awaitable[Exchange]]


def command(line: str, **options: Any) -> Step:
    async def run(session: LocalSession) -> Exchange:
        return await session.run(line, **options)

    return run


def press(carrier: Step, label: str, **options: Any) -> Step:
    """Run ``carrier`` (setting up), then press ``label`` on its reply: the press is what is checked."""

    async def run(session: LocalSession) -> Exchange:
        message = (await carrier(session)).reply
        return await session.click(message, label, **options)

    return run


def choose_on(carrier: Step, placeholder: str, value: str) -> Step:
    """Run ``carrier``, then pick ``value`` in its reply's menu ``placeholder``: the pick is checked."""

    async def run(session: LocalSession) -> Exchange:
        message = (await carrier(session)).reply
        return await session.choose(message, placeholder, [value])

    return run


def form(line: str, values: dict[str, str]) -> Step:
    """Type ``line`` as a moderator, then send the form it opens with ``values``: the form is checked."""

    async def run(session: LocalSession) -> Exchange:
        opened = await session.run(line, moderator=True)
        return await session.submit(opened, values, moderator=True)

    return run


def file_in(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "input.txt"
    path.write_text(text)
    return path


POST_HOMEWORK = command("/homework post week:1 title:Read chapter 1 due:2031-03-25 18:00", moderator=True)
ADD_PAPER = command("/papers add title:Attention Is All You Need week:1 arxiv:1706.03762", moderator=True)


async def import_resources(session: LocalSession) -> Exchange:
    """``/resources import`` of a one-entry JSON file, as a moderator."""
    path = Path(tempfile.mkdtemp()) / "resources.json"
    entry = {"title": "Datasets", "url": "https://hf.co/docs/datasets", "category": "libraries"}
    path.write_text(json.dumps([entry]))
    return await session.run(f"/resources import file:{path}", moderator=True)


PAPERS_LIST = command("/papers list")
SCHEDULE = command(
    "/session schedule title:HF course study group weekday:Thursday time:18:00 duration:90 weeks:1 "
    "link:https://meet.example.com/hf",
    moderator=True,
)
ADD_RESOURCE = command(
    "/resources add title:The Hub url:https://huggingface.co category:tools", moderator=True
)

#: (name, setup steps run first (not checked), the step checked, whether it must write)
SCENARIOS: list[tuple[str, list[Step], Step, bool]] = [
    ("/sentiment", [], command("/sentiment text:I love this course"), True),
    ("/attention", [], command("/attention text:The cat sat on the mat"), True),
    (
        "Run again",
        [],
        press(command("/generate prompt:Once upon a time max_new_tokens:4 do_sample:true"), "Run again"),
        True,
    ),
    ("Show code", [], press(command("/sentiment text:Show me"), "Show code"), False),
    ("/model info", [], command("/model info task:ner"), False),
    ("/ask", [], command("/ask question:What does the attention mask do?"), True),
    (
        "/homework post",
        [],
        POST_HOMEWORK,
        True,
    ),
    (
        "/homework done",
        [POST_HOMEWORK],
        command("/homework done homework:1"),
        True,
    ),
    (
        "/homework undo",
        [
            POST_HOMEWORK,
            command("/homework done homework:1"),
        ],
        command("/homework undo homework:1"),
        True,
    ),
    (
        "/homework close",
        [POST_HOMEWORK],
        command("/homework close homework:1", moderator=True),
        True,
    ),
    (
        "/homework edit",
        [POST_HOMEWORK],
        command("/homework edit homework:1 week:2", moderator=True),
        True,
    ),
    (
        "Delete (homework)",
        [POST_HOMEWORK],
        press(command("/homework delete homework:1", moderator=True), "Delete", moderator=True),
        True,
    ),
    (
        "/papers add",
        [],
        ADD_PAPER,
        True,
    ),
    (
        "/papers read",
        [ADD_PAPER],
        command("/papers read paper:#1"),
        True,
    ),
    (
        "/papers vote",
        [ADD_PAPER],
        command("/papers vote paper:#1"),
        True,
    ),
    (
        "Undo (homework done)",
        [POST_HOMEWORK],
        press(command("/homework done homework:1"), "Undo"),
        True,
    ),
    (
        "Undo (paper read)",
        [ADD_PAPER],
        press(command("/papers read paper:#1"), "Undo"),
        True,
    ),
    (
        "Undo (paper vote)",
        [ADD_PAPER],
        press(command("/papers vote paper:#1"), "Undo"),
        True,
    ),
    (
        "/papers unvote",
        [
            ADD_PAPER,
            command("/papers vote paper:#1"),
        ],
        command("/papers unvote paper:#1"),
        True,
    ),
    ("/papers starter-list", [], command("/papers starter-list", moderator=True), True),
    (
        "Remove (paper)",
        [ADD_PAPER],
        press(command("/papers remove paper:#1", moderator=True), "Remove", moderator=True),
        True,
    ),
    (
        "/resources add",
        [],
        ADD_RESOURCE,
        True,
    ),
    (
        "/resources edit",
        [ADD_RESOURCE],
        command("/resources edit name:The Hub description:Models and datasets", moderator=True),
        True,
    ),
    (
        "/resources move",
        [ADD_RESOURCE],
        command("/resources move name:The Hub category:setup", moderator=True),
        True,
    ),
    (
        "Remove (resource)",
        [ADD_RESOURCE],
        press(command("/resources remove name:The Hub", moderator=True), "Remove", moderator=True),
        True,
    ),
    ("/resources starter-pack", [], command("/resources starter-pack", moderator=True), True),
    ("/config timezone", [], command("/config timezone name:Europe/Paris", moderator=True), True),
    (
        "/config channel",
        [],
        command("/config channel purpose:homework channel:#homework", moderator=True),
        True,
    ),
    ("/config reminders", [], command("/config reminders area:homework minutes:120", moderator=True), True),
    ("Mark one as read", [ADD_PAPER], choose_on(PAPERS_LIST, "Mark one as read…", "1"), True),
    ("Vote for the next one", [ADD_PAPER], choose_on(PAPERS_LIST, "Vote for the next one…", "1"), True),
    (
        "/homework post (form)",
        [],
        form("/homework post", {"Week": "1", "Title": "Read chapter 1", "Due date": "2031-03-25 18:00"}),
        True,
    ),
    (
        "/resources add (form)",
        [],
        form("/resources add", {"Title": "The Hub", "Link": "https://huggingface.co", "Category": "tools"}),
        True,
    ),
    ("/session schedule", [], SCHEDULE, True),
    ("/session edit", [SCHEDULE], command("/session edit session:1 topic:Tokenizers", moderator=True), True),
    (
        "Cancel (session)",
        [SCHEDULE],
        press(command("/session cancel session:1", moderator=True), "Cancel 1 session", moderator=True),
        True,
    ),
    ("/session announce", [SCHEDULE], command("/session announce", moderator=True), True),
    ("/resources import", [], import_resources, True),
]


@pytest.mark.parametrize(("name", "setup", "step", "writes"), SCENARIOS, ids=[s[0] for s in SCENARIOS])
async def test_the_first_response_comes_before_the_first_write(
    watched: tuple[LocalSession, WriteLog], name: str, setup: list[Step], step: Step, writes: bool
) -> None:
    session, log = watched
    if name == "/ask":
        await schedule(session, weeks=1)
    for earlier in setup:
        await earlier(session)
    exchange = await step(session)
    count = assert_acknowledged_first(log, exchange, name)
    assert count > 0 or not writes, f"{name} wrote nothing: the scenario no longer tests it"


# --- the live Q&A: presses on the public post, the receipt and the moderators' panel ---------------

LIVE = utc(2031, 3, 20, 17, 10)  # ten minutes into the first session (Thursday 18:00 in Paris)


def ask(user: str, text: str) -> Step:
    return command(f"/ask question:{text}", user=user)


def on_post(number: int, label: str, *, user: str) -> Step:
    """Press ``label`` on the public post of question #``number``."""

    async def run(session: LocalSession) -> Exchange:
        (post,) = [
            m
            for m in channel_posts(session, "general")
            if m.embeds and m.embeds[0].get("title") == f"Question #{number}"
        ]
        return await session.click(post, label, user=user)

    return run


def on_panel(*actions: tuple[str, ...]) -> Step:
    """Open the moderators' panel and act on it: ``("press", label)`` or ``("choose", menu, value)``;
    the last action is what is checked."""

    async def run(session: LocalSession) -> Exchange:
        panel = (await session.run("/questions list", moderator=True)).reply
        for action, target, *values in actions:
            if action == "press":
                done = await session.click(panel, target, moderator=True)
            else:
                done = await session.choose(panel, target, list(values), moderator=True)
        return done

    return run


def answered(text: str) -> Step:
    """The panel's Answered, then its form sent with ``text``: the form's submission is checked."""

    async def run(session: LocalSession) -> Exchange:
        opened = await on_panel(("press", "Answered"))(session)
        return await session.submit(opened, {"Written answer (optional)": text}, moderator=True)

    return run


GRACE_ASKS = ask("Grace", "What does the attention mask do?")
LINUS_ASKS = ask("Linus", "What is the attention mask for?")
NEXT = on_panel(("press", "Next"))

MERGE_2_INTO_1 = [
    ("choose", "Act on another question…", "2"),
    ("press", "Merge duplicate"),
    ("choose", "It duplicates…", "1"),
]

LIVE_SCENARIOS: list[tuple[str, list[Step], Step]] = [
    ("/ask (live)", [], GRACE_ASKS),
    ("Upvote", [GRACE_ASKS], on_post(1, "Upvote", user="Linus")),
    ("Withdraw (post)", [GRACE_ASKS], on_post(1, "Withdraw", user="Grace")),
    ("Withdraw (receipt)", [], press(GRACE_ASKS, "Withdraw", user="Grace")),
    ("/withdraw", [GRACE_ASKS], command("/questions withdraw question:1", user="Grace")),
    ("Next", [GRACE_ASKS], NEXT),
    ("Skip", [GRACE_ASKS], on_panel(("press", "Skip"))),
    ("Answered", [GRACE_ASKS, NEXT], answered("Padding is ignored.")),
    ("Merge", [GRACE_ASKS, LINUS_ASKS], on_panel(*MERGE_2_INTO_1)),
]


@pytest.fixture
async def live_watched(
    settings: Settings, shared_pool: InferencePool
) -> AsyncIterator[tuple[LocalSession, WriteLog]]:
    async with clocked(settings, shared_pool) as (session, clock):
        await setup_guild(session)  # questions go to #general
        await schedule(session, weeks=2)
        await clock.set(LIVE)
        assert session.bot is not None
        await session.bot.scheduler.wait_idle()  # the session's reminders are sent before any is checked
        log = WriteLog()
        log.watch(session)
        yield session, log


@pytest.mark.parametrize(("name", "setup", "step"), LIVE_SCENARIOS, ids=[s[0] for s in LIVE_SCENARIOS])
async def test_the_live_qa_acknowledges_before_its_first_write(
    live_watched: tuple[LocalSession, WriteLog], name: str, setup: list[Step], step: Step
) -> None:
    session, log = live_watched
    for earlier in setup:
        await earlier(session)
    exchange = await step(session)
    assert exchange.answered, name
    assert assert_acknowledged_first(log, exchange, name) > 0, f"{name} wrote nothing: it no longer tests it"


async def test_a_summary_of_a_file_is_acknowledged_before_the_file_is_read(
    watched: tuple[LocalSession, WriteLog], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, log = watched
    reads: list[float] = []
    read_text_file = inputs.read_text_file

    async def timed_read(attachment: Any) -> str:
        reads.append(time.monotonic())
        return await read_text_file(attachment)

    monkeypatch.setattr(inputs, "read_text_file", timed_read)
    path = file_in(tmp_path, "The course teaches transformers. " * 20)
    exchange = await session.run(f"/summarize file:{path}")
    assert assert_acknowledged_first(log, exchange, "/summarize file") == 1
    assert exchange.state.responded_at is not None and exchange.requests[0].json["type"] == 5
    assert len(reads) == 1 and reads[0] > exchange.state.responded_at  # read after the "thinking…"
    assert exchange.reply.embeds[0]["fields"][0]["name"] == "Summary"


# --- no orphaned rows ------------------------------------------------------------------------------


async def rows(session: LocalSession, table: str) -> int:
    assert session.bot is not None
    async with session.bot.db.execute(f"SELECT count(*) FROM {table}") as cursor:
        row = await cursor.fetchone()
    return int(row[0])


async def test_refused_cancelled_and_failed_demos_store_nothing(
    watched: tuple[LocalSession, WriteLog], shared_pool: InferencePool, tmp_path: Path
) -> None:
    session, _ = watched
    refused = await session.run("/fillmask text:No mask here")
    assert refused.reply.ephemeral
    bad_file = await session.run(f"/summarize file:{file_in(tmp_path, '   ')}")
    assert bad_file.reply.ephemeral and "empty" in bad_file.reply.content
    too_long = await session.run("/attention text:" + "word " * 80)
    assert too_long.reply.ephemeral and "at most 64" in too_long.reply.content
    assert await rows(session, "demo_runs") == 0

    await shared_pool.wait_ready()
    pid = shared_pool.workers[0].pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    try:
        waiting = await session.launch(f"/ner text:{SENTENCE}", user="Grace")
        await session.click(waiting.reply, "Cancel", user="Grace")
        await session.finish(waiting)
        assert waiting.reply.embeds[0]["description"] == "❌ Cancelled."
    finally:
        os.kill(pid, signal.SIGCONT)
    assert await rows(session, "demo_runs") == 0
    await session.run("/ner text:Stored once it has a result")
    assert await rows(session, "demo_runs") == 1


async def test_refused_questions_store_nothing(settings: Settings, shared_pool: InferencePool) -> None:
    async with clocked(settings, shared_pool) as (session, _clock):
        await setup_guild(session)
        no_session = await session.run("/ask question:Is anyone there?")
        assert no_session.reply.ephemeral and "no session" in no_session.reply.content.lower()
        assert await rows(session, "questions") == 0
        await schedule(session, weeks=1)
        asked = await session.run("/ask question:What is a token?")
        again = await session.run("/ask question:What is a token?")
        assert "already asked" in again.reply.content and again.reply.ephemeral
        assert asked.reply.ephemeral and await rows(session, "questions") == 1


async def test_an_answer_too_late_for_discord_is_one_warning_not_a_traceback(
    session: LocalSession, caplog: pytest.LogCaptureFixture
) -> None:
    """Under a burst, a late first response used to cost a traceback and a second doomed request
    each, which made the next answers later still."""
    session.double.response_deadline_s = 0.0  # every first response now comes too late
    with session.allowing_errors(), caplog.at_level("WARNING"):
        exchange = await session.run("/sentiment text:Too late")
    assert not exchange.state.responded
    assert session.error_records == []
    late = [r for r in caplog.records if "too late" in r.getMessage()]
    assert len(late) == 1 and late[0].exc_info is None and "/sentiment" in late[0].getMessage()
    retries = [r for r in exchange.requests if r.path.endswith("/callback")]
    assert len(retries) == 1  # no second attempt to tell the member
