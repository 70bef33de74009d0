"""The model catalog: the bundled file, resolving members' choices, refusing everything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import UserFacingError
from bot.inference.catalog import (
    TASK_NAMES,
    AmbiguousModelError,
    Catalog,
    CatalogEntry,
    CatalogError,
    UnknownModelError,
)

COURSE_DEFAULTS = {
    "sentiment-analysis": "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
    "zero-shot-classification": "facebook/bart-large-mnli",
    "text-generation": "openai-community/gpt2",
    "fill-mask": "distilbert/distilroberta-base",
    "ner": "dbmdz/bert-large-cased-finetuned-conll03-english",
    "question-answering": "distilbert/distilbert-base-cased-distilled-squad",
    "summarization": "sshleifer/distilbart-cnn-12-6",
    "translation": "Helsinki-NLP/opus-mt-fr-en",
    "tokenize": "google-bert/bert-base-cased",
    "attention": "google-bert/bert-base-uncased",
}
TINY = Path("/nonexistent/tiny")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_bundled_catalog_has_the_course_defaults(catalog: Catalog) -> None:
    assert {task: catalog.default(task).id for task in TASK_NAMES} == COURSE_DEFAULTS
    ids = {entry.id for entry in catalog.entries()}
    assert {
        "distilbert/distilgpt2",
        "oliverguhr/german-sentiment-bert",
        "google-bert/bert-base-uncased",
    } <= ids
    pairs = {entry.id for entry in catalog.entries("translation")}
    for pair in ("fr-en", "en-fr", "de-en", "en-de", "es-en"):
        assert f"Helsinki-NLP/opus-mt-{pair}" in pairs
    for entry in catalog.entries():
        assert entry.label and entry.languages and entry.size_mb > 0


def test_entries_of_a_task_list_the_default_first(catalog: Catalog) -> None:
    entries = catalog.entries("translation")
    assert entries[0].default and all(entry.task == "translation" for entry in entries)
    assert sum(entry.default for entry in entries) == 1


def test_resolve_default_label_and_id(catalog: Catalog) -> None:
    default = catalog.resolve("text-generation", None, profile="hub", tiny_dir=TINY)
    assert default.ref == "openai-community/gpt2" and not default.tiny
    by_label = catalog.resolve("text-generation", "distilgpt-2", profile="hub", tiny_dir=TINY)
    assert by_label.ref == "distilbert/distilgpt2" and by_label.entry.label == "DistilGPT-2"
    by_id = catalog.resolve("translation", "helsinki-nlp/opus-mt-de-en", profile="hub", tiny_dir=TINY)
    assert by_id.ref == "Helsinki-NLP/opus-mt-de-en"
    assert catalog.resolve("ner", "  ", profile="hub", tiny_dir=TINY).entry.default


def test_tiny_profile_resolves_every_task_to_its_tiny_directory(catalog: Catalog, tmp_path: Path) -> None:
    for task in TASK_NAMES:
        resolved = catalog.resolve(task, None, profile="tiny", tiny_dir=tmp_path)
        assert resolved.tiny
        assert Path(resolved.ref).parent == tmp_path
        assert resolved.entry == catalog.default(task)
    chosen = catalog.resolve("translation", "English → German", profile="tiny", tiny_dir=tmp_path)
    assert chosen.tiny and chosen.entry.id == "Helsinki-NLP/opus-mt-en-de"
    assert Path(chosen.ref) == tmp_path / "tiny-translation"


@pytest.mark.parametrize(
    ("task", "model"),
    [
        ("sentiment-analysis", "someone/evil-model"),
        ("sentiment-analysis", "/etc/passwd"),
        ("sentiment-analysis", "../../models/secret"),
        ("sentiment-analysis", "openai-community/gpt2"),  # in the catalog, but for another task
        ("translation", "Helsinki-NLP/opus-mt-ja-en"),
    ],
)
@pytest.mark.parametrize("profile", ["hub", "tiny"])
def test_models_outside_the_catalog_are_refused(
    catalog: Catalog, task: str, model: str, profile: str
) -> None:
    with pytest.raises(UnknownModelError) as raised:
        catalog.resolve(task, model, profile=profile, tiny_dir=TINY)
    assert isinstance(raised.value, UserFacingError)
    message = str(raised.value)
    assert task in message
    for entry in catalog.entries(task):
        assert entry.label in message


def test_tokenize_accepts_any_catalog_checkpoint(catalog: Catalog) -> None:
    resolved = catalog.resolve("tokenize", "facebook/bart-large-mnli", profile="hub", tiny_dir=TINY)
    assert resolved.ref == "facebook/bart-large-mnli"
    assert catalog.resolve("tokenize", "bert-base-uncased", profile="hub", tiny_dir=TINY).ref == (
        "google-bert/bert-base-uncased"
    )
    with pytest.raises(UnknownModelError):
        catalog.resolve("tokenize", "someone/else", profile="hub", tiny_dir=TINY)


@pytest.mark.parametrize(
    ("task", "typed", "expected"),
    [
        ("tokenize", "gpt2", "openai-community/gpt2"),  # the /help example: the id without its owner
        ("tokenize", "GPT2", "openai-community/gpt2"),
        ("tokenize", "gpt-2", "openai-community/gpt2"),  # an alias
        ("tokenize", "distilgpt2", "distilbert/distilgpt2"),  # another task's checkpoint, short
        (
            "sentiment-analysis",
            "distilbert-base-uncased-finetuned-sst-2-english",
            "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        ),
        ("sentiment-analysis", "SST-2", "distilbert/distilbert-base-uncased-finetuned-sst-2-english"),
        ("fill-mask", "bert-base-cased", "google-bert/bert-base-cased"),
        ("translation", "fr-en", "Helsinki-NLP/opus-mt-fr-en"),
        ("translation", "EN-FR", "Helsinki-NLP/opus-mt-en-fr"),
        ("translation", "de→en", "Helsinki-NLP/opus-mt-de-en"),
        ("translation", "opus-mt-en-es", "Helsinki-NLP/opus-mt-en-es"),
        ("translation", " french → english ", "Helsinki-NLP/opus-mt-fr-en"),  # the label
    ],
)
def test_short_names_labels_and_aliases_resolve(
    catalog: Catalog, task: str, typed: str, expected: str
) -> None:
    assert catalog.resolve(task, typed, profile="hub", tiny_dir=TINY).ref == expected


def test_a_name_shared_by_two_checkpoints_lists_both() -> None:
    def entry(model_id: str, label: str, **extra: object) -> CatalogEntry:
        return CatalogEntry(model_id, "ner", label, ("en",), 1.0, **extra)  # type: ignore[arg-type]

    others = [
        CatalogEntry(f"org/{task}", task, task, ("en",), 1.0, default=True)
        for task in TASK_NAMES
        if task != "ner"
    ]
    catalog = Catalog(
        [entry("alice/bert-ner", "Alice's", default=True), entry("bob/bert-ner", "Bob's"), *others]
    )
    with pytest.raises(AmbiguousModelError) as raised:
        catalog.resolve("ner", "BERT-NER", profile="hub", tiny_dir=TINY)
    assert "alice/bert-ner" in str(raised.value) and "bob/bert-ner" in str(raised.value)
    assert isinstance(raised.value, UnknownModelError)
    # The full id is never ambiguous.
    assert catalog.resolve("ner", "bob/bert-ner", profile="hub", tiny_dir=TINY).ref == "bob/bert-ner"


def test_lookup_finds_a_checkpoint_of_any_task(catalog: Catalog) -> None:
    assert catalog.lookup("bert-base-cased").id == "google-bert/bert-base-cased"
    assert catalog.lookup("Helsinki-NLP/opus-mt-fr-en").task == "translation"
    assert catalog.lookup("fr-en").id == "Helsinki-NLP/opus-mt-fr-en"
    with pytest.raises(UnknownModelError, match="not in the model catalog"):
        catalog.lookup("someone/evil-model")
    with pytest.raises(UnknownModelError):
        catalog.lookup("bert")  # names are matched whole, never by a part


def test_unknown_profile_and_task(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="profile"):
        catalog.resolve("ner", None, profile="local", tiny_dir=TINY)
    with pytest.raises(UnknownModelError, match="Unknown task"):
        catalog.resolve("image-classification", None, profile="hub", tiny_dir=TINY)


ENTRY = """
[[model]]
id = "{id}"
task = "{task}"
label = "{label}"
languages = ["en"]
size_mb = 10
default = {default}
"""


def write_catalog(path: Path, *extra: str, skip: str | None = None) -> Path:
    parts = [
        ENTRY.format(id=f"org/{task}-model", task=task, label=f"{task} model", default="true")
        for task in TASK_NAMES
        if task != skip
    ]
    path.write_text("".join(parts) + "".join(extra), encoding="utf-8")
    return path


def test_a_valid_custom_catalog_loads(tmp_path: Path) -> None:
    catalog = Catalog.load(write_catalog(tmp_path / "models.toml"))
    assert catalog.default("ner").id == "org/ner-model"
    assert catalog.source.endswith("models.toml")


@pytest.mark.parametrize(
    ("extra", "skip", "message"),
    [
        ("", "ner", "no model for task ner"),
        (ENTRY.format(id="org/x", task="ner", label="x", default="true"), None, "exactly one"),
        (ENTRY.format(id="org/x", task="ner", label="ner model", default="false"), None, "lists the label"),
        (ENTRY.format(id="org/ner-model", task="ner", label="y", default="false"), None, "lists the id"),
        (ENTRY.format(id="org/x", task="image-classification", label="x", default="false"), None, "task"),
        (ENTRY.format(id="../etc/passwd", task="ner", label="x", default="false"), None, "hub id"),
        (ENTRY.format(id="/models/local", task="ner", label="x", default="false"), None, "hub id"),
        (ENTRY.format(id="org/x", task="ner", label="x", default='"yes"'), None, "default"),
        ('[[model]]\nid = "org/y"\ntask = "ner"\nlabel = "y"\nlanguages = ["en"]\n', None, "size_mb"),
        (
            '[[model]]\nid = "org/y"\ntask = "ner"\nlabel = "y"\nlanguages = []\nsize_mb = 1\n',
            None,
            "languages",
        ),
        (
            '[[model]]\nid = "org/y"\ntask = "ner"\nlabel = "y"\nlanguages = ["en"]\nsize_mb = 1\n'
            'revision = "x"\n',
            None,
            "unknown keys",
        ),
        ("[settings]\nx = 1\n", None, "unknown top-level"),
        (
            '[[model]]\nid = "org/y"\ntask = "ner"\nlabel = "y"\nlanguages = ["en"]\nsize_mb = 1\n'
            "aliases = [1]\n",
            None,
            "aliases must be a list",
        ),
        (
            '[[model]]\nid = "org/y"\ntask = "ner"\nlabel = "y"\nlanguages = ["en"]\nsize_mb = 1\n'
            'aliases = ["NER-model"]\n',
            None,
            "names another model",
        ),
    ],
)
def test_malformed_catalogs_are_refused_with_a_clear_error(
    tmp_path: Path, extra: str, skip: str | None, message: str
) -> None:
    path = write_catalog(tmp_path / "models.toml", extra, skip=skip)
    with pytest.raises(CatalogError, match=message):
        Catalog.load(path)


def test_unreadable_catalogs(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="does not exist"):
        Catalog.load(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[model]\nid = ", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid TOML"):
        Catalog.load(bad)
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CatalogError, match="no \\[\\[model\\]\\] entries"):
        Catalog.load(empty)
