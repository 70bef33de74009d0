"""How long the offline models take to build, printed as figures (never a timed test).

``python benchmarks/tiny_build.py [--workers N] [--keep DIR]`` builds every offline model into a
fresh directory and prints the wall time of the whole build, each model's own training time
(CPU seconds, one torch thread each), the CPU seconds of the whole build (this process and its
worker processes: starting them, writing the corpora, training the tokenizers and the models) and
the machine's load average before and after, since these machines are shared: a wall time taken
while other processes run is not the build's cost, its CPU seconds mostly are.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path


class _Seconds(logging.Handler):
    """Collects the "built NAME (final training loss L, K kernels, S s, C s of CPU)" lines of the build."""

    def __init__(self) -> None:
        super().__init__()
        self.models: dict[str, tuple[float, float]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        line = r"built (\S+) \(final training loss ([\d.]+), \S+ kernels, [\d.]+ s, ([\d.]+) s of CPU\)"
        found = re.match(line, record.getMessage())
        if found:
            self.models[found[1]] = (float(found[2]), float(found[3]))


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (the build's workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, help="worker processes (default: one per CPU core)")
    parser.add_argument("--keep", type=Path, help="build here and keep the models (must not hold a build)")
    parser.add_argument("--json", action="store_true", help="also print one JSON line")
    args = parser.parse_args()

    from bot.inference.tiny import build_tiny_models

    seconds = _Seconds()
    logger = logging.getLogger("bot.inference.tiny")
    logger.addHandler(seconds)
    logger.setLevel(logging.INFO)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="studybot-tiny-bench-") as scratch:
        dest = args.keep or Path(scratch)
        started, cpu_before = time.perf_counter(), _cpu_seconds()
        build_tiny_models(
            dest, workers=args.workers, progress=lambda done, total, text: print(f"  {text} {done}/{total}")
        )
        wall, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_before
    load_after = os.getloadavg()
    print(f"\ncores: {os.cpu_count()}, workers: {args.workers or os.cpu_count()}")
    print(f"load average before: {load_before[0]:.2f}, after: {load_after[0]:.2f} (1 min)")
    for name, (loss, own) in sorted(seconds.models.items(), key=lambda item: -item[1][1]):
        print(f"  {name:32} {own:6.1f} s of CPU  (final training loss {loss:.4f})")
    print(f"  {'sum of the models':32} {sum(own for _, own in seconds.models.values()):6.1f} s of CPU")
    print(f"whole build: {wall:.1f} s, {cpu:.1f} s of CPU (this process and its workers)")
    if args.json:
        summary = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1)}
        summary |= {"load_before": load_before[0], "load_after": load_after[0]}
        summary["models_s"] = {name: own for name, (_, own) in seconds.models.items()}
        print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
