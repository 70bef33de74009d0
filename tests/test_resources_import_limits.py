"""``/resources import`` of untrusted files: parsed off the event loop, within size, depth and
alias limits, each refusal one ephemeral sentence. Through the real bot and the Discord double
(files uploaded as attachments), plus the parser itself on the same inputs."""

from __future__ import annotations

import asyncio
import importlib
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

import cogs.resources._files as files
from bot.errors import UserFacingError
from bot.local.session import LocalSession
from cogs.resources._files import ALIASES, MAX_DEPTH, TOO_DEEP, parse_resource_file

# 396 bytes that safe_load expands to 9**9 (387 million) list items: the "billion laughs".
ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9 if previous else ['lol'] * 9)}]\n"
    for previous, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True)
).encode()
DEEP = 100_000  # far past Python's recursion limit


def _entries(count: int, description: str = "") -> list[dict[str, Any]]:
    return [
        {
            "title": f"Notebook {number}",
            "url": f"https://example.org/notebooks/{number}",
            "category": "course",
            "description": description,
            "tags": ["notebook", f"week {number % 9 + 1}"],
        }
        for number in range(count)
    ]


REFUSED = [
    pytest.param("bomb.yaml", ALIAS_BOMB, ALIASES, id="yaml-alias-bomb"),
    pytest.param(
        "anchored.yaml",
        b"- &first {title: a, url: 'https://a.org', category: course}\n",
        ALIASES,
        id="yaml-anchor",
    ),
    pytest.param(
        "merge.yml", b"- &base {category: course}\n- {<<: *base, title: b}\n", ALIASES, id="yaml-merge-key"
    ),
    pytest.param("deep.json", b"[" * DEEP + b"]" * DEEP, TOO_DEEP, id="json-deeper-than-the-recursion-limit"),
    pytest.param("deep.yaml", b"[" * DEEP + b"]" * DEEP, TOO_DEEP, id="yaml-flow-deeper-than-libyaml"),
    pytest.param(
        "block.yaml",
        "".join("  " * level + "-\n" for level in range(MAX_DEPTH + 1)).encode(),
        TOO_DEEP,
        id="yaml-block-one-past-the-limit",
    ),
    pytest.param(
        "one-past.json",
        b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
        TOO_DEEP,
        id="json-one-past-the-limit",
    ),
    pytest.param("list.txt", b'{"resources": ' + b"[" * 50 + b"]" * 50 + b"}", TOO_DEEP, id="no-extension"),
    pytest.param(
        "digits.json", b"[" + b"7" * 5000 + b"]", "a number too long to read", id="json-huge-integer"
    ),
    pytest.param("digits.yaml", b"- " + b"7" * 5000, "a number too long to read", id="yaml-huge-integer"),
    pytest.param("big.json", b" " * (1024 * 1024 + 1), "the limit is 1024 KB", id="over-the-size-limit"),
]


@pytest.mark.parametrize(("name", "data", "sentence"), REFUSED)
async def test_a_hostile_file_is_refused_with_one_sentence(
    session: LocalSession, tmp_path: Path, name: str, data: bytes, sentence: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    refused = await session.run(f"/resources import file:{path}", moderator=True)
    assert refused.reply.ephemeral
    assert sentence in refused.reply.content, refused.reply.content
    assert "went wrong" not in refused.reply.content
    assert session.bot is not None
    async with session.bot.db.execute("SELECT COUNT(*) FROM resources") as cursor:
        assert (await cursor.fetchone())[0] == 0


@pytest.mark.parametrize(("name", "data", "sentence"), REFUSED)
def test_the_parser_refuses_the_same_files(name: str, data: bytes, sentence: str) -> None:
    with pytest.raises(UserFacingError) as refused:
        parse_resource_file(name, data)
    assert sentence in refused.value.message


def test_nesting_up_to_the_limit_and_an_export_are_accepted() -> None:
    inner = {"title": "a"}
    for _ in range(MAX_DEPTH - 2):
        inner = [inner]  # type: ignore[assignment]
    assert files.nesting([inner]) == MAX_DEPTH
    text = yaml.safe_dump([inner]).encode()
    assert parse_resource_file("deep.yaml", text) == [inner]
    # An export with the same tags list twice still writes it out in full (no anchor for import to refuse).
    tags = ["shared"]
    document = {"resources": [{"title": "a", "tags": tags}, {"title": "b", "tags": tags}]}
    text = yaml.dump(document, Dumper=files._ExportDumper).encode()
    assert b"&" not in text and parse_resource_file("x.yaml", text) == document["resources"]


async def test_the_bot_answers_other_commands_while_a_large_file_parses(
    session: LocalSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await session.run(
        "/resources add title:Model hub url:https://huggingface.co/models category:libraries", moderator=True
    )
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump({"resources": _entries(500, "A long description. " * 45)}))
    assert 400_000 < path.stat().st_size < files.MAX_FILE_BYTES

    # Hold the parse half-way (the file checked, not built yet) until the other command is answered.
    # (The module the running bot uses: each bot start imports its extensions' modules afresh.)
    loaded = importlib.import_module("cogs.resources._files")
    checked, release = threading.Event(), threading.Event()
    real_check = loaded._check_yaml_events

    def check_then_hold(text: str) -> None:
        real_check(text)
        checked.set()
        if not release.wait(timeout=60):  # on the event loop this would freeze the test: fail instead
            raise AssertionError("the parse was never released")

    monkeypatch.setattr(loaded, "_check_yaml_events", check_then_hold)
    importing = await session.launch(f"/resources import file:{path}", moderator=True)
    assert await asyncio.to_thread(checked.wait, 60), "the parse never started"
    listed = await session.run("/resources list")
    assert not release.is_set()  # answered while the file was still being parsed
    assert "Model hub" in str(listed.reply.embeds)
    release.set()
    done = await session.finish(importing)
    assert done.original is not None
    assert done.original.embeds[0]["title"] == "Import of big.yaml: 500 added"
