"""Short model names through the bot: what a member types without picking a suggestion."""

from __future__ import annotations

import pytest

from bot.local.session import LocalSession


def checkpoint_of(footer: str) -> str:
    """``model: openai-community/gpt2 · 0.12 s …`` → the checkpoint."""
    return footer.split(" · ")[0].removeprefix("model: ")


@pytest.mark.parametrize(
    ("line", "checkpoint"),
    [
        ("/tokenize text:Using a Transformer network is simple model:gpt2", "openai-community/gpt2"),
        (
            "/sentiment text:I love this course model:distilbert-base-uncased-finetuned-sst-2-english",
            "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        ),
        ("/translate text:Ce cours est produit par Hugging Face. pair:fr-en", "Helsinki-NLP/opus-mt-fr-en"),
        ("/translate text:This course is produced by Hugging Face. pair:EN-FR", "Helsinki-NLP/opus-mt-en-fr"),
    ],
)
async def test_demos_accept_short_names_and_aliases(
    session: LocalSession, line: str, checkpoint: str
) -> None:
    exchange = await session.run(line)
    (embed,) = exchange.reply.embeds
    assert checkpoint_of(embed["footer"]["text"]) == checkpoint, embed


async def test_model_info_accepts_the_id_without_its_owner(session: LocalSession) -> None:
    exchange = await session.run("/model info model:bert-base-cased")
    (embed,) = exchange.reply.embeds
    fields = {field["name"]: field["value"] for field in embed["fields"]}
    assert fields["Checkpoint"] == "`google-bert/bert-base-cased`"


async def test_an_unknown_name_is_still_refused_with_the_choices(session: LocalSession) -> None:
    exchange = await session.run("/translate text:Bonjour pair:fr-ja")
    assert exchange.reply.ephemeral or "not in the model catalog" in str(exchange.reply.embeds)
    shown = exchange.reply.content or str(exchange.reply.embeds)
    assert "not in the model catalog" in shown and "French → English" in shown
