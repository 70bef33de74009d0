"""How long a cold ``studybot try`` takes, printed as figures (never a timed test).

``python benchmarks/startup.py [--runs N] [--tiny-dir DIR]``: builds the offline models once (not
timed; a cached build in ``--tiny-dir`` is reused), then starts ``studybot try`` in fresh processes,
each with a database of its own, for a command that runs no model (``/about``) and for a demo on the
offline sentiment model (``/sentiment``), and prints each one's median, min and max wall time from
the start of the process to its exit. These are issue 17's start-up targets: ``/about`` within 2 s
and ``/sentiment`` within 5 s on an idle machine. The load average is printed with them, since these
machines are shared.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "about": "/about",
    "sentiment": "/sentiment text:I've been waiting for a HuggingFace course my whole life.",
}
STUDYBOT = Path(sys.executable).with_name("studybot")


def timed_try(command: str, tiny_dir: Path, scratch: Path) -> float:
    """Seconds from starting ``studybot try COMMAND`` to its exit (a failed run raises)."""
    database = Path(tempfile.mkdtemp(dir=scratch)) / "studybot.sqlite3"
    environment = {
        **os.environ,
        "MODEL_PROFILE": "tiny",
        "TINY_MODELS_DIR": str(tiny_dir),
        "DATABASE_PATH": str(database),
    }
    started = time.perf_counter()
    subprocess.run(
        [str(STUDYBOT), "try", command],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=600,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per command (default 5)")
    parser.add_argument("--tiny-dir", type=Path, help="offline models to use (built there when missing)")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of the figures")
    args = parser.parse_args()

    from bot.inference.tiny import build_tiny_models

    with tempfile.TemporaryDirectory(prefix="studybot-startup-") as tmp:
        scratch = Path(tmp)
        tiny_dir = args.tiny_dir or scratch / "tiny"
        build_tiny_models(tiny_dir)
        load_before = os.getloadavg()[0]
        runs: dict[str, list[float]] = {name: [] for name in COMMANDS}
        for _ in range(args.runs):  # interleaved, so a drifting machine affects both alike
            for name, command in COMMANDS.items():
                runs[name].append(timed_try(command, tiny_dir, scratch))
        load_after = os.getloadavg()[0]
    summary = {
        name: {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times)}
        for name, times in runs.items()
    }
    for name, command in COMMANDS.items():
        figures = summary[name]
        print(
            f"{command.split()[0]:>11}: {figures['median_s']:.2f} s median "
            f"(min {figures['min_s']:.2f}, max {figures['max_s']:.2f}; {args.runs} cold processes)"
        )
    print(f"load average (1 min): {load_before:.1f} before, {load_after:.1f} after")
    if args.json:
        print(json.dumps({**summary, "load_before": load_before, "load_after": load_after}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
