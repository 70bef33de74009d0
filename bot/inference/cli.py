"""The ``models`` and ``infer`` commands of the studybot CLI.

``register(subparsers)`` adds::

    studybot models list                 the catalog, with cached / not cached
    studybot models download [--task T]  pre-fetch catalog checkpoints into the cache
    studybot models build-tiny DIR       build the offline tiny models
    studybot infer TASK [--model ID_OR_PATH] [--params JSON] INPUT_JSON...

``infer`` takes the call parameters of the course's transformers 4 pipelines, as ``--params``
JSON, with bounds (``studybot infer --help`` lists them from :data:`bot.inference.tasks.TASKS`):
``top_k`` for sentiment-analysis (null: every label, the default; k: the k best); ``do_sample``,
``max_new_tokens``, ``num_beams``, ``num_return_sequences``, ``min_length`` and ``max_length``
for summarization and translation (several sequences print a list per input); ``top_k`` up to
20 and ``handle_impossible_answer`` for question-answering; and the other tasks' own.

Each parser sets ``handler``: ``handler(args, settings) -> int`` (the exit code), where
``settings`` has ``model_profile`` ('hub' | 'tiny'), ``model_cache_dir`` (Path | None),
``tiny_models_dir`` (Path) and ``catalog_path`` (Path | None). Expected errors print one line
on stderr and return 2; results go to stdout (one JSON line per input for ``infer``).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import textwrap
from pathlib import Path
from typing import Any

from bot.errors import UserFacingError
from bot.inference.catalog import TASK_NAMES, Catalog, CatalogError, ResolvedModel
from bot.inference.tasks import TASKS, Param
from bot.inference.tiny import TINY_LABEL, build_tiny_models, is_tiny_model_dir, tiny_model_dir

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 2


class CliError(UserFacingError):
    """A bad command line (input that is not JSON, params that are not an object...)."""


def register(subparsers: Any) -> None:
    """Add the ``models`` and ``infer`` commands to an argparse subparsers object."""
    models = subparsers.add_parser("models", help="list, download or build the models of the catalog")
    models_commands = models.add_subparsers(dest="models_command", required=True, metavar="COMMAND")

    listing = models_commands.add_parser("list", help="show the catalog and what is cached")
    listing.set_defaults(handler=handle_models_list)

    download = models_commands.add_parser("download", help="pre-fetch catalog checkpoints into the cache")
    download.add_argument("--task", choices=TASK_NAMES, help="only this task's checkpoints")
    download.set_defaults(handler=handle_models_download)

    build = models_commands.add_parser("build-tiny", help="build the offline tiny models into DIR")
    build.add_argument("directory", type=Path, metavar="DIR")
    build.set_defaults(handler=handle_models_build_tiny)

    infer = subparsers.add_parser(
        "infer",
        help="run a task once and print one JSON line per input",
        description=(
            "Run TASK on each INPUT_JSON and print one JSON result per line, in the transformers v4 "
            "pipeline schema. Text tasks take JSON strings ('\"Hello\"'); zero-shot takes "
            '\'{"text": ..., "candidate_labels": [...]}\' and question answering '
            '\'{"question": ..., "context": ...}\'.'
        ),
        epilog=params_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    infer.add_argument("task", choices=TASK_NAMES, metavar="TASK", help=", ".join(TASK_NAMES))
    infer.add_argument("--model", help="catalog label or hub id, or a local model directory")
    infer.add_argument("--params", default="{}", help="task parameters as a JSON object")
    infer.add_argument("inputs", nargs="+", metavar="INPUT_JSON")
    infer.set_defaults(handler=handle_infer)


def params_help() -> str:
    """Every task's ``--params``, from the task registry: name, type and bounds, default."""
    lines = [
        "parameters (--params JSON, the call parameters of the transformers 4 pipelines; a name left",
        "out takes its default; a null default leaves the choice to the model, except sentiment-analysis",
        "top_k, where null means every label):",
    ]
    for task, spec in TASKS.items():
        described = ", ".join(_describe(param) for param in spec.params) or "none"
        lines.append(
            textwrap.fill(f"{task}: {described}", width=100, initial_indent="  ", subsequent_indent="    ")
        )
    return "\n".join(lines)


def _describe(param: Param) -> str:
    if param.kind is bool:
        kind = "true|false"
    elif param.kind in (int, float):
        kind = f"{param.minimum:g}..{param.maximum:g}"
    else:
        kind = "|".join(param.choices) if param.choices else f"text of at most {param.max_chars}"
    return f"{param.name} {kind} (default {json.dumps(param.default)})"


def run_cli(argv: list[str], settings: Any) -> int:
    """Parse ``argv`` with only these commands and run the handler (tests and scripts)."""
    parser = argparse.ArgumentParser(prog="studybot")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.handler(args, settings)


def _reports_errors(handler: Any) -> Any:
    """Turn expected errors into one line on stderr and exit code 2."""

    def wrapper(args: argparse.Namespace, settings: Any) -> int:
        try:
            return handler(args, settings)
        except (UserFacingError, CatalogError) as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_ERROR

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper


@_reports_errors
def handle_models_list(args: argparse.Namespace, settings: Any) -> int:
    """Print the catalog: task, default marker, label, hub id, size, languages, cache state."""
    from bot.inference.loading import is_cached

    catalog = Catalog.load(settings.catalog_path)
    rows = [("TASK", "", "LABEL", "ID", "SIZE", "LANG", "CACHED")]
    for entry in catalog.entries():
        cached = "cached" if is_cached(entry.id, settings.model_cache_dir) else "not cached"
        rows.append(
            (
                entry.task,
                "*" if entry.default else "",
                entry.label,
                entry.id,
                f"{entry.size_mb:g} MB",
                ",".join(entry.languages),
                cached,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    tiny_dir = Path(settings.tiny_models_dir)
    built = all(is_tiny_model_dir(tiny_model_dir(tiny_dir, task)) for task in TASK_NAMES)
    print(f"\n* = task default. Profile: {settings.model_profile}. Catalog: {catalog.source}.")
    state = "built" if built else "not built (`studybot models build-tiny DIR` builds them)"
    print(f"Offline models (the tiny profile: {TINY_LABEL}): {state} in {tiny_dir}.")
    return EXIT_OK


@_reports_errors
def handle_models_download(args: argparse.Namespace, settings: Any) -> int:
    """Load every catalog checkpoint (of one task) once, which downloads what it needs."""
    from bot.inference.loading import load_runner, load_tokenizer

    catalog = Catalog.load(settings.catalog_path)
    tasks = [args.task] if args.task else list(TASK_NAMES)
    failures = 0
    done: set[tuple[str, str]] = set()
    for task in tasks:
        for entry in catalog.entries(task):
            kind = "tokenizer" if task == "tokenize" else "model"
            if (kind, entry.id) in done:
                continue
            done.add((kind, entry.id))
            print(f"{task}: {entry.id} ...", end=" ", flush=True)
            try:
                if kind == "tokenizer":
                    load_tokenizer(entry.id, settings.model_cache_dir, task=task)
                else:
                    load_runner(task, entry.id, cache_dir=settings.model_cache_dir)
            except UserFacingError as error:
                failures += 1
                print("failed")
                print(f"error: {error}", file=sys.stderr)
            else:
                print("ok")
    if failures:
        print(f"error: {failures} checkpoint(s) could not be downloaded", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


@_reports_errors
def handle_models_build_tiny(args: argparse.Namespace, settings: Any) -> int:
    """Build the tiny models into DIR and print the directory of each task."""
    paths = build_tiny_models(args.directory, progress=_print_progress)
    for task, path in paths.items():
        print(f"{task}: {path}")
    return EXIT_OK


def _print_progress(done: int, total: int, message: str) -> None:
    """Show the offline build as it goes ("Training the offline sentiment model… 3/8")."""
    print(f"{message} {done}/{total}" if message.endswith("…") else message, flush=True)


@_reports_errors
def handle_infer(args: argparse.Namespace, settings: Any) -> int:
    """Validate, load, run, and print one JSON line per input."""
    from bot.inference.loading import load_runner
    from bot.inference.tasks import get_task

    spec = get_task(args.task)
    inputs = [_parse_input(text, number) for number, text in enumerate(args.inputs, start=1)]
    params = _parse_params(args.params)
    inputs, params = spec.validate(inputs, params)
    ref = _model_for_cli(args.task, args.model, settings)
    runner = load_runner(args.task, ref, cache_dir=settings.model_cache_dir)
    for result in runner.run(inputs, params):
        print(json.dumps(result, ensure_ascii=False))
    if runner.is_tiny:
        print(f"note: {ref} is a {TINY_LABEL}, not the course's checkpoint.", file=sys.stderr)
    return EXIT_OK


def _model_for_cli(task: str, model: str | None, settings: Any) -> str:
    """A local directory as given (operators may try any saved model), else the catalog's choice."""
    if model is not None and Path(model).expanduser().is_dir():
        return str(Path(model).expanduser())
    catalog = Catalog.load(settings.catalog_path)
    resolved: ResolvedModel = catalog.resolve(
        task, model, profile=settings.model_profile, tiny_dir=Path(settings.tiny_models_dir)
    )
    if resolved.tiny:
        build_tiny_models(Path(settings.tiny_models_dir))
    return resolved.ref


def _parse_input(text: str, number: int) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CliError(
            f"input {number} is not valid JSON ({error.msg}): quote text inputs as JSON strings, "
            f"e.g. '\"I love this course\"'."
        ) from None


def _parse_params(text: str) -> dict[str, Any]:
    try:
        params = json.loads(text)
    except json.JSONDecodeError as error:
        raise CliError(f"--params is not valid JSON ({error.msg}).") from None
    if not isinstance(params, dict):
        raise CliError("--params must be a JSON object, e.g. '{\"top_k\": 3}'.")
    return params
