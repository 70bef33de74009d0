"""The model catalog: the allow-list of checkpoints members may use, per task.

The catalog is a TOML file (``models.toml`` next to this module by default; the operator may
point ``CATALOG_PATH`` at another one). :meth:`Catalog.resolve` is the only way a member's
choice becomes something loadable: it accepts what a member types for a catalog entry of the task
(see :meth:`CatalogEntry.names`: the hub id, the id without its owner, the label, the aliases the
catalog declares; any case), or nothing (the task's default), and never an arbitrary id or path. A
name shared by several entries is refused with the candidates. In the ``tiny`` profile every task
resolves to the locally trained offline model that stands in for the chosen entry.
"""

from __future__ import annotations

import logging
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from bot.inference.tiny import tiny_model_dir
from bot.user_facing import UserFacingError

log = logging.getLogger(__name__)

#: The Hugging Face task names the engine serves, in the course's order (also a slash option's choices).
TaskName = Literal[
    "sentiment-analysis",
    "zero-shot-classification",
    "text-generation",
    "fill-mask",
    "ner",
    "question-answering",
    "summarization",
    "translation",
    "tokenize",
    "attention",
]
TASK_NAMES: tuple[str, ...] = get_args(TaskName)
#: Model profiles: ``hub`` loads catalog checkpoints, ``tiny`` the locally built tiny models.
PROFILES: tuple[str, ...] = ("hub", "tiny")

DEFAULT_CATALOG_PATH = Path(__file__).with_name("models.toml")

_HUB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")
_REQUIRED_KEYS = {"id", "task", "label", "languages", "size_mb"}
_OPTIONAL_KEYS = {"default", "aliases"}
_MAX_LABEL = 100  # Discord's limit for an autocomplete choice name


class CatalogError(ValueError):
    """The catalog file is missing or malformed (an operator error, raised at load time)."""


class UnknownModelError(UserFacingError):
    """A member asked for a model that is not in the catalog for the task."""


class AmbiguousModelError(UnknownModelError):
    """A member's model name fits several catalog entries: the message lists them."""


@dataclass(frozen=True)
class CatalogEntry:
    """One allowed checkpoint for one task."""

    id: str
    task: str
    label: str
    languages: tuple[str, ...]
    size_mb: float
    default: bool = False
    #: Other names members may type, e.g. ``fr-en`` for ``Helsinki-NLP/opus-mt-fr-en``.
    aliases: tuple[str, ...] = ()

    @property
    def short_id(self) -> str:
        """The hub id without its owner (``gpt2`` for ``openai-community/gpt2``), as the course writes it."""
        return self.id.rpartition("/")[2]

    def names(self) -> tuple[str, ...]:
        """What a member may type for this entry (compared case-insensitively)."""
        return (self.id, self.short_id, self.label, *self.aliases)


@dataclass(frozen=True)
class ResolvedModel:
    """What to load for a request.

    ``ref`` is a hub id, or the path of a tiny model directory when ``tiny`` is true; ``entry``
    is the catalog entry the member chose (or the default), even when a tiny model stands in
    for it, so replies can say which checkpoint the tiny model replaces.
    """

    ref: str
    entry: CatalogEntry
    tiny: bool = False


class Catalog:
    """The validated catalog: entries grouped by task, one default per task."""

    def __init__(self, entries: list[CatalogEntry], source: str = "<memory>") -> None:
        _check_entries(entries, source)
        self._entries = tuple(entries)
        self.source = source

    @classmethod
    def load(cls, path: Path | None = None) -> Catalog:
        """Read and validate a catalog file (the bundled ``models.toml`` when ``path`` is None)."""
        path = Path(path) if path is not None else DEFAULT_CATALOG_PATH
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CatalogError(f"model catalog {path} does not exist") from None
        except (OSError, UnicodeDecodeError) as error:
            raise CatalogError(f"model catalog {path} cannot be read: {error}") from None
        except tomllib.TOMLDecodeError as error:
            raise CatalogError(f"model catalog {path} is not valid TOML: {error}") from None
        return cls(_parse_entries(data, str(path)), str(path))

    def entries(self, task: str | None = None) -> list[CatalogEntry]:
        """All entries, or those of one task (the default first)."""
        if task is None:
            return list(self._entries)
        own = [entry for entry in self._entries if entry.task == task]
        return sorted(own, key=lambda entry: not entry.default)

    def default(self, task: str) -> CatalogEntry:
        """The default entry of ``task``."""
        for entry in self._entries:
            if entry.task == task and entry.default:
                return entry
        raise UnknownModelError(f"There is no model for the task {task!r}.")

    def choices(self, task: str) -> list[CatalogEntry]:
        """The entries a member may pick for ``task``.

        For ``tokenize`` these are its own entries followed by every other task's checkpoint
        (one entry per hub id), since any model's tokenizer can be inspected.
        """
        if task not in TASK_NAMES:
            raise UnknownModelError(f"Unknown task {task!r}; choose one of: {', '.join(TASK_NAMES)}.")
        own = self.entries(task)
        if task != "tokenize":
            return own
        seen = {entry.id for entry in own}
        others = []
        for entry in self._entries:
            if entry.id not in seen:
                seen.add(entry.id)
                others.append(entry)
        return own + others

    def find(self, task: str, model: str) -> CatalogEntry | None:
        """The entry of ``task`` that ``model`` names (see :meth:`CatalogEntry.names`), else None.

        A full hub id always wins; another name shared by entries of different checkpoints raises
        :class:`AmbiguousModelError` listing them.
        """
        return _match(self.choices(task), model)

    def lookup(self, model: str) -> CatalogEntry:
        """The entry, of any task, that ``model`` names (``/model info``): one per checkpoint.

        Raises :class:`UnknownModelError` (or :class:`AmbiguousModelError`) with a sentence.
        """
        found = _match(self._entries, model)
        if found is None:
            raise UnknownModelError(
                f"{model.strip()[:100]!r} is not in the model catalog; pick one from the list "
                "(a hub id such as google-bert/bert-base-cased, or its short name bert-base-cased)."
            )
        return found

    def resolve(self, task: str, model: str | None, *, profile: str, tiny_dir: Path) -> ResolvedModel:
        """Turn a member's choice into something to load.

        ``model`` is None (the task's default) or a name of one of the task's entries (see
        :meth:`find`). Anything else raises :class:`UnknownModelError` naming the allowed labels;
        a name several entries share raises :class:`AmbiguousModelError`. In the ``tiny``
        profile the result points at the tiny model directory for the task.
        """
        if profile not in PROFILES:
            raise ValueError(f"unknown model profile {profile!r}; expected one of {PROFILES}")
        if model is None or not model.strip():
            if task not in TASK_NAMES:
                raise UnknownModelError(f"Unknown task {task!r}; choose one of: {', '.join(TASK_NAMES)}.")
            entry = self.default(task)
        else:
            found = self.find(task, model)
            if found is None:
                labels = ", ".join(entry.label for entry in self.choices(task))
                raise UnknownModelError(
                    f"{model.strip()[:100]!r} is not in the model catalog for {task}. "
                    f"Choose one of: {labels}."
                )
            entry = found
        if profile == "tiny":
            return ResolvedModel(ref=str(tiny_model_dir(tiny_dir, task, entry.id)), entry=entry, tiny=True)
        return ResolvedModel(ref=entry.id, entry=entry, tiny=False)


def _match(entries: tuple[CatalogEntry, ...] | list[CatalogEntry], model: str) -> CatalogEntry | None:
    """The entry ``model`` names among ``entries``: a full hub id first, then any other name."""
    wanted = model.strip().casefold()
    if not wanted:
        return None
    for entry in entries:
        if entry.id.casefold() == wanted:
            return entry
    found: dict[str, CatalogEntry] = {}
    for entry in entries:
        if wanted in (name.casefold() for name in entry.names()):
            found.setdefault(entry.id, entry)
    if len(found) > 1:
        candidates = " or ".join(f"{entry.label} ({entry.id})" for entry in found.values())
        raise AmbiguousModelError(
            f"{model.strip()[:100]!r} could be {candidates}: give the full hub id or pick one from the list."
        )
    return next(iter(found.values()), None)


def _parse_entries(data: dict[str, Any], source: str) -> list[CatalogEntry]:
    unknown_tables = set(data) - {"model"}
    if unknown_tables:
        raise CatalogError(
            f"{source}: unknown top-level keys {sorted(unknown_tables)}; expected [[model]] tables"
        )
    raw_entries = data.get("model")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise CatalogError(f"{source}: no [[model]] entries")
    return [_parse_entry(raw, number, source) for number, raw in enumerate(raw_entries, start=1)]


def _parse_entry(raw: Any, number: int, source: str) -> CatalogEntry:
    where = f"{source}: model #{number}"
    if not isinstance(raw, dict):
        raise CatalogError(f"{where} is not a table")
    if isinstance(raw.get("id"), str):
        where += f" ({raw['id']})"
    missing = _REQUIRED_KEYS - set(raw)
    if missing:
        raise CatalogError(f"{where}: missing {', '.join(sorted(missing))}")
    unknown = set(raw) - _REQUIRED_KEYS - _OPTIONAL_KEYS
    if unknown:
        raise CatalogError(f"{where}: unknown keys {', '.join(sorted(unknown))}")

    model_id, task, label = raw["id"], raw["task"], raw["label"]
    if not isinstance(model_id, str) or not _HUB_ID.match(model_id) or ".." in model_id:
        raise CatalogError(f"{where}: id must be a hub id such as 'owner/name', got {model_id!r}")
    if task not in TASK_NAMES:
        raise CatalogError(f"{where}: task {task!r} is not one of {', '.join(TASK_NAMES)}")
    if not isinstance(label, str) or not label.strip() or len(label) > _MAX_LABEL:
        raise CatalogError(f"{where}: label must be a non-empty string of at most {_MAX_LABEL} characters")
    languages = raw["languages"]
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(x, str) and x for x in languages)
    ):
        raise CatalogError(f"{where}: languages must be a non-empty list of language codes")
    size = raw["size_mb"]
    if isinstance(size, bool) or not isinstance(size, int | float) or size <= 0:
        raise CatalogError(f"{where}: size_mb must be a positive number")
    default = raw.get("default", False)
    if not isinstance(default, bool):
        raise CatalogError(f"{where}: default must be true or false")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(
        isinstance(alias, str) and alias.strip() and len(alias) <= _MAX_LABEL for alias in aliases
    ):
        raise CatalogError(
            f"{where}: aliases must be a list of names of at most {_MAX_LABEL} characters each"
        )
    return CatalogEntry(
        id=model_id,
        task=task,
        label=label.strip(),
        languages=tuple(languages),
        size_mb=float(size),
        default=default,
        aliases=tuple(alias.strip() for alias in aliases),
    )


def _check_entries(entries: list[CatalogEntry], source: str) -> None:
    """Every task has exactly one default; ids, labels and aliases are unique within a task."""
    for task in TASK_NAMES:
        own = [entry for entry in entries if entry.task == task]
        if not own:
            raise CatalogError(f"{source}: no model for task {task}")
        defaults = [entry.id for entry in own if entry.default]
        if len(defaults) != 1:
            raise CatalogError(
                f"{source}: task {task} needs exactly one model with default = true, found {len(defaults)}"
            )
        for attribute in ("id", "label"):
            values = [getattr(entry, attribute).casefold() for entry in own]
            duplicates = sorted({value for value in values if values.count(value) > 1})
            if duplicates:
                raise CatalogError(f"{source}: task {task} lists the {attribute} {duplicates[0]!r} twice")
        for entry in own:
            others = {name.casefold() for other in own if other.id != entry.id for name in other.names()}
            taken = [alias for alias in entry.aliases if alias.casefold() in others]
            if taken:
                raise CatalogError(
                    f"{source}: task {task}: the alias {taken[0]!r} of {entry.id} names another model too"
                )
