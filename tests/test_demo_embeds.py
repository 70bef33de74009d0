"""The demos' pure embed builders: plain data in, the parts the issue asks for out."""

from __future__ import annotations

import discord

from bot.inference.backend import JobUpdate
from bot.inference.tiny import TINY_LABEL
from bot.local.rules import check_message
from cogs.demos import _embeds as embeds
from cogs.demos._render import render_result

URL = "https://huggingface.co/learn/llm-course/chapter1/3"
TINY = embeds.ResultMeta("Sentiment analysis", "distilbert/sst2", True, 1.234, URL)
REAL = embeds.ResultMeta("Sentiment analysis", "distilbert/sst2", False, 0.5, URL)
SENTENCE = "My name is Sylvain and I work at Hugging Face in Brooklyn."


def fields(embed: discord.Embed) -> dict[str, str]:
    return {field.name or "": field.value or "" for field in embed.fields}


def assert_valid(embed: discord.Embed) -> None:
    assert check_message({"embeds": [embed.to_dict()]}) == []


def test_footer_names_the_checkpoint_the_time_and_the_tiny_profile() -> None:
    assert embeds.footer(TINY) == f"model: distilbert/sst2 · 1.23 s · {TINY_LABEL}"
    assert embeds.footer(REAL) == "model: distilbert/sst2 · 0.50 s"
    embed = embeds.sentiment_embed(REAL, "x", [{"label": "POSITIVE", "score": 0.5}])
    assert embed.url == URL  # the title links the course section


def test_status_lines_follow_the_request() -> None:
    queued = embeds.status_embed("NER", JobUpdate("queued", position=3), "dslim/bert-base-NER")
    assert queued.description == "⏳ Waiting in the queue: #3 in line"
    loading = embeds.status_embed("NER", JobUpdate("loading"), "dslim/bert-base-NER")
    assert loading.description is not None and "Loading the model (first use" in loading.description
    running = embeds.status_embed("NER", JobUpdate("running"), "dslim/bert-base-NER")
    assert running.description == "⚙️ Running the model…"


def test_labels_are_bars_with_scores_best_first() -> None:
    embed = embeds.sentiment_embed(
        TINY, "I love it", [{"label": "NEGATIVE", "score": 0.25}, {"label": "POSITIVE", "score": 0.75}]
    )
    lines = fields(embed)["Label scores"].splitlines()
    assert lines == ["`█████████░░░` **POSITIVE** 75.0%", "`███░░░░░░░░░` **NEGATIVE** 25.0%"]
    result = {"sequence": "A text", "labels": ["education", "business"], "scores": [0.9, 0.1]}
    zero_shot = embeds.zero_shot_embed(TINY, result, multi_label=True)
    (name,) = fields(zero_shot)
    assert "multi_label" in name and fields(zero_shot)[name].splitlines()[0].endswith("**education** 90.0%")


def test_fill_mask_shows_candidates_and_the_filled_sentence() -> None:
    candidates = [
        {"token_str": " mathematical", "score": 0.2, "sequence": "all about mathematical models."},
        {"token_str": "computational", "score": 0.1, "sequence": "all about computational models."},
    ]
    shown = fields(embeds.fill_mask_embed(TINY, "all about <mask> models.", candidates))
    assert shown["Guesses for the mask"].splitlines()[0].endswith("**mathematical** 20.0%")
    assert shown["Filled in with the top guess"] == "all about mathematical models."


def test_entities_are_highlighted_in_the_text_with_types_and_scores() -> None:
    entities = [
        {"entity_group": "PER", "word": "Sylvain", "score": 0.998, "start": 11, "end": 18},
        {"entity_group": "ORG", "word": "Hugging Face", "score": 0.979, "start": 33, "end": 45},
    ]
    embed = embeds.ner_embed(TINY, SENTENCE, entities, grouped=True)
    assert embed.description == (
        "My name is **Sylvain**`PER` and I work at **Hugging Face**`ORG` in Brooklyn."
    )
    listed = fields(embed)['Entities (grouped: aggregation_strategy="simple")']
    assert listed.splitlines() == ["`PER   ` Sylvain — 99.8%", "`ORG   ` Hugging Face — 97.9%"]
    pieces = [
        {"entity": "B-PER", "word": "S", "score": 0.9, "start": 11, "end": 12},
        {"entity": "I-PER", "word": "##ylvain", "score": 0.8, "start": 12, "end": 18},
    ]
    sub_words = embeds.ner_embed(TINY, SENTENCE, pieces, grouped=False)
    assert "**S**`B-PER`**ylvain**`I-PER`" in (sub_words.description or "")
    assert (
        "##ylvain" in fields(sub_words)['Sub-word tokens with their B-/I- tags (aggregation_strategy="none")']
    )
    assert fields(embeds.ner_embed(TINY, "nothing here", [], grouped=True)) == {
        "Entities": "No entities found."
    }


def test_the_answer_is_highlighted_with_its_score_and_span() -> None:
    answer = {"answer": "Hugging Face", "score": 0.6, "start": 33, "end": 45}
    embed = embeds.qa_embed(TINY, "Where do I work?", SENTENCE, [answer])
    assert embed.description == "My name is Sylvain and I work at **__Hugging Face__** in Brooklyn."
    assert fields(embed)["Answer"] == "Hugging Face\nscore 60.0% · characters 33–45"
    long_context = "filler " * 800 + SENTENCE + " more" * 800
    start = long_context.index("Hugging Face")
    far = {"answer": "Hugging Face", "score": 0.6, "start": start, "end": start + 12}
    windowed = embeds.qa_embed(TINY, "Where?", long_context, [far])
    assert "**__Hugging Face__**" in (windowed.description or "")
    assert (windowed.description or "").startswith("…")
    assert_valid(windowed)
    none = embeds.qa_embed(TINY, "Where?", SENTENCE, [{"answer": "", "score": 0.9, "start": 0, "end": 0}])
    assert fields(none)["Answer"] == "The model found no answer in the context."


def test_member_and_model_text_is_escaped_and_cut_with_a_marker() -> None:
    prompt = "**bold** " * 10
    continuation = "word " * 400
    embed = embeds.generation_embed(TINY, prompt, [{"generated_text": prompt + continuation}])
    value = fields(embed)["Continuation"]
    assert value.endswith(embeds.CUT) and len(value) <= embeds.FIELD_LIMIT
    assert "\\*\\*bold\\*\\*" in value  # markdown typed by a member is shown, not rendered
    assert_valid(embed)
    assert embeds.overflow_text("text-generation", [{"generated_text": prompt + continuation}]) is not None
    summary = {"summary_text": "long " * 400}
    cut = render_result("summarization", TINY, "source " * 2000, summary, {})
    assert fields(cut)["Summary"].endswith(embeds.CUT)
    assert (cut.description or "").endswith("…") and len(cut.description or "") <= 1500
    assert embeds.overflow_text("summarization", summary) == summary["summary_text"]
    assert embeds.overflow_text("translation", {"translation_text": "short"}) is None
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
    shown = fields(embeds.tokenize_embed(TINY, "Using a Transformer", result))
    assert "'##former'" in shown["Tokens (6)"]
    assert "101, 7993" in shown["input_ids"] and "0, 0" in shown["token_type_ids"]
    assert "1, 1" in shown["attention_mask"]
    assert "[CLS] Using a Transformer [SEP]" in shown["Decoded, with special tokens"]
    assert shown["Tokenizer"] == "BertTokenizer" and shown["Vocabulary"] == "28,996 tokens"
    assert shown["Max length"] == "512 tokens" and "`##`" in shown["Sub-words"]
    assert "`Ġ`" in embeds.subword_note("GPT2Tokenizer", ["Using", "Ġa", "ĠTransformer"])
    assert "`▁`" in embeds.subword_note("MarianTokenizer", ["▁Ce", "▁cours"])
