"""The /architecture guide's content, read from ``architecture.json`` next to this module.

The data file holds every word and link; this module only loads and checks it (each family's
tasks exist, each task names its family, every checkpoint has a hub id) and answers questions
about it. :func:`demo_choices` says which checkpoints get a "Try" button: those whose id the model
catalog lists for the task's demo.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.inference.catalog import Catalog
from bot.inference.tasks import TASKS

log = logging.getLogger(__name__)

GUIDE_PATH = Path(__file__).with_name("architecture.json")
HUB = "https://huggingface.co"
ATTENTION_TASK = "attention"


class GuideError(ValueError):
    """The data file is malformed (a developer error, caught by the tests)."""


@dataclass(frozen=True)
class Checkpoint:
    """A recommended checkpoint: its name, hub id, why it is listed, and a sample for its demo."""

    name: str
    id: str
    note: str
    sample: dict[str, str] | None = None

    @property
    def url(self) -> str:
        return f"{HUB}/{self.id}"


@dataclass(frozen=True)
class Task:
    """A task of the guide and the demo that runs it."""

    key: str
    name: str
    family: str
    demo: str  # an engine task name
    command: str
    course_url: str
    sample: dict[str, str]
    checkpoints: tuple[Checkpoint, ...]


@dataclass(frozen=True)
class Family:
    """An architecture family."""

    key: str
    name: str
    attention: str
    summary: str
    good_at: str
    examples: str
    course_url: str
    tasks: tuple[str, ...]
    attention_demo: Checkpoint | None = None


@dataclass(frozen=True)
class DemoChoice:
    """A checkpoint with a Try button: the demo task, the catalog id, the button label, the sample."""

    task: str
    model: str
    label: str
    sample: dict[str, str]


@dataclass(frozen=True)
class Guide:
    """Every family and task, in the data file's order."""

    families: tuple[Family, ...]
    tasks: tuple[Task, ...]

    def family(self, key: str) -> Family | None:
        return next((family for family in self.families if family.key == key), None)

    def task(self, key: str) -> Task | None:
        return next((task for task in self.tasks if task.key == key), None)

    def tasks_of(self, family: Family) -> list[Task]:
        return [task for key in family.tasks if (task := self.task(key)) is not None]

    def sample_for(self, demo: str, model: str) -> dict[str, str] | None:
        """The sample input for a demo with a checkpoint (its own sample, else its task's)."""
        for family in self.families:
            if demo == ATTENTION_TASK and family.attention_demo and family.attention_demo.id == model:
                return family.attention_demo.sample
        for task in self.tasks:
            if task.demo == demo:
                for checkpoint in task.checkpoints:
                    if checkpoint.id == model:
                        return checkpoint.sample or task.sample
        return None


def _checkpoint(raw: dict[str, Any], where: str) -> Checkpoint:
    try:
        return Checkpoint(raw["name"], raw["id"], raw.get("note", ""), raw.get("sample"))
    except (KeyError, TypeError) as error:
        raise GuideError(f"{where}: a checkpoint needs a name and an id ({error})") from None


def parse_guide(data: dict[str, Any]) -> Guide:
    """Build and check the guide from the data file's JSON."""
    try:
        families = tuple(
            Family(
                key=raw["key"],
                name=raw["name"],
                attention=raw["attention"],
                summary=raw["summary"],
                good_at=raw["good_at"],
                examples=raw["examples"],
                course_url=raw["course_url"],
                tasks=tuple(raw["tasks"]),
                attention_demo=_checkpoint(raw["attention_demo"], raw["key"])
                if raw.get("attention_demo")
                else None,
            )
            for raw in data["families"]
        )
        tasks = tuple(
            Task(
                key=raw["key"],
                name=raw["name"],
                family=raw["family"],
                demo=raw["demo"],
                command=raw["command"],
                course_url=raw["course_url"],
                sample=dict(raw["sample"]),
                checkpoints=tuple(_checkpoint(item, raw["key"]) for item in raw["checkpoints"]),
            )
            for raw in data["tasks"]
        )
    except (KeyError, TypeError) as error:
        raise GuideError(f"architecture guide: missing or malformed {error}") from None
    guide = Guide(families, tasks)
    for family in families:
        for key in family.tasks:
            task = guide.task(key)
            if task is None or task.family != family.key:
                raise GuideError(f"family {family.key} lists task {key}, which is not one of its tasks")
    for task in tasks:
        if guide.family(task.family) is None:
            raise GuideError(f"task {task.key} names an unknown family {task.family}")
        if task.demo not in TASKS:
            raise GuideError(f"task {task.key} runs an unknown demo {task.demo}")
    return guide


@functools.cache
def load_guide(path: Path = GUIDE_PATH) -> Guide:
    """The guide (read once)."""
    return parse_guide(json.loads(path.read_text(encoding="utf-8")))


def _in_catalog(catalog: Catalog, task: str, model: str) -> bool:
    return any(entry.id == model for entry in catalog.entries(task))


def demo_choices(
    guide: Guide, catalog: Catalog, *, family: Family | None = None, task: Task | None = None
) -> list[DemoChoice]:
    """The checkpoints of a family (or of one task) that the catalog lets the demos run."""
    tasks = [task] if task is not None else guide.tasks_of(family) if family is not None else []
    found: list[DemoChoice] = []
    for item in tasks:
        for checkpoint in item.checkpoints:
            if _in_catalog(catalog, item.demo, checkpoint.id):
                sample = checkpoint.sample or item.sample
                found.append(DemoChoice(item.demo, checkpoint.id, f"Try {checkpoint.name}", sample))
    demo = family.attention_demo if family is not None else None
    if demo is not None and demo.sample and _in_catalog(catalog, ATTENTION_TASK, demo.id):
        found.append(DemoChoice(ATTENTION_TASK, demo.id, f"See {demo.name}'s attention", demo.sample))
    return found
