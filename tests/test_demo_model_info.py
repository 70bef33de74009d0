"""/model info: checkpoint, architecture family, size, languages, card link, bias note."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.inference.catalog import Catalog, ResolvedModel
from bot.inference.tiny import TINY_LABEL, tiny_model_dir
from bot.local.session import LocalSession
from cogs._live.presenters import presenter_for
from cogs.demos._model_info import (
    STANDARD_BIAS_NOTE,
    bias_section,
    family_of,
    gather_facts,
    model_info_embed,
    safetensors_parameters,
)

CARD = """---
license: apache-2.0
---
# GPT-2

Some intro.

## Limitations and bias

The training data contains a lot of <b>unfiltered</b> content from the internet.
It reproduces its biases.

## Training data

WebText.
"""


def fields_of(embed: dict) -> dict[str, str]:
    return {field["name"]: field["value"] for field in embed.get("fields", [])}


@pytest.mark.parametrize(
    ("line", "checkpoint", "family", "languages"),
    [
        ("/model info task:text-generation", "openai-community/gpt2", "Decoder", "en"),
        (
            "/model info model:oliverguhr/german-sentiment-bert",
            "oliverguhr/german-sentiment-bert",
            "Encoder",
            "de",
        ),
        ("/model info task:summarization", "sshleifer/distilbart-cnn-12-6", "Encoder-decoder", "en"),
        ("/model info task:translation", "Helsinki-NLP/opus-mt-fr-en", "Encoder-decoder", "fr, en"),
    ],
)
async def test_model_info_describes_the_checkpoint(
    session: LocalSession, line: str, checkpoint: str, family: str, languages: str
) -> None:
    exchange = await session.run(line)
    (embed,) = exchange.reply.embeds
    fields = fields_of(embed)
    assert fields["Checkpoint"] == f"`{checkpoint}`"
    assert embed["url"] == f"https://huggingface.co/{checkpoint}"  # the model card
    assert f"[Model card](https://huggingface.co/{checkpoint})" in fields["Links"]
    assert fields["Languages"] == languages
    (architecture,) = [name for name in fields if name.startswith("Architecture: ")]
    assert fields[architecture].startswith(family + " (") and "Suits" in fields[architecture]
    assert "parameters" in fields["Size"] and "small offline stand-in" in fields["Size"]
    assert fields["Bias and limitations"].startswith(STANDARD_BIAS_NOTE)  # tiny models have no card
    assert TINY_LABEL in embed["footer"]["text"]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("/model info", "Give either a `task`"),
        ("/model info task:ner model:dslim/bert-base-NER", "Give either a `task`"),
        ("/model info model:someone/evil-model", "not in the model catalog"),
    ],
)
async def test_model_info_refuses_unclear_requests(session: LocalSession, line: str, says: str) -> None:
    exchange = await session.run(line)
    assert exchange.reply.ephemeral and says in exchange.reply.content


def test_family_of_reads_the_config() -> None:
    assert family_of({"is_encoder_decoder": True, "architectures": ["BartForConditionalGeneration"]}) == (
        "encoder-decoder"
    )
    assert family_of({"architectures": ["GPT2LMHeadModel"]}) == "decoder"
    assert family_of({"architectures": ["LlamaForCausalLM"]}) == "decoder"
    assert family_of({"architectures": ["BertForTokenClassification"]}) == "encoder"


def test_the_bias_section_is_read_from_the_card() -> None:
    note = bias_section(CARD)
    assert note is not None
    assert note.startswith("The training data contains a lot of unfiltered content")  # HTML tags gone
    assert "WebText" not in note  # stops at the next heading of the same level
    assert bias_section("# A card\n\nNo such section.") is None
    long = bias_section("## Bias\n\n" + "word " * 500)
    assert long is not None and len(long) <= 700 and long.endswith("…")


def test_facts_come_from_local_files_and_the_card(tiny_dir: Path, tmp_path: Path) -> None:
    """A downloaded (non-tiny) checkpoint: parameters from the safetensors header, bias from its card."""
    from transformers import AutoModelForCausalLM

    source = tiny_model_dir(tiny_dir, "text-generation")
    local = tmp_path / "gpt2"
    local.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(source / name, local / name)
    (local / "README.md").write_text(CARD)
    entry = Catalog.load().default("text-generation")
    facts = gather_facts(ResolvedModel(ref=str(local), entry=entry, tiny=False), None)
    parameters = AutoModelForCausalLM.from_pretrained(source).num_parameters()
    assert facts.parameters == safetensors_parameters(local / "model.safetensors") == parameters
    assert facts.family == "decoder" and facts.architecture == "GPT2LMHeadModel"
    assert facts.bias_note is not None and "reproduces its biases" in facts.bias_note
    embed = model_info_embed(facts, presenter_for("text-generation").learn_more).to_dict()
    fields = fields_of(embed)
    assert fields["Bias and limitations"].startswith("The training data contains")
    assert "tiny" not in fields["Size"] and "footer" not in embed


def test_a_model_not_downloaded_says_so(tmp_path: Path) -> None:
    entry = Catalog.load().default("ner")
    facts = gather_facts(ResolvedModel(ref=str(tmp_path), entry=entry, tiny=False), None)
    assert not facts.available and facts.parameters is None
    fields = fields_of(model_info_embed(facts, presenter_for("ner").learn_more).to_dict())
    assert "Not downloaded here yet" in fields["Architecture"]
    assert fields["Size"] == f"about {entry.size_mb:,.0f} MB"
    assert fields["Bias and limitations"].startswith(STANDARD_BIAS_NOTE)
