"""The worker pool benchmark: naive vs ideal vs pool, printed as figures (never a timed test).

Same as ``studybot bench``: ``python benchmarks/pool.py [--quick] [--json] [--threads N]``.
See bot/inference/bench.py for what is measured and how.
"""

import sys

from bot.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
