"""The presenters' pure embed builders: plain data in, the parts the issue asks for out."""

from __future__ import annotations

from typing import Any

import discord

from bot.inference.backend import AFTER_OWN, JobUpdate
from bot.inference.tiny import TINY_LABEL
from bot.local.rules import check_message
from cogs._live import status, text
from cogs._live.presenter import Finished, ResultMeta, footer
from cogs._live.presenters import presenter_for
from cogs._live.presenters.tokenize import subword_note

URL = "https://huggingface.co/learn/llm-course/chapter1/3"
TINY = ResultMeta("Sentiment analysis", "distilbert/sst2", True, 1.234, URL)
REAL = ResultMeta("Sentiment analysis", "distilbert/sst2", False, 0.5, URL)
SENTENCE = "My name is Sylvain and I work at Hugging Face in Brooklyn."


def render(
    task: str, meta: ResultMeta, item: Any, result: Any, params: dict[str, Any] | None = None
) -> discord.Embed:
    """The result embed of ``task``'s presenter."""
    return presenter_for(task).render(Finished(meta, item, result, params or {}))


def overflow(task: str, result: Any) -> str | None:
    return presenter_for(task).overflow(result)


def fields(embed: discord.Embed) -> dict[str, str]:
    return {field.name or "": field.value or "" for field in embed.fields}


def assert_valid(embed: discord.Embed) -> None:
    assert check_message({"embeds": [embed.to_dict()]}) == []


def test_footer_names_the_checkpoint_the_time_and_the_tiny_profile() -> None:
    assert footer(TINY) == f"model: distilbert/sst2 · 1.23 s · {TINY_LABEL}"
    assert footer(REAL) == "model: distilbert/sst2 · 0.50 s"
    embed = render("sentiment-analysis", REAL, "x", [{"label": "POSITIVE", "score": 0.5}])
    assert embed.url == URL  # the title links the course section


def test_status_lines_follow_the_request() -> None:
    queued = status.status_embed("NER", JobUpdate("queued", position=3), "dslim/bert-base-NER")
    assert queued.description == "⏳ Waiting in the queue: #3 in line"
    loading = status.status_embed("NER", JobUpdate("loading"), "dslim/bert-base-NER")
    assert loading.description is not None and "Loading the model (first use" in loading.description
    running = status.status_embed("NER", JobUpdate("running"), "dslim/bert-base-NER")
    assert running.description == "⚙️ Running the model…"


def test_labels_are_bars_with_scores_best_first() -> None:
    embed = render(
        "sentiment-analysis",
        TINY,
        "I love it",
        [{"label": "NEGATIVE", "score": 0.25}, {"label": "POSITIVE", "score": 0.75}],
    )
    lines = fields(embed)["Label scores"].splitlines()
    assert lines == ["`█████████░░░` **POSITIVE** 75.0%", "`███░░░░░░░░░` **NEGATIVE** 25.0%"]
    result = {"sequence": "A text", "labels": ["education", "business"], "scores": [0.9, 0.1]}
    zero_shot = render("zero-shot-classification", TINY, {"text": "A text"}, result, {"multi_label": True})
    (name,) = fields(zero_shot)
    assert "multi_label" in name and fields(zero_shot)[name].splitlines()[0].endswith("**education** 90.0%")


def test_fill_mask_shows_candidates_and_the_filled_sentence() -> None:
    candidates = [
        {"token_str": " mathematical", "score": 0.2, "sequence": "all about mathematical models."},
        {"token_str": "computational", "score": 0.1, "sequence": "all about computational models."},
    ]
    shown = fields(render("fill-mask", TINY, "all about <mask> models.", candidates))
    assert shown["Guesses for the mask"].splitlines()[0].endswith("**mathematical** 20.0%")
    assert shown["Filled in with the top guess"] == "all about mathematical models."


def test_entities_are_highlighted_in_the_text_with_types_and_scores() -> None:
    entities = [
        {"entity_group": "PER", "word": "Sylvain", "score": 0.998, "start": 11, "end": 18},
        {"entity_group": "ORG", "word": "Hugging Face", "score": 0.979, "start": 33, "end": 45},
    ]
    embed = render("ner", TINY, SENTENCE, entities, {"aggregation_strategy": "simple"})
    assert embed.description == (
        "My name is **Sylvain**`PER` and I work at **Hugging Face**`ORG` in Brooklyn."
    )
    listed = fields(embed)['Entities (grouped: aggregation_strategy="simple")']
    assert listed.splitlines() == ["`PER   ` Sylvain — 99.8%", "`ORG   ` Hugging Face — 97.9%"]
    pieces = [
        {"entity": "B-PER", "word": "S", "score": 0.9, "start": 11, "end": 12},
        {"entity": "I-PER", "word": "##ylvain", "score": 0.8, "start": 12, "end": 18},
    ]
    sub_words = render("ner", TINY, SENTENCE, pieces, {"aggregation_strategy": "none"})
    assert "**S**`B-PER`**ylvain**`I-PER`" in (sub_words.description or "")
    assert (
        "##ylvain" in fields(sub_words)['Sub-word tokens with their B-/I- tags (aggregation_strategy="none")']
    )
    assert fields(render("ner", TINY, "nothing here", [])) == {"Entities": "No entities found."}


def test_the_answer_is_highlighted_with_its_score_and_span() -> None:
    answer = {"answer": "Hugging Face", "score": 0.6, "start": 33, "end": 45}
    embed = render(
        "question-answering", TINY, {"question": "Where do I work?", "context": SENTENCE}, [answer]
    )
    assert embed.description == "My name is Sylvain and I work at **__Hugging Face__** in Brooklyn."
    assert fields(embed)["Answer"] == "Hugging Face\nscore 60.0% · characters 33–45"
    long_context = "filler " * 800 + SENTENCE + " more" * 800
    start = long_context.index("Hugging Face")
    far = {"answer": "Hugging Face", "score": 0.6, "start": start, "end": start + 12}
    windowed = render("question-answering", TINY, {"question": "Where?", "context": long_context}, [far])
    assert "**__Hugging Face__**" in (windowed.description or "")
    assert (windowed.description or "").startswith("…")
    assert_valid(windowed)
    none = render(
        "question-answering",
        TINY,
        {"question": "Where?", "context": SENTENCE},
        [{"answer": "", "score": 0.9, "start": 0, "end": 0}],
    )
    assert fields(none)["Answer"] == "The model found no answer in the context."


def test_member_and_model_text_is_escaped_and_cut_with_a_marker() -> None:
    prompt = "**bold** " * 10
    continuation = "word " * 400
    embed = render("text-generation", TINY, prompt, [{"generated_text": prompt + continuation}])
    value = fields(embed)["Continuation"]
    assert value.endswith(text.CUT) and len(value) <= text.FIELD_LIMIT
    assert "\\*\\*bold\\*\\*" in value  # markdown typed by a member is shown, not rendered
    assert_valid(embed)
    assert overflow("text-generation", [{"generated_text": prompt + continuation}]) is not None
    summary = {"summary_text": "long " * 400}
    cut = render("summarization", TINY, "source " * 2000, summary)
    assert fields(cut)["Summary"].endswith(text.CUT)
    assert (cut.description or "").endswith("…") and len(cut.description or "") <= 1500
    assert overflow("summarization", summary) == summary["summary_text"]
    assert overflow("translation", {"translation_text": "short"}) is None
    assert_valid(cut)


def test_the_tokenizer_embed_shows_every_part_and_the_sub_word_marker() -> None:
    result = {
        "tokens": ["[CLS]", "Using", "a", "Trans", "##former", "[SEP]"],
        "input_ids": [101, 7993, 170, 13809, 23763, 102],
        "token_type_ids": [0, 0, 0, 0, 0, 0],
        "attention_mask": [1, 1, 1, 1, 1, 1],
        "decoded": "[CLS] Using a Transformer [SEP]",
        "tokenizer_class": "BertTokenizer",
        "vocab_size": 28996,
        "model_max_length": 512,
    }
    shown = fields(render("tokenize", TINY, "Using a Transformer", result))
    assert "'##former'" in shown["Tokens (6)"]
    assert "101, 7993" in shown["input_ids"] and "0, 0" in shown["token_type_ids"]
    assert "1, 1" in shown["attention_mask"]
    assert "[CLS] Using a Transformer [SEP]" in shown["Decoded, with special tokens"]
    assert shown["Tokenizer"] == "BertTokenizer" and shown["Vocabulary"] == "28,996 tokens"
    assert shown["Max length"] == "512 tokens" and "`##`" in shown["Sub-words"]
    assert "`Ġ`" in subword_note("GPT2Tokenizer", ["Using", "Ġa", "ĠTransformer"])
    assert "`▁`" in subword_note("MarianTokenizer", ["▁Ce", "▁cours"])


def test_a_queued_request_shows_its_expected_wait_or_that_it_follows_its_own() -> None:
    soon = status.status_embed("NER", JobUpdate("queued", position=3, eta_s=20.0), "dslim/bert-base-NER")
    assert soon.description == "⏳ Waiting in the queue: #3 in line (about 20 s)"
    later = status.status_embed("NER", JobUpdate("queued", position=30, eta_s=150.0), "dslim/bert-base-NER")
    assert later.description == "⏳ Waiting in the queue: #30 in line (about 2 min)"
    behind = status.status_embed(
        "NER", JobUpdate("queued", detail=AFTER_OWN, after_own=True), "dslim/bert-base-NER"
    )
    assert behind.description == "⏳ Waiting in the queue: after your earlier request"
