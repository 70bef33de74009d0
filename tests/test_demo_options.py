"""The demo commands bound their options at the type (the schema Discord enforces) and suggest
catalog models through autocomplete: checked on the schema the bot would sync."""

from __future__ import annotations

from typing import Any

import pytest

from bot.inference.tasks import TASKS
from bot.local.session import LocalSession

STRING, INTEGER, BOOLEAN, NUMBER, ATTACHMENT = 3, 4, 5, 10, 11

# command → option → the schema keys it must carry (type, bounds, autocomplete), as in the table
EXPECTED: dict[str, dict[str, dict[str, Any]]] = {
    "sentiment": {
        "text": {"type": STRING, "min_length": 1, "max_length": 1000, "required": True},
        "model": {"type": STRING, "autocomplete": True},
    },
    "zeroshot": {
        "text": {"type": STRING, "min_length": 1, "required": True},
        "labels": {"type": STRING, "min_length": 1, "required": True},
        "multi_label": {"type": BOOLEAN},
        "model": {"type": STRING, "autocomplete": True},
    },
    "generate": {
        "prompt": {"type": STRING, "min_length": 1, "required": True},
        "max_new_tokens": {"type": INTEGER, "min_value": 1, "max_value": 100},
        "num_return_sequences": {"type": INTEGER, "min_value": 1, "max_value": 3},
        "do_sample": {"type": BOOLEAN},
        "temperature": {"type": NUMBER, "min_value": 0.1, "max_value": 2.0},
        "top_k": {"type": INTEGER, "min_value": 1},
        "top_p": {"type": NUMBER, "max_value": 1.0},
        "num_beams": {"type": INTEGER, "min_value": 1, "max_value": 4},
        "model": {"type": STRING, "autocomplete": True},
    },
    "fillmask": {
        "text": {"type": STRING, "min_length": 1, "required": True},
        "top_k": {"type": INTEGER, "min_value": 1, "max_value": 10},
        "model": {"type": STRING, "autocomplete": True},
    },
    "ner": {
        "text": {"type": STRING, "min_length": 1, "required": True},
        "grouped": {"type": BOOLEAN},
    },
    "qa": {
        "question": {"type": STRING, "min_length": 1, "required": True},
        "context": {"type": STRING, "max_length": 6000},
        "context_link": {"type": STRING},
        "context_file": {"type": ATTACHMENT},
    },
    "summarize": {
        "text": {"type": STRING, "max_length": 6000},
        "file": {"type": ATTACHMENT},
        "max_length": {"type": INTEGER, "min_value": 5, "max_value": 256},
        "min_length": {"type": INTEGER, "min_value": 0, "max_value": 200},
    },
    "translate": {
        "text": {"type": STRING, "min_length": 1, "required": True},
        "pair": {"type": STRING, "autocomplete": True},
    },
    "tokenize": {
        "text": {"type": STRING, "min_length": 1, "required": True},
        "model": {"type": STRING, "autocomplete": True},
    },
}


def options_of(session: LocalSession, command: str) -> dict[str, dict[str, Any]]:
    (schema,) = [s for s in session.schemas() if s["name"] == command]
    return {option["name"]: option for option in schema.get("options") or []}


@pytest.mark.parametrize("command", list(EXPECTED))
async def test_every_option_is_bounded_at_the_type(session: LocalSession, command: str) -> None:
    options = options_of(session, command)
    for name, wanted in EXPECTED[command].items():
        assert name in options, f"/{command} has no option {name}"
        for key, value in wanted.items():
            assert options[name].get(key) == pytest.approx(value), (command, name, key, options[name])
    for name, option in options.items():  # no free-form text without an upper bound
        if option["type"] == STRING and not option.get("autocomplete") and "link" not in name:
            assert "max_length" in option, f"/{command} {name} has no max_length"


async def test_model_info_takes_a_listed_task_or_an_autocompleted_model(session: LocalSession) -> None:
    (group,) = [s for s in session.schemas() if s["name"] == "model"]
    (info,) = [o for o in group["options"] if o["name"] == "info"]
    options = {option["name"]: option for option in info["options"]}
    assert {choice["value"] for choice in options["task"]["choices"]} == set(TASKS)
    assert options["model"].get("autocomplete") is True


async def test_model_autocomplete_offers_the_catalog_case_insensitively(session: LocalSession) -> None:
    german = await session.autocomplete("/sentiment text:Das ist gut model:GERMAN", "model")
    assert [choice["value"] for choice in german] == ["oliverguhr/german-sentiment-bert"]
    every = await session.autocomplete("/sentiment text:x model:", "model")
    assert every[0]["value"] == "distilbert/distilbert-base-uncased-finetuned-sst-2-english"  # the default
    assert all(choice["value"] in {c["value"] for c in every} for choice in german)
    pairs = await session.autocomplete("/translate text:Bonjour pair:", "pair")
    assert pairs[0]["name"].startswith("French → English") and len(pairs) >= 2
    assert await session.autocomplete("/generate prompt:x model:no-such-model", "model") == []


async def test_model_autocomplete_offers_aliases_and_short_names_best_first(session: LocalSession) -> None:
    """What a member may type is what the suggestions match: a pair's alias, a hub id's short form."""
    en_fr = await session.autocomplete("/translate text:Hello pair:en>fr", "pair")
    assert [choice["value"] for choice in en_fr] == ["Helsinki-NLP/opus-mt-en-fr"]
    assert en_fr[0]["name"].endswith(" · en>fr")  # said, since neither the label nor the id shows it
    dashed = await session.autocomplete("/translate text:Hello pair:en-fr", "pair")
    assert dashed[0]["name"] == "English → French (Helsinki-NLP/opus-mt-en-fr)"  # the id shows it
    gpt2 = await session.autocomplete("/tokenize text:x model:GPT-2", "model")
    assert gpt2[0]["value"] == "openai-community/gpt2"  # its alias, whole: before names containing it
    assert gpt2[0]["name"].endswith(" · gpt-2")
    short = await session.autocomplete("/generate prompt:x model:gpt2", "model")
    assert [choice["value"] for choice in short][:2] == ["openai-community/gpt2", "distilbert/distilgpt2"]
    assert " · " not in short[0]["name"]  # "gpt2" is in the id already shown
    assert all(len(choice["name"]) <= 100 for choice in en_fr + gpt2 + short)


async def test_model_info_autocomplete_lists_each_checkpoint_once(session: LocalSession) -> None:
    choices = await session.autocomplete("/model info model:bert-base-cased", "model")
    values = [choice["value"] for choice in choices]
    assert values.count("google-bert/bert-base-cased") == 1  # in the catalog for fill-mask and tokenize
    assert len(await session.autocomplete("/model info model:", "model")) <= 25


def _buttons(message: Any) -> list[str]:
    return [item.get("label") for row in message.components for item in row["components"]]


def _fields(message: Any) -> dict[str, str]:
    return {field["name"]: field["value"] for field in message.embeds[0].get("fields", [])}


async def test_generate_follows_the_checkpoint_and_says_when_a_sampling_option_is_ignored(
    session: LocalSession,
) -> None:
    default = (await session.run("/generate prompt:Once upon a time max_new_tokens:3")).reply
    assert "Run again" in _buttons(default)  # GPT-2 samples unless told not to, like the course
    assert "Ignored" not in _fields(default)
    greedy = (
        await session.run(
            "/generate prompt:Once upon a time max_new_tokens:3 do_sample:false temperature:1.5"
        )
    ).reply
    assert "Run again" not in _buttons(greedy)  # the same answer each time
    note = _fields(greedy)["Ignored"]
    assert "`temperature`" in note and "`top_k`" not in note and "do_sample:false" in note
    warm = (await session.run("/generate prompt:Once upon a time max_new_tokens:3 temperature:1.5")).reply
    assert "Ignored" not in _fields(warm) and "Run again" in _buttons(warm)
