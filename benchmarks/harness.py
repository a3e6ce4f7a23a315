"""What every benchmark shares: the machine it ran on, percentiles, memory.

Figures only mean something beside the machine and how busy it was, so each
benchmark starts with `print_header(...)`: cores, Python, Textual, the 1-minute
load average and whether that counts as quiet (below a quarter of a core).
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time
from datetime import UTC, datetime
from importlib import metadata


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def machine() -> dict[str, str | int | float | bool]:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    cores = os.cpu_count() or 1
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": cores,
        "python": platform.python_version(),
        "textual": _version("textual"),
        "tinydb": _version("tinydb"),
        "rapidfuzz": _version("rapidfuzz"),
        "load_1min": round(load, 2),
        "quiet": load < 0.25 * cores,
    }


def print_header(name: str, command: str | None = None) -> None:
    """One line naming the benchmark, the command, the machine and how quiet it was."""
    m = machine()
    cmd = command or "python -m " + " ".join([name, *sys.argv[1:]])
    quiet = "quiet" if m["quiet"] else f"BUSY (load {m['load_1min']})"
    print(
        f"# {name} | `{cmd}` | {m['date']} | {m['cores']} cores, Python {m['python']}, "
        f"Textual {m['textual']} | load {m['load_1min']}: {quiet}",
        flush=True,
    )


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile by nearest rank (p in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stopwatch:
    """`with Stopwatch() as t: ...` then `t.ms`."""

    def __enter__(self) -> Stopwatch:
        self._t = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.ms = (time.perf_counter() - self._t) * 1000
