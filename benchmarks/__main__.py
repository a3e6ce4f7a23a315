"""Run every benchmark in one go: `python -m benchmarks [--quick]`.

Each prints its figures with its target and, where one exists, the naive
baseline measured in the same run. `--quick` uses small sizes (about a
minute; CI runs it so a benchmark that crashes fails the build); the full run takes ~10 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

FULL = [
    ["benchmarks.store_bench"],
    ["benchmarks.store_scale"],
    ["benchmarks.startup_bench"],
    ["benchmarks.startup_outside"],
    ["benchmarks.search_bench", "--n", "10000"],
    ["benchmarks.tui_bench"],
    ["benchmarks.anchoring_bench", "--rounds", "20"],
    ["benchmarks.suggest_bench"],
    ["benchmarks.team_bench"],
]
QUICK = [
    ["benchmarks.store_bench", "--quick"],
    ["benchmarks.store_scale", "--articles", "1000"],
    ["benchmarks.startup_bench", "--articles", "300", "--annotations", "3000"],
    ["benchmarks.search_bench", "--quick"],
    ["benchmarks.tui_bench", "--quick"],
    ["benchmarks.anchoring_bench", "--rounds", "1"],
    ["benchmarks.suggest_bench", "--scale", "4"],
    ["benchmarks.team_bench", "--quick"],
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    args = ap.parse_args()
    failed = 0
    for module, *rest in QUICK if args.quick else FULL:
        print(f"\n=== {module} {' '.join(rest)}", flush=True)
        t = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", module, *rest])
        print(f"=== {module}: {time.perf_counter() - t:.0f}s" + (f", exit {code}" if code else ""))
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
