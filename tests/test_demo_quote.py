"""Quoted member text stays within its limit whatever line breaks it holds (issue 14): ``quote()``
splits lines as ``str.splitlines`` does and counts what each line costs the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.local.session import LocalSession
from cogs._live.text import quote

#: Every character str.splitlines() breaks on (and the two-character \r\n).
BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@pytest.mark.parametrize("brk", BREAKS, ids=[repr(b) for b in BREAKS])
def test_every_line_break_is_counted_as_it_is_split(brk: str) -> None:
    assert quote(f"first{brk}second", 100) == "> first\n> second"
    for text in (brk * 5000, "a" + brk * 5000, ("word" + brk) * 2000, brk.join(["x" * 30] * 400)):
        for limit in (1, 2, 3, 10, 1000, 1500, 4096):
            quoted = quote(text, limit)
            assert len(quoted) <= limit, (limit, len(quoted))
        cut = quote(text, 1500)
        assert cut.endswith("…") and cut.startswith(">")
        assert all(line.startswith("> ") for line in cut.split("\n"))


def test_a_text_that_fits_is_quoted_whole() -> None:
    text = "line one\r\nline two\u2028line three"
    assert quote(text, 100) == "> line one\n> line two\n> line three"
    assert quote("", 10) == "> "
    assert quote("**bold**", 100) == "> \\*\\*bold\\*\\*"


async def test_a_summarized_file_of_carriage_returns_stays_within_discords_limits(
    session: LocalSession, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_bytes(("Summary of the week\r" + "\r" * 6000).encode())
    exchange = await session.run(f"/summarize file:{text}")  # the double refuses any breach
    (embed,) = exchange.reply.embeds
    assert len(embed["description"]) <= 1500 and embed["description"].startswith("> Summary of the week")
    assert any(field["name"] == "Summary" for field in embed["fields"])


async def test_a_try_form_with_unicode_line_separators_stays_within_limits(session: LocalSession) -> None:
    guide = await session.run("/architecture task:classification")
    try_button = next(
        c["label"]
        for row in guide.reply.components
        for c in row["components"]
        if c.get("custom_id", "").startswith("arch:try:sentiment-analysis:")
    )
    opened = await session.click(guide.reply, try_button)
    assert opened.modal is not None
    (field,) = [
        (item.get("component") or item)["custom_id"]
        for row in opened.modal["components"]
        for item in ([row] if row.get("type") == 18 else row["components"])
    ]
    submitted = await session.submit(opened, {field: "Great course\u2028" + "\u2028" * 1900})
    (embed,) = submitted.reply.embeds
    assert len(embed["description"]) <= 1500 and embed["fields"][0]["name"] == "Label scores"
