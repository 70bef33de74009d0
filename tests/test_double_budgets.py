"""The 6,000-character budget: the shared helper, and the builders that broke it with long inputs
(/tokenize with an ordinary paragraph, /homework list with many long titles, /resources search)."""

from __future__ import annotations

from datetime import timedelta

import discord

from bot.clock import utc
from bot.db.homework import Homework
from bot.db.resources import Resource
from bot.embeds import EMBED_TOTAL, embed_size, fit, total_size
from bot.local.rules import check_message
from cogs._live.presenter import Finished, ResultMeta
from cogs._live.presenters.tokenize import TokenizePresenter, tokenize_embed
from cogs.homework._embeds import list_embed as homework_list
from cogs.resources._embeds import PAGE_SIZE, search_embed
from cogs.resources._embeds import list_embed as resource_list
from tests.support.maximal import filler, long_url

NOW = utc(2031, 3, 17, 9)


def valid(*embeds: discord.Embed) -> bool:
    return check_message({"embeds": [embed.to_dict() for embed in embeds]}) == []


def test_embeds_that_fit_are_left_alone() -> None:
    embed = discord.Embed(title="t", description="d" * 5000)
    embed.add_field(name="n", value="v" * 998)
    assert embed_size(embed) == EMBED_TOTAL
    assert fit([embed]) is None
    assert len(embed.fields) == 1 and embed.footer.text is None


def test_trailing_fields_move_out_and_the_footer_says_so() -> None:
    first = discord.Embed(title="First", description="d" * 2000)
    second = discord.Embed(title="Second", description="e" * 1000)
    second.set_footer(text="model: x")
    for number in range(4):
        second.add_field(name=f"Field {number}", value=str(number) * 1000)
    moved = fit([first, second])
    assert moved is not None
    assert [name for name, _ in moved.fields] == ["Field 2", "Field 3"]  # in their order
    assert [field.name for field in second.fields] == ["Field 0", "Field 1"]
    assert second.footer.text == "model: x · 2 more in the attached file"
    assert total_size([first, second]) <= EMBED_TOTAL and valid(first, second)
    assert moved.text().startswith("Field 2\n" + "2" * 1000)


def test_descriptions_are_cut_when_no_field_is_left() -> None:
    embeds = [discord.Embed(description="a" * 4000), discord.Embed(description="b" * 4000)]
    moved = fit(embeds, note="{count} cut")
    assert moved is not None and moved.descriptions
    assert total_size(embeds) <= EMBED_TOTAL and valid(*embeds)
    assert "… (cut)" in (embeds[0].description or "") + (embeds[1].description or "")


async def test_tokenize_with_an_ordinary_paragraph_fits_and_attaches_the_rest() -> None:
    paragraph = filler(1000)
    words = paragraph.split()
    result = {
        "tokens": [f"##{word[:6]}" for word in words for _ in range(3)],
        "input_ids": list(range(1000, 1000 + 3 * len(words))),
        "token_type_ids": [0] * (3 * len(words)),
        "attention_mask": [1] * (3 * len(words)),
        "decoded": "[CLS] " + paragraph + " [SEP]",
        "tokenizer_class": "BertTokenizerFast",
        "vocab_size": 30522,
        "model_max_length": 512,
    }
    meta = ResultMeta("Tokenizer", "bert-base-cased", True, 0.1, "https://huggingface.co/learn")
    done = Finished(meta, paragraph, result, {})
    plain = tokenize_embed(done)
    assert embed_size(plain) > EMBED_TOTAL  # what Discord refused before the budget
    shown = await TokenizePresenter().present(done, "key")
    embed = shown.embed
    assert embed_size(embed) <= EMBED_TOTAL and valid(embed)
    assert [file.filename for file in shown.files] == ["output.txt"]
    attached = shown.files[0].fp.read().decode()
    assert "input_ids\n" + ", ".join(map(str, result["input_ids"])) in attached  # the full lists
    assert "in the attached file" in (embed.footer.text or "")
    assert embed.fields[0].name.startswith("Tokens (")  # what matters most stays in the message


def homework(number: int, week: int) -> Homework:
    return Homework(
        number, 1, week, f"{number:02d} " + filler(97, number), filler(2000), NOW + timedelta(days=9),
        True, True, "open", 2, 3, 4,
    )  # fmt: skip


def test_homework_list_with_many_long_titles_fits() -> None:
    items = [homework(number, 1 + number % 8) for number in range(60)]
    embed = homework_list(items, {}, NOW, None)
    assert total_size([embed]) <= EMBED_TOTAL and valid(embed)
    assert "more weeks: pick one with /homework list week:" in (embed.footer.text or "")
    one_week = homework_list([item for item in items if item.week == 1], {}, NOW, 1)
    assert valid(one_week) and "…and" in (one_week.fields[0].value or "")


def resource(number: int) -> Resource:
    tags = tuple(f"tag{number:02d}{'x' * 25}{tag}" for tag in range(10))
    title = f"{number:02d} transformers " + filler(84, number)
    return Resource(number, 1, title, long_url(512), "course", filler(1000), tags, 5, "", "")


def test_resource_search_over_long_resources_fits() -> None:
    embed = search_embed("t" * 100, [resource(number) for number in range(10)])
    assert total_size([embed]) <= EMBED_TOTAL and valid(embed)
    assert "more matches: add words to narrow the search" in (embed.footer.text or "")


def test_a_full_page_of_the_longest_resources_shows_every_entry() -> None:
    embed = resource_list([resource(number) for number in range(PAGE_SIZE * 2)], 0, None)
    assert len(embed.fields) == PAGE_SIZE  # nothing moved out: the pager would skip it
    assert total_size([embed]) <= EMBED_TOTAL and valid(embed)
