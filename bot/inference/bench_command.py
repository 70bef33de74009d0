"""``studybot bench``: the command line of the worker pool benchmark, which lives in
``benchmarks/pool_bench.py`` of a source checkout (a development tool: the installed package does
not carry it, and nothing here imports it until the command runs)."""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from bot.settings import Settings

#: Where the benchmark is, in a source checkout (or an editable install) of studybot.
BENCH_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "pool_bench.py"
WORKLOADS = ("classification", "token_classification", "generation", "seq2seq")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``studybot bench``."""
    parser = subparsers.add_parser(
        "bench", help="measure the worker pool against naive and ideal batching (from a source checkout)"
    )
    parser.add_argument("--quick", action="store_true", help="tiny models and few requests (a smoke run)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the key figures")
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="torch threads of the worker and of naive and ideal (default: every core, like the bot)",
    )
    parser.add_argument(
        "--rounds", type=int, help="interleaved naive/ideal/pool rounds (default 3; quick: 2)"
    )
    parser.add_argument("--tasks", nargs="+", choices=WORKLOADS, help="only these workloads")
    parser.add_argument(
        "--burn", type=int, default=0, metavar="N", help="run N CPU-burning processes beside it"
    )
    parser.add_argument(
        "--models-dir", type=Path, help="where to keep the benchmark models (default: a temp dir)"
    )
    parser.add_argument("--devices", help="override DEVICES, e.g. cpu or cuda:0")
    parser.add_argument(
        "--backend",
        choices=("local", "ray"),
        default="local",
        help="ray: also run the workloads through the Ray Serve backend on a local Ray instance",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=2,
        help="with --backend ray: replicas (and pool workers) of the scaling run",
    )
    parser.set_defaults(handler=bench_command)


def bench_command(args: argparse.Namespace, settings: Settings) -> int:
    """Load the benchmark from the checkout and run it."""
    if not BENCH_PATH.is_file():
        print(
            f"studybot bench: the benchmark is not installed ({BENCH_PATH} is missing); "
            "run it from a source checkout of studybot.",
            file=sys.stderr,
        )
        return 2
    return int(load_bench().run(args, settings))


def load_bench() -> ModuleType:
    """``benchmarks/pool_bench.py`` as a module (imported once)."""
    name = "studybot_pool_bench"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
