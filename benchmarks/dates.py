"""What reading a typed date costs (bot/when.py over dateparser), printed as figures.

``python benchmarks/dates.py``: in fresh interpreters, the time to import dateparser, the first
reading (dateparser loads its English data then), and the median of later readings, so the lazy
import in bot/when.py can be weighed. Each figure is the median of five fresh processes.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

PROBE = """
import json, time
from zoneinfo import ZoneInfo
from bot.clock import utc
from bot.when import read_when  # imports discord.py, not dateparser
started = time.perf_counter()
import dateparser.date  # noqa: F401
imported = time.perf_counter()
zone, now = ZoneInfo("Europe/Paris"), utc(2031, 3, 17, 9)
read_when("next friday 18:00", zone, now)
first = time.perf_counter()
later = []
for text in ["tomorrow", "in 2 days", "friday 6pm", "8 dec", "2031-12-08 18:00", "whenever"] * 20:
    begin = time.perf_counter()
    read_when(text, zone, now)
    later.append(time.perf_counter() - begin)
later.sort()
figures = {"import_s": imported - started, "first_s": first - imported, "later_s": later[len(later) // 2]}
print(json.dumps(figures))
"""


def main() -> int:
    runs = [
        json.loads(
            subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
        )
        for _ in range(5)
    ]
    for key, label in (
        ("import_s", "import dateparser"),
        ("first_s", "first reading"),
        ("later_s", "a later reading"),
    ):
        values = [run[key] * 1000 for run in runs]
        print(
            f"{label:>18}: {statistics.median(values):8.2f} ms (min {min(values):.2f}, max {max(values):.2f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
