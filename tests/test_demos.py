"""The model demos through the real bot, the Discord double and the shared pool (tiny models)."""

from __future__ import annotations

import asyncio
import copy
import itertools
import os
import re
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.inference.pool import InferencePool
from bot.inference.tiny import TINY_LABEL
from bot.local.server import DiscordDouble
from bot.local.session import Exchange, LocalSession
from bot.local.store import StoredMessage
from bot.local.world import LocalChannel
from bot.settings import Settings
from cogs._live.presenters import presenter_for

SENTENCE = "My name is Sylvain and I work at Hugging Face in Brooklyn."

# (command line, embed field names that must be there)
COMMANDS = [
    ("/sentiment text:I've been waiting for a HuggingFace course my whole life.", ["Label scores"]),
    (
        "/zeroshot text:This is a course about the Transformers library labels:education, politics, business",
        ["Labels — scores share 100% between labels"],
    ),
    ("/generate prompt:In this course, we will teach you how to max_new_tokens:8", ["Continuation"]),
    (
        "/fillmask text:This course will teach you all about [MASK] models. top_k:3",
        ["Guesses for the mask", "Filled in with the top guess"],
    ),
    (f"/ner text:{SENTENCE}", ['Entities (grouped: aggregation_strategy="simple")']),
    (
        f"/ner text:{SENTENCE} grouped:false",
        ['Sub-word tokens with their B-/I- tags (aggregation_strategy="none")'],
    ),
    (f"/qa question:Where do I work? context:{SENTENCE}", ["Question", "Answer"]),
    (
        "/summarize text:America has changed dramatically during recent years. The number of engineering "
        "graduates in the U.S. has declined in traditional engineering disciplines.",
        ["Summary"],
    ),
    ("/translate text:Ce cours est produit par Hugging Face.", ["Translation"]),
    (
        "/tokenize text:Using a Transformer network is simple",
        [
            "Tokens",
            "input_ids",
            "token_type_ids",
            "attention_mask",
            "Decoded, with special tokens",
            "Tokenizer",
            "Vocabulary",
            "Max length",
            "Sub-words",
        ],
    ),
]


def message_requests(exchange: Exchange) -> list[dict]:
    """Every request body that creates or edits a message."""
    bodies = []
    for request in exchange.requests:
        body = request.json or {}
        data = body.get("data", body) if request.path.endswith("/callback") else body
        if isinstance(data, dict) and ("content" in data or "embeds" in data):
            bodies.append(data)
    return bodies


async def total_requests(pool: InferencePool) -> int:
    return sum(pool.metrics.requests.values())


@pytest.mark.parametrize(("line", "fields"), COMMANDS, ids=[line.split()[0] for line, _ in COMMANDS])
async def test_each_demo_acknowledges_then_edits_in_its_result(
    session: LocalSession, line: str, fields: list[str]
) -> None:
    exchange = await session.run(line)
    first = exchange.requests[0]
    assert first.path.endswith("/callback") and first.json["type"] == 4  # acknowledged with a message
    status = first.json["data"]["embeds"][0]
    assert status["description"].startswith("⏳ Waiting in the queue")
    assert any(r.method == "PATCH" and r.path.endswith("/messages/@original") for r in exchange.requests)
    final = exchange.reply
    assert not final.ephemeral
    (embed,) = final.embeds
    names = [field["name"] for field in embed.get("fields", [])]
    for wanted in fields:
        assert any(name.startswith(wanted) for name in names), (wanted, names)
    assert TINY_LABEL in embed["footer"]["text"]
    assert embed["footer"]["text"].startswith("model: ")
    assert embed["url"].startswith("https://huggingface.co/learn/llm-course/")
    labels = [c["label"] for row in final.components for c in row["components"]]
    assert labels[:1] == ["Show code"] and "Learn more" in labels and "Cancel" not in labels
    for body in message_requests(exchange):
        assert body["allowed_mentions"] == {"parse": []}


async def test_sentiment_scores_are_bars_and_percentages(session: LocalSession) -> None:
    exchange = await session.run("/sentiment text:I love this course")
    value = exchange.reply.embeds[0]["fields"][0]["value"]
    lines = value.splitlines()
    assert len(lines) == 2 and {"POSITIVE", "NEGATIVE"} <= {line.split("**")[1] for line in lines}
    assert all(line.startswith("`") and "%" in line for line in lines)


async def test_the_answer_is_highlighted_in_its_context(session: LocalSession) -> None:
    exchange = await session.run(f"/qa question:Where do I work? context:{SENTENCE}")
    embed = exchange.reply.embeds[0]
    answer_field = next(f for f in embed["fields"] if f["name"] == "Answer")
    answer = answer_field["value"].splitlines()[0]
    assert f"**__{answer}__**" in embed["description"]
    assert "characters" in answer_field["value"] and "score" in answer_field["value"]


BAD_INPUTS = [
    ('/sentiment text:"   "', "empty"),
    ("/fillmask text:There is no mask here.", "mask"),
    ("/fillmask text:Two [MASK] are [MASK] here.", "mask"),
    ("/zeroshot text:A text labels:education", "one label"),
    ("/zeroshot text:A text labels:education, Education", "given twice"),
    ("/zeroshot text:A text labels:" + ", ".join(f"l{n}" for n in range(11)), "at most 10 labels"),
    ("/sentiment text:hello model:someone/evil-model", "not in the model catalog"),
    ("/qa question:Who?", "Give the context in one of"),
    ("/qa question:Who? context:Ada. context_link:https://example.com/x", "only one of"),
    ("/qa question:Who? context_link:https://example.com/not-a-message", "not a message link"),
    ("/generate prompt:Hello num_return_sequences:3 do_sample:false", "num_return_sequences"),
    ("/zeroshot text:A text labels:" + "x" * 51 + ", short", "at most 50 characters"),
    ("/summarize text:A short text to summarize. max_length:10 min_length:50", "cannot be larger"),
    ("/translate text:Bonjour pair:xx/opus-mt-xx-yy", "not in the model catalog"),
    ('/qa question:"   " context:Ada works in London.', "empty"),
]


@pytest.mark.parametrize(("line", "says"), BAD_INPUTS, ids=[f"bad{n}" for n in range(len(BAD_INPUTS))])
async def test_bad_input_is_an_ephemeral_sentence_and_queues_nothing(
    session: LocalSession, shared_pool: InferencePool, line: str, says: str
) -> None:
    before = await total_requests(shared_pool)
    exchange = await session.run(line)
    assert exchange.reply.ephemeral
    assert says.lower() in exchange.reply.content.lower(), exchange.reply.content
    assert len(exchange.messages) == 1 and not exchange.reply.embeds
    assert await total_requests(shared_pool) == before


async def test_context_files_are_read_and_bad_files_refused(
    session: LocalSession, shared_pool: InferencePool, tmp_path: Path
) -> None:
    good = tmp_path / "context.txt"
    good.write_text(SENTENCE)
    exchange = await session.run(f"/qa question:Where do I work? context_file:{good}")
    assert any(f["name"] == "Answer" for f in exchange.reply.embeds[0]["fields"])
    before = await total_requests(shared_pool)
    image = tmp_path / "picture.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    refused = await session.run(f"/qa question:Who? context_file:{image}", user="Linus")
    assert refused.reply.ephemeral and "not a text file" in refused.reply.content
    huge = tmp_path / "huge.txt"
    huge.write_text("word " * 50_000)
    too_big = await session.run(f"/summarize file:{huge}", user="Linus")
    assert too_big.reply.ephemeral and "kB" in too_big.reply.content
    long_context = tmp_path / "long.txt"
    long_context.write_text("Sylvain works in Brooklyn. " * 300)
    too_long = await session.run(f"/qa question:Where? context_file:{long_context}", user="Linus")
    assert too_long.reply.ephemeral and "at most 6,000" in too_long.reply.content
    assert await total_requests(shared_pool) == before


async def test_message_links_read_this_servers_messages(session: LocalSession) -> None:
    posted = await session.run("/about")  # a message by the bot itself: readable without any intent
    message = posted.reply
    guild = session.double.world.guild_id
    link = f"https://discord.com/channels/{guild}/{message.channel_id}/{message.id}"
    exchange = await session.run(f"/summarize link:{link}")
    assert any(f["name"] == "Summary" for f in exchange.reply.embeds[0]["fields"])
    elsewhere = await session.run("/summarize link:https://discord.com/channels/1234567890123456/1/2")
    assert elsewhere.reply.ephemeral and "from this server" in elsewhere.reply.content


async def test_model_output_and_member_text_never_ping(session: LocalSession) -> None:
    role = session.double.world.moderator_role_id
    exchange = await session.run(f"/generate prompt:@everyone <@&{role}> hello max_new_tokens:5")
    bodies = message_requests(exchange)
    assert bodies and all(body["allowed_mentions"] == {"parse": []} for body in bodies)
    assert all(message.pings() == [] for message in exchange.messages)


async def until(condition: Callable[[], bool], limit_s: float = 10.0) -> None:
    async with asyncio.timeout(limit_s):
        while not condition():  # noqa: ASYNC110 - pool state has no event to wait on
            await asyncio.sleep(0.01)


def freeze(pool: InferencePool) -> int:
    pid = pool.workers[0].pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    return pid


async def test_cancel_takes_a_queued_request_out(session: LocalSession, shared_pool: InferencePool) -> None:
    await shared_pool.wait_ready()
    pid = freeze(shared_pool)
    try:
        blocker = await session.launch("/sentiment text:first in line", user="Ada")
        await until(lambda: shared_pool.snapshot().running == 1)  # the blocker's window is taken
        waiting = await session.launch(f"/ner text:{SENTENCE}", user="Grace")
        await until(lambda: shared_pool.snapshot().queue_depth == 1)
        queued: StoredMessage = waiting.reply
        assert "Cancel" in [c["label"] for row in queued.components for c in row["components"]]
        refused = await session.click(queued, "Cancel", user="Linus")
        assert refused.reply.ephemeral and "Only the member who asked" in refused.reply.content
        await session.click(queued, "Cancel", user="Grace")
        await session.finish(waiting)
        assert waiting.reply.embeds[0]["description"] == "❌ Cancelled."
        assert waiting.reply.components == []
        assert shared_pool.snapshot().queue_depth == 0
    finally:
        os.kill(pid, signal.SIGCONT)
    await session.finish(blocker)
    assert blocker.reply.embeds[0]["fields"][0]["name"] == "Label scores"


async def test_fifty_concurrent_members_are_all_answered_in_batches(
    session: LocalSession, shared_pool: InferencePool
) -> None:
    await shared_pool.wait_ready()
    members = [session.double.world.add_user(session.double.ids, f"Member{n}") for n in range(50)]
    await session.restart()  # the new members arrive with the next GUILD_CREATE
    batches_before = list(shared_pool.metrics.batch_sizes["sentiment-analysis"])
    payloads = [
        session.command_payload(f"/sentiment text:Review number {n}: this course is great", user=member.name)
        for n, member in enumerate(members)
    ]
    exchanges = await session.send_many(payloads)
    assert all(exchange.answered for exchange in exchanges)
    assert all(exchange.reply.embeds[0]["fields"][0]["name"] == "Label scores" for exchange in exchanges)
    sizes = list(shared_pool.metrics.batch_sizes["sentiment-analysis"])[len(batches_before) :]
    assert sum(sizes) == 50 and max(sizes) > 1, sizes


async def test_demos_outside_the_allowed_channels_are_refused(
    settings: Settings, shared_pool: InferencePool
) -> None:
    double = DiscordDouble()
    demos = double.world.channel("demos").id
    restricted = settings.replace(demo_channel_ids=(demos,))
    async with LocalSession(restricted, backend=shared_pool, fail_on_errors=True, double=double) as local:
        refused = await local.run("/sentiment text:hello", channel="general")
        assert refused.reply.ephemeral and f"Model demos run in <#{demos}>" in refused.reply.content
        allowed = await local.run("/sentiment text:hello", channel="demos")
        assert allowed.reply.embeds[0]["fields"][0]["name"] == "Label scores"
        about = await local.run("/about", channel="general")  # only the demos are restricted
        assert about.reply.embeds[0]["title"] == "studybot"


async def test_demos_work_in_direct_messages(session: LocalSession) -> None:
    exchange = await session.run("/fillmask text:Paris is the [MASK] of France. top_k:2", dm=True)
    assert exchange.reply.embeds[0]["title"] == "Mask filling"
    shown = await session.click(exchange.reply, "Show code")
    assert 'pipeline("fill-mask"' in shown.reply.content


async def test_demos_in_a_thread_of_an_allowed_channel(
    settings: Settings, shared_pool: InferencePool
) -> None:
    double = DiscordDouble()
    demos = double.world.channel("demos")
    thread = LocalChannel(double.ids.next(), "study-thread", type=11, parent_id=demos.id)
    double.world.channels[thread.id] = thread
    restricted = settings.replace(demo_channel_ids=(demos.id,))
    async with LocalSession(restricted, backend=shared_pool, fail_on_errors=True, double=double) as local:
        exchange = await local.run("/sentiment text:Threads are fine", channel="study-thread")
        assert exchange.reply.channel_id == thread.id
        assert exchange.reply.embeds[0]["fields"][0]["name"] == "Label scores"


async def test_status_goes_from_queued_to_loading_to_the_result_with_throttled_edits(
    settings: Settings,
) -> None:
    interval = 0.5
    pool = InferencePool(settings, update_interval_s=interval)  # fresh: no model loaded yet
    await pool.start()
    await pool.wait_ready()
    try:
        async with LocalSession(settings, backend=pool, fail_on_errors=True, answer_timeout=60) as local:
            pid = freeze(pool)
            try:
                blocker = await local.launch("/sentiment text:first in line", user="Ada")
                await until(lambda: pool.snapshot().running == 1)
                second = await local.launch(f"/ner text:{SENTENCE}", user="Grace")
                await until(lambda: pool.snapshot().queue_depth == 1)
                third = await local.launch(f"/ner text:{SENTENCE}", user="Linus")
                assert third.reply.embeds[0]["description"] == "⏳ Waiting in the queue: #2 in line"
                await asyncio.sleep(interval * 2)  # the queued position is delivered before the thaw
            finally:
                os.kill(pid, signal.SIGCONT)
            for exchange in (blocker, second, third):
                await local.finish(exchange)
    finally:
        await pool.close()
    edits = [
        r
        for r in third.requests
        if r.method == "PATCH" and r.path.endswith("/messages/@original") and (r.json or {}).get("embeds")
    ]
    states = [edit.json["embeds"][0].get("description", "") for edit in edits[:-1]]
    order = ["⏳", "📦", "⚙️"]
    seen = [next(n for n, mark in enumerate(order) if line.startswith(mark)) for line in states]
    assert seen == sorted(seen) and 1 in seen, states  # in order, and "loading model (first use)" shown
    assert any("Loading the model (first use" in line for line in states)
    gaps = [later.at - earlier.at for earlier, later in itertools.pairwise(edits[:-1])]
    assert all(gap >= interval * 0.9 for gap in gaps), gaps  # status edits are throttled
    final = edits[-1].json["embeds"][0]
    assert final["fields"] and re.search(r"· \d+\.\d\d s", final["footer"]["text"]), final["footer"]
    assert third.reply.embeds[0]["fields"] == final["fields"]


async def test_a_moderator_may_cancel_and_a_stale_cancel_is_answered_politely(
    session: LocalSession, shared_pool: InferencePool
) -> None:
    await shared_pool.wait_ready()
    pid = freeze(shared_pool)
    try:
        blocker = await session.launch("/sentiment text:first in line", user="Linus")
        await until(lambda: shared_pool.snapshot().running == 1)
        waiting = await session.launch(f"/ner text:{SENTENCE}", user="Grace")  # another task: no batching
        await until(lambda: shared_pool.snapshot().queue_depth == 1)
        queued: StoredMessage = waiting.reply
        shown_while_queued = copy.deepcopy(queued.components)
        await session.click(queued, "Cancel", moderator=True)
        await session.finish(waiting)
        assert waiting.reply.embeds[0]["description"] == "❌ Cancelled."
    finally:
        os.kill(pid, signal.SIGCONT)
    await session.finish(blocker)

    async def click_old_cancel() -> Exchange:
        """Press Cancel on the message as a client that has not seen the latest edit shows it."""
        (cancel,) = [c for row in shown_while_queued for c in row["components"] if c["label"] == "Cancel"]
        payload = session.payloads.component(waiting.reply, cancel["custom_id"], 2, session.member("Grace"))
        payload["message"]["components"] = shown_while_queued
        return await session.send(payload)

    stale = await click_old_cancel()
    assert stale.reply.ephemeral and "no longer waiting" in stale.reply.content
    await session.restart()  # the custom id still routes after a restart
    again = await click_old_cancel()
    assert again.reply.ephemeral and "no longer waiting" in again.reply.content


async def test_refusals_that_echo_member_text_never_ping(session: LocalSession) -> None:
    role = session.double.world.moderator_role_id
    exchange = await session.run(f"/zeroshot text:A text labels:@everyone, <@&{role}>, @everyone")
    assert exchange.reply.ephemeral and "@everyone" in exchange.reply.content
    bodies = message_requests(exchange)
    assert bodies and all(body["allowed_mentions"] == {"parse": []} for body in bodies)
    assert exchange.reply.pings() == []


async def test_an_unexpected_failure_replaces_the_status_and_gives_an_error_code(
    session: LocalSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug in an embed builder")

    monkeypatch.setattr(presenter_for("sentiment-analysis"), "render", broken)
    with session.allowing_errors():
        exchange = await session.run("/sentiment text:This will fail")
    assert exchange.original is not None
    assert exchange.original.embeds[0]["description"].startswith("❌ Something went wrong")
    assert exchange.original.components == []
    (notice,) = [m for m in exchange.messages if m.id != exchange.original.id]
    assert notice.ephemeral and "error code" in notice.content
    code = re.search(r"error code `(\w+)`", notice.content)
    assert code and any(code[1] in record.getMessage() for record in session.error_records)


@pytest.mark.parametrize(
    ("line", "checkpoint"),
    [
        ("/sentiment text:I love this course", "distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
        ("/translate text:Ce cours est produit par Hugging Face.", "Helsinki-NLP/opus-mt-fr-en"),
        ("/tokenize text:Using a Transformer", "google-bert/bert-base-cased"),
        (
            "/sentiment text:Das ist gut model:oliverguhr/german-sentiment-bert",
            "oliverguhr/german-sentiment-bert",
        ),
    ],
)
async def test_the_footer_names_the_default_or_chosen_checkpoint(
    session: LocalSession, line: str, checkpoint: str
) -> None:
    exchange = await session.run(line)
    assert exchange.reply.embeds[0]["footer"]["text"].startswith(f"model: {checkpoint} · ")


async def test_one_label_is_enough_when_each_label_is_scored_on_its_own(session: LocalSession) -> None:
    exchange = await session.run(
        "/zeroshot text:A course about Transformers labels:education multi_label:true"
    )
    (field,) = exchange.reply.embeds[0]["fields"]
    assert "multi_label" in field["name"] and "**education**" in field["value"]
