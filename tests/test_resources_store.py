"""ResourceStore, validation, search ranking and the import/export files, without Discord."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest
import yaml

from bot.db import apply_migrations, audit, open_database
from bot.db.resources import (
    Resource,
    ResourceDraft,
    ResourceStore,
    check_category,
    check_url,
    parse_tags,
    url_key,
)
from bot.errors import UserFacingError
from cogs.resources._cog import starter_entries
from cogs.resources._files import export_resources, parse_resource_file
from cogs.resources._search import only_small_words, rank, score, words

GUILD_A, GUILD_B, MOD = 111, 222, 7


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[aiosqlite.Connection]:
    connection = await open_database(tmp_path / "store.sqlite3")
    await apply_migrations(connection)
    yield connection
    await connection.close()


def draft(
    title: str, url: str, category: str = "course", description: str = "", tags: str = ""
) -> ResourceDraft:
    return ResourceDraft.build(title=title, url=url, category=category, description=description, tags=tags)


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/file", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("huggingface.co/models", "http:// or https://"),
        ("https://", "no host name"),
        ("https://localhost/x", "no host name"),
        ("https://example.com/a b", "spaces"),
        ("https://example.com:99999/", "not a valid web address"),
        ("https://example.com/" + "a" * 600, "the limit is 512"),
        ("   ", "empty"),
    ],
)
def test_bad_urls_are_refused_with_a_reason(url: str, reason: str) -> None:
    with pytest.raises(UserFacingError, match=reason):
        check_url(url)


def test_good_urls_are_kept_and_normalised_for_duplicates() -> None:
    assert check_url("  https://huggingface.co/models  ") == "https://huggingface.co/models"
    assert url_key("http://WWW.HuggingFace.co/models/") == url_key("https://huggingface.co/models")
    assert url_key("https://huggingface.co:443/models#top") == url_key("https://huggingface.co/models")
    assert url_key("https://huggingface.co/models?a=1") != url_key("https://huggingface.co/models?a=2")


def test_unknown_category_suggests_the_nearest_known_ones() -> None:
    assert check_category(" Course ") == "course"
    with pytest.raises(UserFacingError, match=r"Did you mean \*\*course\*\*"):
        check_category("cours")
    with pytest.raises(UserFacingError, match="Categories: setup, course, fastai"):
        check_category("zzzz")


def test_tags_are_tidied_and_bounded() -> None:
    assert parse_tags(" NLP, #beginner ,nlp,, hugging face") == ("nlp", "beginner", "hugging face")
    assert parse_tags(["A", "b"]) == ("a", "b")
    with pytest.raises(UserFacingError, match="at most 10"):
        parse_tags(",".join(f"t{i}" for i in range(11)))
    with pytest.raises(UserFacingError, match="longer than 32"):
        parse_tags("x" * 40)
    with pytest.raises(UserFacingError, match="may only hold"):
        parse_tags("<@123>")


def test_titles_and_descriptions_respect_discord_limits() -> None:
    with pytest.raises(UserFacingError, match="limit is 100"):
        draft("t" * 101, "https://example.com")
    with pytest.raises(UserFacingError, match="limit is 1000"):
        draft("t", "https://example.com", description="d" * 1001)
    assert draft("  spaced   out  ", "https://example.com").title == "spaced out"


# --- the store ---------------------------------------------------------------------------------


async def test_add_refuses_duplicate_links_and_titles_naming_the_existing_entry(
    db: aiosqlite.Connection,
) -> None:
    store = ResourceStore(db)
    saved = await store.add(GUILD_A, draft("Model hub", "https://huggingface.co/models"), user_id=MOD)
    assert saved.id and saved.category == "course"
    with pytest.raises(UserFacingError, match=r"already saved as \*\*Model hub\*\*"):
        await store.add(GUILD_A, draft("Hub again", "http://www.huggingface.co/models/"), user_id=MOD)
    with pytest.raises(UserFacingError, match=r"already a resource called \*\*Model hub\*\*"):
        await store.add(GUILD_A, draft("model HUB", "https://example.com"), user_id=MOD)
    assert await store.count(GUILD_A) == 1
    entries = await audit.recent(db, GUILD_A)
    assert [entry.action for entry in entries] == ["resources.add"]


async def test_one_server_cannot_read_or_change_anothers_resources(db: aiosqlite.Connection) -> None:
    store = ResourceStore(db)
    mine = await store.add(GUILD_A, draft("Course", "https://huggingface.co/learn"), user_id=MOD)
    # The same link may be saved by another server: duplicates are per server.
    theirs = await store.add(GUILD_B, draft("Course", "https://huggingface.co/learn"), user_id=MOD)
    assert mine.id != theirs.id
    assert [r.id for r in await store.find(GUILD_B)] == [theirs.id]
    assert await store.get(GUILD_B, mine.id) is None
    assert (await store.by_title(GUILD_B, "Course")).id == theirs.id  # type: ignore[union-attr]
    assert await store.remove(GUILD_B, mine.id, user_id=MOD) is None
    with pytest.raises(UserFacingError, match="no longer exists"):
        await store.update(GUILD_B, mine.id, user_id=MOD, title="Hijacked")
    with pytest.raises(UserFacingError, match="no longer exists"):
        await store.move(GUILD_B, mine.id, "tools", user_id=MOD)
    still = await store.get(GUILD_A, mine.id)
    assert still == mine
    assert [e.action for e in await audit.recent(db, GUILD_A)] == ["resources.add"]


async def test_update_move_and_remove_are_audited(db: aiosqlite.Connection) -> None:
    store = ResourceStore(db)
    saved = await store.add(GUILD_A, draft("Blurr", "https://github.com/ohmeow/blurr"), user_id=MOD)
    other = await store.add(GUILD_A, draft("AdaptNLP", "https://github.com/Novetta/adaptnlp"), user_id=MOD)
    edited = await store.update(
        GUILD_A, saved.id, user_id=MOD, description="fastai + transformers", tags=("x",)
    )
    assert edited.description == "fastai + transformers" and edited.tags == ("x",) and edited.title == "Blurr"
    with pytest.raises(UserFacingError, match="AdaptNLP"):
        await store.update(GUILD_A, saved.id, user_id=MOD, url="https://github.com/Novetta/adaptnlp/")
    moved = await store.move(GUILD_A, saved.id, "libraries", user_id=MOD)
    assert moved.category == "libraries"
    assert (await store.remove(GUILD_A, other.id, user_id=MOD)) == other
    assert await store.remove(GUILD_A, other.id, user_id=MOD) is None
    actions = [e.action for e in await audit.recent(db, GUILD_A)]
    assert actions == [
        "resources.remove",
        "resources.move",
        "resources.edit",
        "resources.add",
        "resources.add",
    ]


async def test_import_is_all_or_nothing(db: aiosqlite.Connection) -> None:
    store = ResourceStore(db)
    await store.add(GUILD_A, draft("Model hub", "https://huggingface.co/models"), user_id=MOD)
    entries = [
        {"title": "Blurr", "url": "https://github.com/ohmeow/blurr", "category": "libraries"},
        {"title": "Hub copy", "url": "https://huggingface.co/models/", "category": "tools"},
        {"title": "Bad", "url": "ftp://nope.example.com", "category": "tools"},
        {"title": "Blurr twice", "url": "https://github.com/ohmeow/blurr", "category": "libraries"},
        "not an object",
    ]
    report = await store.import_entries(GUILD_A, entries, user_id=MOD, source="x.json")
    assert not report.written
    assert report.added == ["Blurr"]
    assert [title for title, _ in report.skipped] == ["Hub copy", "Blurr twice"]
    assert "Model hub" in report.skipped[0][1]
    assert [label for label, _ in report.rejected] == ["entry 3 ('Bad')", "entry 5"]
    assert "http:// or https://" in report.rejected[0][1]
    assert await store.count(GUILD_A) == 1  # nothing landed

    partial = await store.import_entries(GUILD_A, entries, user_id=MOD, source="x.json", skip_invalid=True)
    assert partial.written and partial.added == ["Blurr"]
    assert await store.count(GUILD_A) == 2
    assert (await audit.recent(db, GUILD_A))[0].action == "resources.import"


async def test_an_import_that_fails_half_way_leaves_nothing_behind(
    db: aiosqlite.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = ResourceStore(db)
    entries = [
        {"title": f"Link {n}", "url": f"https://example.com/{n}", "category": "tools"} for n in range(5)
    ]

    async def broken_audit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken_audit)
    with pytest.raises(RuntimeError, match="disk full"):
        await store.import_entries(GUILD_A, entries, user_id=MOD, source="x.json")
    assert await store.count(GUILD_A) == 0
    assert not db.in_transaction


async def test_the_starter_pack_is_valid_and_idempotent(db: aiosqlite.Connection) -> None:
    store = ResourceStore(db)
    entries = starter_entries()
    first = await store.import_entries(GUILD_A, entries, user_id=MOD, source="starter pack")
    assert first.written and not first.rejected and not first.skipped
    assert len(first.added) == len(entries) >= 20
    second = await store.import_entries(GUILD_A, entries, user_id=MOD, source="starter pack")
    assert not second.written and second.added == [] and len(second.skipped) == len(entries)
    urls = {r.url for r in await store.find(GUILD_A)}
    for chapter in range(1, 5):
        assert f"https://huggingface.co/learn/llm-course/chapter{chapter}" in urls
    for needed in (
        "https://huggingface.co/models",
        "https://huggingface.co/docs/transformers/tokenizer_summary",
        "https://huggingface.co/blog/how-to-generate",
        "https://course.fast.ai/",
        "https://github.com/fastai/fastbook",
        "https://github.com/ohmeow/blurr",
        "https://python-poetry.org/docs/",
    ):
        assert needed in urls
    descriptions = " ".join(r.description for r in await store.find(GUILD_A))
    assert "pip install transformers[sentencepiece] datasets" in descriptions


# --- search ------------------------------------------------------------------------------------


def _resource(
    n: int, title: str, description: str = "", tags: tuple[str, ...] = (), category: str = "course"
) -> Resource:
    return Resource(n, GUILD_A, title, f"https://e.com/{n}", category, description, tags, MOD, "", "")


def test_search_is_case_insensitive_fuzzy_and_ranked() -> None:
    items = [
        _resource(1, "Summary of the tokenizers", "BPE, WordPiece and SentencePiece", ("tokenizers", "bpe")),
        _resource(2, "How to generate text", "decoding methods; mentions tokenizers once"),
        _resource(3, "Weights & Biases", "experiment tracking", ("wandb",), "tools"),
        _resource(4, "Tokenizers library", "fast tokenizers in Rust"),
    ]
    assert [r.id for r in rank("TOKENIZERS", items)][:2] in ([4, 1], [1, 4])
    assert rank("TOKENIZERS", items)[-1].id == 2  # a description hit ranks below title hits
    assert rank("tokenizr", items)[0].id in (1, 4)  # a typo still finds it
    assert [r.id for r in rank("wandb", items)] == [3]
    assert [r.id for r in rank("weights biases", items)] == [3]
    assert rank("quantum chromodynamics", items) == []
    assert rank("how to generate text", items)[0].id == 2
    assert len(rank("", items, limit=2)) == 2


def test_small_words_never_decide_the_ranking() -> None:
    items = [
        _resource(1, "How to generate text", "decoding methods with transformers"),
        _resource(2, "Setup: install the course libraries", "pip install transformers", ("setup",)),
        _resource(3, "Transformers documentation", "the library's reference", ("transformers",)),
        _resource(4, "What to read and what to watch", "a list of things to do and to see"),
    ]
    found = [r.id for r in rank("how to install transformers", items)]
    assert found[0] == 2  # both meaningful words, "install" in the title
    assert found.index(3) < found.index(1)  # a title and a tag beat a description
    assert 4 not in found  # it shares only "how", "to", "and", "what" with the query
    assert rank("and", items) == [] and rank("how to", items) == []
    assert only_small_words("and") and only_small_words(" How TO ") and not only_small_words("install")
    assert not only_small_words("")
    assert words("How to fine-tune BERT and c++") == ["fine-tune", "bert", "c++"]


def test_field_weights_title_over_tags_over_description() -> None:
    title = _resource(1, "Datasets", "")
    tag = _resource(2, "Hub library", "", ("datasets",))
    description = _resource(3, "Loading data", "with the datasets library")
    assert score("datasets", title) > score("datasets", tag) > score("datasets", description) > 0
    assert [r.id for r in rank("datasets", [description, tag, title])] == [1, 2, 3]
    assert rank("fine tuning", [_resource(5, "Fine-tuning a model")])[0].id == 5  # parts of a word
    assert rank("installation", [_resource(6, "Install guide")]) == []  # a longer word is not a prefix
    assert rank("install", [_resource(7, "Installation guide")])[0].id == 7  # a word it starts is


# --- files -------------------------------------------------------------------------------------


def test_export_round_trips_through_json_and_yaml() -> None:
    items = [_resource(1, "Course", "d", ("a", "b")), _resource(2, "@everyone ping?", "")]
    now = datetime(2030, 1, 2, 3, 4, tzinfo=UTC)
    for kind in ("json", "yaml"):
        name, data = export_resources(items, kind, guild_name="Study", now=now)
        assert name == f"resources-20300102-0304.{kind}"
        entries = parse_resource_file(name, data)
        assert entries == [item.as_export() for item in items]
    _, data = export_resources(items, "json", guild_name="Study", now=now)
    assert json.loads(data)["format"] == "studybot-resources"
    _, data = export_resources(items, "yaml", guild_name="Study", now=now)
    assert yaml.safe_load(data)["version"] == 1


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("x.json", b"{not json", "not valid JSON"),
        ("x.yaml", b"a: [1, 2", "not valid YAML"),
        ("x.json", b"", "empty"),
        ("x.json", b"[]", "lists no resources"),
        ("x.json", b'{"title": "x"}', "should hold a list"),
        ("x.json", b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_bad_files_are_explained(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(UserFacingError, match=reason):
        parse_resource_file(name, data)


def test_a_file_without_a_known_extension_is_read_as_json_or_yaml() -> None:
    assert parse_resource_file("list.txt", b'[{"title": "a"}]') == [{"title": "a"}]
    assert parse_resource_file("list.txt", b"- title: a\n") == [{"title": "a"}]
