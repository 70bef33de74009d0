"""Which model profile the console and ``studybot try`` can really use on this machine."""

from __future__ import annotations

import logging

from bot.inference.catalog import Catalog
from bot.inference.loading import hub_reachable, is_cached
from bot.inference.tasks import TASK_NAMES
from bot.settings import Settings

log = logging.getLogger(__name__)

TINY_NOTE = (
    "Models: small offline models trained on this machine on studybot's own examples (they know a small "
    "world of made-up sentences). `studybot models download` on a connected machine fetches the course's "
    "checkpoints from the Hugging Face Hub."
)
FALLBACK_NOTE = (
    "Models: the Hugging Face Hub can't be reached and the course models are not cached here, so the "
    "demos use small offline models trained on this machine on studybot's own examples. Run `studybot "
    "models download` on a connected machine for the real ones."
)


def missing_defaults(settings: Settings) -> list[str]:
    """The default checkpoints of every task that are not in the local cache."""
    catalog = Catalog.load(settings.catalog_path)
    wanted = {catalog.default(task).id for task in TASK_NAMES}
    return sorted(ref for ref in wanted if not is_cached(ref, settings.model_cache_dir))


def choose_profile(settings: Settings, requested: str | None = None) -> tuple[Settings, list[str]]:
    """The settings to run locally with, and the banner notes that explain the choice.

    ``requested`` (from ``--models``) wins. Otherwise the hub profile stays only when the course's
    default models are cached or the hub can be reached; else the tiny profile is used.
    """
    profile = requested or settings.model_profile
    if profile == "tiny":
        return settings.replace(model_profile="tiny"), [TINY_NOTE]
    if requested == "hub":
        return settings, []
    missing = missing_defaults(settings)
    if missing and not hub_reachable():
        log.info("Falling back to tiny models; not cached: %s", ", ".join(missing))
        return settings.replace(model_profile="tiny"), [FALLBACK_NOTE]
    return settings, []
