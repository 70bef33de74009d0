"""Loading tokenizers and models (hub ids or local directories) into runners.

Loading never sets ``trust_remote_code``, uses ``dtype`` (float32 by default, so outputs match
the course's CPU results), disables transformers' progress bars, and honours ``HF_HOME`` /
``HF_HUB_CACHE`` / ``HF_HUB_OFFLINE`` through huggingface_hub.

A hub id is first looked up in the local cache only. When it is not cached, the hub is asked
for it only if it answers a single quick probe: without that, huggingface_hub retries for
about 45 seconds before failing when the hub is unreachable. A model that is neither cached nor
downloadable raises :class:`ModelUnavailableError`, which says how to fix it; one whose files are
damaged (a truncated weights file, no tokenizer files) raises :class:`BrokenModelError`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.user_facing import UserFacingError

if TYPE_CHECKING:
    from bot.inference.runners import BaseRunner

log = logging.getLogger(__name__)

#: transformers' loggers that report on a model's weights as it loads.
_LOAD_REPORT_LOGGERS = ("transformers.modeling_utils", "transformers.distributed.tensor_parallel")
#: Seconds the hub reachability probe waits before calling the hub unreachable.
HUB_PROBE_TIMEOUT_S = 5.0


#: Files that hold a tokenizer's vocabulary; a model directory without one has no tokenizer
#: (transformers would build an empty one from the config, and every word would read as unknown).
TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "merges.txt", "spiece.model", "source.spm")
TOKENIZER_SUFFIXES = (".model", ".spm")


class ModelUnavailableError(UserFacingError):
    """A model is not cached here and cannot be downloaded now."""


class BrokenModelError(UserFacingError):
    """A model's files are here but damaged or incomplete (an operator must fetch them again)."""


def shown_name(ref: str) -> str:
    """A model as members read it: a hub id, or a local directory's name (never its path)."""
    return Path(ref).name if _is_local(ref) else ref


def _redownload(ref: str, task: str | None) -> str:
    if _is_local(ref):
        return "an operator should save it again"
    command = "studybot models download" + (f" --task {task}" if task else "")
    return f"an operator should run `{command}` again"


def model_directory(ref: str, cache_dir: Path | None = None) -> Path | None:
    """The directory holding ``ref``'s files: the local directory, or the cached hub snapshot
    (None when it is not here)."""
    if _is_local(ref):
        path = Path(ref).expanduser()
        return path if path.is_dir() else None
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(ref, "config.json", cache_dir=_cache(cache_dir))
    return Path(found).parent if isinstance(found, str) else None


def size_on_disk_mb(ref: str, cache_dir: Path | None = None) -> float:
    """Megabytes of ``ref``'s files here (what loading it reads); 0 when it is not here."""
    directory = model_directory(ref, cache_dir)
    if directory is None:
        return 0.0
    total = 0
    for path in directory.iterdir():
        try:
            if path.is_file():  # follows the hub cache's links to its blobs
                total += path.stat().st_size
        except OSError:
            continue
    return total / 2**20


def check_tokenizer_files(ref: str, cache_dir: Path | None = None, *, task: str | None = None) -> None:
    """Raise :class:`BrokenModelError` when ``ref`` is here but has no tokenizer vocabulary."""
    directory = model_directory(ref, cache_dir)
    if directory is None:
        return  # not here: loading says so (or downloads it)
    names = {path.name for path in directory.iterdir()}
    if "config.json" not in names:
        return  # not a model at all: loading says that, which is the truer sentence
    if names.intersection(TOKENIZER_FILES) or any(name.endswith(TOKENIZER_SUFFIXES) for name in names):
        return
    if not _is_local(ref):
        from huggingface_hub import constants

        if not constants.HF_HUB_OFFLINE and hub_reachable():
            return  # the rest of a partial download can still be fetched
    raise BrokenModelError(
        f"The model {shown_name(ref)} has no tokenizer files here (no tokenizer.json or vocabulary), "
        f"so it cannot read text; {_redownload(ref, task)}. Other models still work."
    )


def load_runner(
    task: str,
    ref: str,
    *,
    device: str = "cpu",
    cache_dir: Path | None = None,
    dtype: str = "float32",
) -> BaseRunner:
    """Load the tokenizer (and model, for model tasks) of ``ref`` and build ``task``'s runner.

    ``ref`` is a hub id or a local directory saved with ``save_pretrained``. Members' choices
    reach this function only through :meth:`bot.inference.catalog.Catalog.resolve`.
    """
    from bot.inference.runners import RUNNER_TYPES  # numpy and the runners: only where models run

    try:
        runner_type = RUNNER_TYPES[task]
    except KeyError:
        raise ValueError(f"unknown task {task!r}") from None
    tokenizer = load_tokenizer(ref, cache_dir=cache_dir, task=task)
    model = None
    if runner_type.auto_model_class is not None:
        import torch
        import transformers

        auto_class = getattr(transformers, runner_type.auto_model_class)
        with _load_report_quiet(runner_type.drops_checkpoint_head):
            model = _from_pretrained(auto_class, ref, cache_dir, task=task, dtype=getattr(torch, dtype))
        model.to(device)
        model.eval()
    log.info("loaded %s for %s on %s", ref, task, device)
    return runner_type(model, tokenizer, ref=ref)


def load_tokenizer(ref: str, cache_dir: Path | None = None, *, task: str | None = None) -> Any:
    """The tokenizer of ``ref`` (hub id or local directory), for tokenize and length counting.

    ``task`` only makes the "not available" message name the right download command.
    """
    from transformers import AutoTokenizer

    check_tokenizer_files(ref, cache_dir, task=task)
    return _from_pretrained(AutoTokenizer, ref, cache_dir, task=task)


def is_cached(ref: str, cache_dir: Path | None = None) -> bool:
    """Whether ``ref`` is here: a local directory, or a hub id whose config.json is in the cache.

    A cheap check for ``models list``; the weights are assumed to have come with the config
    (``models download`` loads each model once, which fetches all it needs).
    """
    if _is_local(ref):
        return Path(ref).expanduser().is_dir()
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(ref, "config.json", cache_dir=_cache(cache_dir))
    return isinstance(found, str)


def unavailable_offline(
    ref: str, cache_dir: Path | None = None, *, task: str | None = None
) -> ModelUnavailableError | None:
    """The error for a hub model that is not cached while HF_HUB_OFFLINE is set, else None.

    A few file lookups, no model import: the pool refuses such a request before it is acknowledged
    (anything else about a model is found out by the worker that loads it).
    """
    if _is_local(ref):
        return None
    from huggingface_hub import constants

    if not constants.HF_HUB_OFFLINE or is_cached(ref, cache_dir):
        return None
    return ModelUnavailableError(_unavailable_message(ref, "HF_HUB_OFFLINE is set", task))


def hub_reachable(timeout: float = HUB_PROBE_TIMEOUT_S) -> bool:
    """One quick request to the hub endpoint (no retries); False on any network error."""
    import huggingface_hub
    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE:
        return False
    try:
        huggingface_hub.get_session().head(constants.ENDPOINT, timeout=timeout)
    except Exception as error:  # any transport error means "not reachable now"
        log.info("hub %s unreachable: %s", constants.ENDPOINT, error)
        return False
    return True


def _from_pretrained(
    loader: Any, ref: str, cache_dir: Path | None, *, task: str | None, **kwargs: Any
) -> Any:
    """``loader.from_pretrained`` for a local directory, a cached hub id, or a reachable hub; a
    damaged weights file (safetensors' ``SafetensorError``) is a :class:`BrokenModelError`."""
    from safetensors import SafetensorError

    try:
        return _from_pretrained_unchecked(loader, ref, cache_dir, task=task, **kwargs)
    except SafetensorError as error:
        log.warning("The weights of %s are damaged: %s", ref, error)
        raise BrokenModelError(
            f"The weights file of the model {shown_name(ref)} is damaged or incomplete; "
            f"{_redownload(ref, task)}. Other models still work."
        ) from error


def _from_pretrained_unchecked(
    loader: Any, ref: str, cache_dir: Path | None, *, task: str | None, **kwargs: Any
) -> Any:
    _quiet_progress_bars()
    if _is_local(ref):
        path = Path(ref).expanduser()
        if not path.is_dir():
            raise ModelUnavailableError(f"{ref} is not a model directory.")
        try:
            return loader.from_pretrained(str(path), trust_remote_code=False, **kwargs)
        except (OSError, ValueError) as error:  # no config / tokenizer files, unknown model type
            raise ModelUnavailableError(
                f"{ref} is not a loadable model directory: {_first_line(error)}"
            ) from error

    common = {"cache_dir": _cache(cache_dir), "trust_remote_code": False, **kwargs}
    try:
        return loader.from_pretrained(ref, local_files_only=True, **common)
    except OSError:
        log.debug("%s is not (fully) cached", ref)

    from huggingface_hub import constants

    if constants.HF_HUB_OFFLINE or not hub_reachable():
        reason = (
            "HF_HUB_OFFLINE is set" if constants.HF_HUB_OFFLINE else "the Hugging Face Hub cannot be reached"
        )
        raise ModelUnavailableError(_unavailable_message(ref, reason, task))
    try:
        return loader.from_pretrained(ref, **common)
    except OSError as error:
        raise ModelUnavailableError(f"{ref} could not be downloaded: {_first_line(error)}") from error


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _unavailable_message(ref: str, reason: str, task: str | None) -> str:
    command = "studybot models download" + (f" --task {task}" if task else "")
    return (
        f"The model {ref} is not in the local cache and {reason}. Run `{command}` on a machine "
        "with internet access and keep its cache (HF_HOME), or set MODEL_PROFILE=tiny to use the "
        "offline tiny models."
    )


def _is_local(ref: str) -> bool:
    """Local paths start with '/', '.', '~' or exist on disk; hub ids are 'owner/name'."""
    return ref.startswith(("/", ".", "~")) or Path(ref).is_dir()


@contextlib.contextmanager
def _load_report_quiet(quiet: bool) -> Iterator[None]:
    """Hide transformers' weight-loading report while loading a bare model from a checkpoint
    with a head: its UNEXPECTED head weights (and a MISSING pooler) are expected then, and the
    table would only alarm an operator reading the log. Real load errors still raise.

    (transformers 5 also checks a tensor-parallel plan whenever the report's logger is at WARNING
    or above, and warns about every layer it did not shard; that logger is quietened too.)
    """
    if not quiet:
        yield
        return
    loggers = [logging.getLogger(name) for name in _LOAD_REPORT_LOGGERS]
    levels = [each.level for each in loggers]
    for each in loggers:
        each.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for each, level in zip(loggers, levels, strict=True):
            each.setLevel(level)


def _cache(cache_dir: Path | None) -> str | None:
    return str(cache_dir) if cache_dir is not None else None


def _quiet_progress_bars() -> None:
    from huggingface_hub.utils import disable_progress_bars
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    disable_progress_bars()
