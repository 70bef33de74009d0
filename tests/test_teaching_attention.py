"""/attention: the task on the tiny BERT, the data behind the plot, the PNG, the menus, Show code."""

from __future__ import annotations

import asyncio
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy
import pytest
from PIL import Image

from bot.inference.backend import run_request
from bot.inference.loading import load_runner
from bot.inference.pool import InferencePool
from bot.inference.tasks import ATTENTION_MAX_TOKENS, InvalidRequestError, get_task
from bot.inference.tiny import TINY_LABEL, tiny_model_dir
from bot.local.session import LocalSession
from bot.local.store import StoredMessage
from bot.settings import Settings
from cogs._live.presenters import presenter_for
from cogs._live.presenters.attention.heatmap import (
    SIZE,
    SIZE_WITH_FOCUS,
    FocusNotFound,
    focus_indices,
    plot_data,
    render_png,
)

CLASSIC = "The animal didn't cross the street because it was too tired"


@pytest.fixture(scope="module")
def runner(tiny_dir: Path) -> Any:
    return load_runner("attention", str(tiny_model_dir(tiny_dir, "attention")))


def attend(runner: Any, texts: list[str], params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    inputs, checked = get_task("attention").validate(texts, params or {})
    return runner.run(inputs, checked)


def png_of(session: LocalSession, message: StoredMessage) -> bytes:
    (attachment,) = message.attachments
    assert attachment["filename"] == "attention.png"
    return session.double.uploads[int(attachment["id"])].data


def pixels(png: bytes) -> numpy.ndarray:
    return numpy.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# --- the task ----------------------------------------------------------------------------------


def test_every_row_of_every_layer_and_head_sums_to_one(runner: Any) -> None:
    texts = [CLASSIC, "Hi there", "Transformers are everywhere."]
    for layer in (1, 2):
        for head in (None, 1, 2):
            for result, text in zip(
                attend(runner, texts, {"layer": layer, "head": head}), texts, strict=True
            ):
                matrix = numpy.array(result["attention"])
                assert matrix.shape == (len(result["tokens"]),) * 2
                assert numpy.allclose(matrix.sum(axis=1), 1.0, atol=1e-4)
                assert (matrix >= 0).all()
                assert result["tokens"][0] == "[CLS]" and result["tokens"][-1] == "[SEP]"
                assert result["special"][0] and result["special"][-1] and not any(result["special"][1:-1])
                assert (result["layer"], result["head"]) == (layer, head)
                assert (result["num_layers"], result["num_heads"]) == (2, 2)
                assert len(result["offsets"]) == len(result["tokens"])
                assert text[slice(*result["offsets"][1])] == result["tokens"][1].removeprefix("##")


def test_defaults_are_the_last_layer_and_the_heads_average(runner: Any) -> None:
    (default,) = attend(runner, [CLASSIC])
    (head1,) = attend(runner, [CLASSIC], {"layer": 2, "head": 1})
    (head2,) = attend(runner, [CLASSIC], {"layer": 2, "head": 2})
    assert (default["layer"], default["head"]) == (2, None)
    average = (numpy.array(head1["attention"]) + numpy.array(head2["attention"])) / 2
    assert numpy.allclose(default["attention"], average, atol=1e-5)
    assert not numpy.allclose(head1["attention"], head2["attention"], atol=1e-3)


def test_a_batch_with_padding_gives_the_same_weights_as_one_by_one(runner: Any) -> None:
    texts = [CLASSIC, "Short one."]
    batched = attend(runner, texts, {"layer": 1})
    for text, result in zip(texts, batched, strict=True):
        (single,) = attend(runner, [text], {"layer": 1})
        assert single["tokens"] == result["tokens"]
        assert numpy.allclose(single["attention"], result["attention"], atol=1e-5)


def test_long_texts_and_missing_layers_or_heads_are_refused(runner: Any) -> None:
    with pytest.raises(InvalidRequestError, match=f"at most {ATTENTION_MAX_TOKENS}"):
        attend(runner, ["word " * 40])
    with pytest.raises(InvalidRequestError, match="This model has 2 layers"):
        attend(runner, ["Hi"], {"layer": 3})
    with pytest.raises(InvalidRequestError, match="2 attention heads"):
        attend(runner, ["Hi"], {"head": 5})
    with pytest.raises(InvalidRequestError, match="layer must be between 1 and 48"):
        get_task("attention").validate(["Hi"], {"layer": 0})


# --- the data behind the plot, and the picture ---------------------------------------------------


def test_the_plotted_rows_and_the_focus_bars_sum_to_one(runner: Any) -> None:
    (result,) = attend(runner, [CLASSIC], {"layer": 1, "head": 2})
    data = plot_data(result, CLASSIC, "google-bert/bert-base-uncased", focus="it", tiny=True)
    assert numpy.allclose([sum(row) for row in data.matrix], 1.0, atol=1e-4)
    assert data.focus_row is not None and sum(data.focus_row) == pytest.approx(1.0, abs=1e-4)
    # The focus is the word "it", whole (all of its pieces if the tokenizer splits it).
    assert "".join(data.tokens[i].removeprefix("##") for i in data.focus_indices) == "it"
    assert "layer 1/2 · head 2/2" in data.title and TINY_LABEL in data.subtitle
    # A word split into sub-words is all of its pieces; whole words win over parts of words.
    tired = focus_indices(CLASSIC, "TIRED", result["offsets"], result["special"])
    assert "".join(result["tokens"][i].removeprefix("##") for i in tired) == "tired"
    it_ = focus_indices(
        "itself, it is", "it", [[0, 0], [0, 6], [6, 7], [8, 10], [11, 13], [0, 0]], [True, *[False] * 4, True]
    )
    assert it_ == (3,)
    with pytest.raises(FocusNotFound):
        plot_data(result, CLASSIC, "bert", focus="zebra")


def test_the_png_has_the_expected_size_and_changes_with_layer_and_head(runner: Any) -> None:
    images = {}
    for layer, head in ((1, 1), (1, 2), (2, 1)):
        (result,) = attend(runner, [CLASSIC], {"layer": layer, "head": head})
        png = render_png(plot_data(result, CLASSIC, "bert", focus="it"))
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size == SIZE_WITH_FOCUS
        images[(layer, head)] = pixels(png)
    assert (images[(1, 1)] != images[(1, 2)]).any() and (images[(1, 1)] != images[(2, 1)]).any()
    (result,) = attend(runner, ["Tokens with $dollar$ signs"])
    assert Image.open(io.BytesIO(render_png(plot_data(result, "x", "bert")))).size == SIZE


# --- through the bot ------------------------------------------------------------------------------


async def test_attention_draws_the_classic_example_and_the_menus_redraw_it(
    session: LocalSession, shared_pool: InferencePool
) -> None:
    exchange = await session.run(f"/attention text:{CLASSIC} focus:it")
    first = exchange.requests[0]
    assert first.json["type"] == 4
    assert first.json["data"]["embeds"][0]["description"].startswith("⏳ Waiting in the queue")
    message = exchange.reply
    (embed,) = message.embeds
    assert embed["image"]["url"] == "attachment://attention.png"
    assert embed["url"] == presenter_for("attention").learn_more
    assert TINY_LABEL in embed["footer"]["text"]
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Map"].startswith("Layer 2 of 2 · average of 2 heads")
    assert "What 'it' attends to most" in fields
    png = png_of(session, message)
    assert Image.open(io.BytesIO(png)).size == SIZE_WITH_FOCUS
    labels = [c.get("label") or c.get("placeholder") for row in message.components for c in row["components"]]
    assert labels == ["Layer", "Head", "Show code", "Learn more"]

    layer1 = await session.choose(message, "Layer", ["1"])
    assert layer1.reply.id == message.id and not layer1.reply.ephemeral
    assert layer1.reply.embeds[0]["fields"][0]["value"].startswith("Layer 1 of 2 · average of 2 heads")
    png_layer1 = png_of(session, layer1.reply)
    assert (pixels(png_layer1) != pixels(png)).any()

    head2 = await session.choose(layer1.reply, "Head", ["2"])
    assert head2.reply.embeds[0]["fields"][0]["value"].startswith("Layer 1 of 2 · head 2/2")
    assert (pixels(png_of(session, head2.reply)) != pixels(png_layer1)).any()
    assert len(head2.reply.attachments) == 1  # the new picture replaced the old one

    # The menus outlive a restart (the call is stored), and only the asker or a moderator uses them.
    await session.restart()
    after = await session.choose(head2.reply, "Layer", ["2"])
    assert after.reply.embeds[0]["fields"][0]["value"].startswith("Layer 2 of 2 · head 2/2")
    refused = await session.choose(after.reply, "Head", ["1"], user="Linus")
    assert (
        refused.reply.ephemeral
        and "Only <@" in refused.reply.content
        and "/attention text:" in refused.reply.content
    )
    moderator = await session.choose(after.reply, "Head", ["0"], user="Ada")
    assert moderator.reply.embeds[0]["fields"][0]["value"].startswith("Layer 2 of 2 · average of 2 heads")


async def test_show_code_reproduces_the_map_as_shown(
    session: LocalSession, shared_pool: InferencePool, tmp_path: Path
) -> None:
    exchange = await session.run("/attention text:Transformers are everywhere. layer:1 head:2")
    shown = await session.click(exchange.reply, "Show code")
    assert shown.reply.ephemeral
    content = shown.reply.content
    code = content[len("```python\n") : -3]
    assert 'attn_implementation="eager"' in code and "layer = 1" in code and "layer_weights[1]" in code
    path = tmp_path / "attention.py"
    path.write_text(code + "\nprint(weights.tolist())\n")
    finished = await asyncio.to_thread(
        subprocess.run, [sys.executable, str(path)], capture_output=True, text=True, timeout=120
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    lines = finished.stdout.strip().splitlines()
    (result,) = await run_request(
        shared_pool, "attention", None, ["Transformers are everywhere."], {"layer": 1, "head": 2}, user="test"
    )
    assert eval(lines[0]) == result["tokens"]
    assert numpy.allclose(eval(lines[-1]), result["attention"], atol=1e-4)


BAD = [
    (f"/attention text:{CLASSIC} focus:zebra", "not in the text"),
    ("/attention text:Hello there head:seven", "head must be a head number"),
    ("/attention text:Hello there layer:5", "This model has 2 layers"),
    ("/attention text:Hello there head:3", "2 attention heads"),
    ("/attention text:" + "word " * 40, "at most 64"),
    ("/attention text:Hello model:someone/else", "not in the model catalog"),
]


@pytest.mark.parametrize(("line", "says"), BAD, ids=[f"bad{n}" for n in range(len(BAD))])
async def test_bad_input_is_an_ephemeral_sentence_and_queues_nothing(
    settings: Settings, shared_pool: InferencePool, line: str, says: str
) -> None:
    relaxed = settings.replace(demo_rate=(1000, 1.0))
    async with LocalSession(relaxed, backend=shared_pool, fail_on_errors=True) as local:
        before = sum(shared_pool.metrics.requests.values())
        exchange = await local.run(line)
        assert exchange.reply.ephemeral and says in exchange.reply.content, exchange.reply.content
        assert len(exchange.messages) == 1
        assert sum(shared_pool.metrics.requests.values()) == before
