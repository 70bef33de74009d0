"""/architecture: the guide's data, its links, and a working demo button for every catalog checkpoint."""

from __future__ import annotations

import pytest

from bot.inference.catalog import Catalog
from bot.inference.pool import InferencePool
from bot.inference.tasks import TASKS
from bot.inference.tiny import TINY_LABEL
from bot.local.session import LocalSession
from bot.settings import Settings
from cogs._live.presenters import presenter_for
from cogs.teaching._architecture_data import (
    ATTENTION_TASK,
    GuideError,
    demo_choices,
    load_guide,
    parse_guide,
)
from cogs.teaching._architecture_views import MAX_BUTTONS

FAMILIES = ("encoder", "decoder", "encoder-decoder")


def test_the_guide_covers_the_course_families_and_tasks() -> None:
    guide = load_guide()
    assert tuple(family.key for family in guide.families) == FAMILIES
    attention = {family.key: family.attention.lower() for family in guide.families}
    assert "bidirectional" in attention["encoder"]
    assert "masked" in attention["decoder"]
    assert "cross-attention" in attention["encoder-decoder"]
    names = {task.key: {c.name for c in task.checkpoints} for task in guide.tasks}
    assert {"DistilBERT SST-2", "RoBERTa Twitter sentiment"} <= names["classification"]
    assert {"BART large CNN", "Pegasus XSum"} <= names["summarization"]
    assert any("MarianMT" in name for name in names["translation"])
    assert "BART large MNLI" in names["zero-shot"] and "GPT-2" in names["generation"]
    for task in guide.tasks:
        assert task.demo in TASKS and task.command.startswith("/")
        assert task.course_url.startswith("https://huggingface.co/learn/llm-course/")
        for checkpoint in task.checkpoints:
            assert checkpoint.url == f"https://huggingface.co/{checkpoint.id}" and "/" in checkpoint.id


def test_a_broken_guide_is_refused() -> None:
    good = {
        "families": [
            {
                "key": "decoder",
                "name": "Decoder",
                "attention": "masked",
                "summary": "s",
                "good_at": "g",
                "examples": "e",
                "course_url": "u",
                "tasks": ["generation"],
            }
        ],
        "tasks": [
            {
                "key": "generation",
                "name": "Generation",
                "family": "decoder",
                "demo": "text-generation",
                "command": "/generate",
                "course_url": "u",
                "sample": {"text": "Hi"},
                "checkpoints": [{"name": "GPT-2", "id": "openai-community/gpt2"}],
            }
        ],
    }
    assert parse_guide(good).task("generation") is not None
    broken = {**good, "tasks": [{**good["tasks"][0], "demo": "dancing"}]}
    with pytest.raises(GuideError, match="unknown demo"):
        parse_guide(broken)
    with pytest.raises(GuideError, match="missing"):
        parse_guide({"families": []})


def test_every_catalog_checkpoint_gets_a_button_and_the_rest_are_links() -> None:
    guide, catalog = load_guide(), Catalog.load()
    for family in guide.families:
        choices = demo_choices(guide, catalog, family=family)
        assert 0 < len(choices) <= MAX_BUTTONS
        wanted = {
            (task.demo, c.id)
            for task in guide.tasks_of(family)
            for c in task.checkpoints
            if any(entry.id == c.id for entry in catalog.entries(task.demo))
        }
        assert wanted <= {(choice.task, choice.model) for choice in choices}
        for choice in choices:
            assert len(f"arch:try:{choice.task}:{choice.model}") <= 100
            assert len(choice.label) <= 80 and choice.sample
    encoder = guide.family("encoder")
    assert encoder is not None
    assert (ATTENTION_TASK, "google-bert/bert-base-uncased") in {
        (c.task, c.model) for c in demo_choices(guide, catalog, family=encoder)
    }


def prefilled(modal: dict) -> dict[str, str]:
    """What Discord sends back for an untouched form: each text input's prefilled value."""
    values = {}
    for row in modal["components"]:
        for item in [row] if row.get("type") == 18 else row.get("components") or []:
            inner = item.get("component", item)
            values[inner["custom_id"]] = inner.get("value") or ""
    return values


def buttons(message) -> list[tuple[str, str, str]]:
    """(label, demo task, model) of every Try button."""
    found = []
    for row in message.components:
        for item in row["components"]:
            if item.get("custom_id", "").startswith("arch:try:"):
                task, model = item["custom_id"].removeprefix("arch:try:").split(":", 1)
                found.append((item["label"], task, model))
    return found


@pytest.mark.parametrize("option", [f"family:{key}" for key in FAMILIES] + ["task:summarization"])
async def test_every_try_button_opens_its_form_and_runs_the_demo(
    settings: Settings, shared_pool: InferencePool, option: str
) -> None:
    relaxed = settings.replace(demo_rate=(1000, 1.0))
    async with LocalSession(relaxed, backend=shared_pool, fail_on_errors=True) as local:
        guide = await local.run(f"/architecture {option}")
        (embed,) = guide.reply.embeds
        assert "https://huggingface.co/" in str(embed["fields"])
        found = buttons(guide.reply)
        assert found, "no demo buttons"
        link = [c for row in guide.reply.components for c in row["components"] if c.get("url")]
        assert link and link[0]["label"] == "Learn more"
        for label, task, model in found:
            opened = await local.click(guide.reply, label)
            assert opened.modal is not None, label
            values = prefilled(opened.modal)
            assert any(values.values()), (label, opened.modal)
            submitted = await local.submit(opened, values)  # the prefilled sample, as it is
            result = submitted.reply
            assert not result.ephemeral, (label, result.content)
            (shown,) = result.embeds
            assert shown["title"] == presenter_for(task).title
            assert shown["footer"]["text"].startswith(f"model: {model} ·"), (label, shown["footer"])
            assert TINY_LABEL in shown["footer"]["text"], (label, shown)
            if label.startswith("See "):
                assert result.attachments and result.attachments[0]["filename"] == "attention.png"


async def test_the_overview_and_bad_choices(session: LocalSession) -> None:
    overview = await session.run("/architecture")
    names = [field["name"] for field in overview.reply.embeds[0]["fields"]]
    assert len(names) == 3 and names[0].startswith("Encoder")
    both = await session.run("/architecture family:encoder task:ner")
    assert both.reply.ephemeral and "either" in both.reply.content
    wrong = await session.run("/architecture family:convolutional")
    assert wrong.reply.ephemeral and "encoder, decoder, encoder-decoder" in wrong.reply.content
    choices = await session.autocomplete("/architecture task:summ", "task")
    assert [choice["value"] for choice in choices] == ["summarization"]
