"""A summary or translation of a text longer than the model reads says how much it read (issue 15,
"Inputs cut without telling"): the engine reports the tokens it kept, the result says so."""

from __future__ import annotations

import re
from pathlib import Path

from bot.local.session import Exchange, LocalSession
from cogs._live.presenters.seq2seq import SummarizationPresenter

ARTICLE = (
    "America has changed dramatically during recent years. The number of engineering graduates in the "
    "U.S. has declined in traditional engineering disciplines such as mechanical, civil and electrical. "
)
FRENCH = "Le groupe d'étude se réunit chaque jeudi soir pour lire un chapitre du cours ensemble. "
NOTE = "Only the start was read"


def fields(exchange: Exchange) -> dict[str, str]:
    return {field["name"]: field["value"] for field in exchange.reply.embeds[0]["fields"]}


def characters_read(note: str) -> tuple[int, int, int, int]:
    """(characters read, characters given, tokens read, tokens given) from the note."""
    match = re.search(
        r"first ~([\d,]+) of ([\d,]+) characters: the model reads ([\d,]+) tokens, and this text is ([\d,]+)",
        note,
    )
    assert match, note
    read, given, kept, tokens = (int(group.replace(",", "")) for group in match.groups())
    return read, given, kept, tokens


async def test_a_long_file_is_summarized_from_its_start_and_says_so(
    session: LocalSession, tmp_path: Path
) -> None:
    long = tmp_path / "article.txt"
    long.write_text((ARTICLE * 40)[:7000])
    exchange = await session.run(f"/summarize file:{long}")
    shown = fields(exchange)
    assert shown["Summary"] and NOTE in shown
    read, given, kept, tokens = characters_read(shown[NOTE])
    assert shown[NOTE].startswith("✂️ Summarized the first ~")
    assert given == 7000 and kept == 1024 < tokens and 0 < read < given  # the tiny BART reads 1,024
    assert abs(read - given * kept / tokens) <= 50  # what the model kept, in characters, about
    short = await session.run(f"/summarize text:{ARTICLE}", user="Linus")
    assert NOTE not in fields(short)


async def test_a_long_translation_says_what_it_translated(session: LocalSession) -> None:
    text = (FRENCH * 30)[:2000]
    exchange = await session.run(f"/translate text:{text}")
    shown = fields(exchange)
    assert shown["Translation"] and shown[NOTE].startswith("✂️ Translated the first ~")
    _read, given, kept, tokens = characters_read(shown[NOTE])
    assert given == 2000 and kept == 512 < tokens
    short = await session.run(f"/translate text:{FRENCH}", user="Linus")
    assert NOTE not in fields(short)


def test_the_note_rounds_what_was_read() -> None:
    presenter = SummarizationPresenter()
    note = presenter.truncation_note("x" * 7000, {"input_tokens": 3360, "kept_tokens": 1024})
    assert note is not None and "the first ~2,100 of 7,000 characters" in note
    assert "reads 1,024 tokens, and this text is 3,360" in note
    assert presenter.truncation_note("x" * 10, None) is None
