"""Start-up as a person sees it: launch `tagline` in a real terminal, poll until usable.

A tmux window of 120×40 runs the installed command; the screen is captured every
20 ms until the article list and the first article's text are both on it (the
first usable screen). Runs each scenario `--runs` times and reports the median
and worst, warm (caches built by a first, discarded launch) and cold (cache
folder emptied first). Needs tmux.

    python -m benchmarks.startup_outside [--articles 10000] [--annotations 100000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus_gen import write_workspace
from benchmarks.harness import print_header

# Unique per run, so two people benchmarking on one machine never share a session.
SESSION = f"tagline-startup-{os.getpid()}"
TIMEOUT = 60.0


def _tagline() -> str:
    found = shutil.which("tagline", path=str(Path(sys.executable).parent)) or shutil.which(
        "tagline"
    )
    if found is None:
        raise SystemExit("tagline is not installed beside this Python: pip install .")
    return found


def _screen() -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", SESSION], capture_output=True, text=True
    ).stdout


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of `pid` and its descendants so far: on a busy machine
    the wall time stretches with the load, the CPU time much less."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += times.get(p, 0.0)
        todo.extend(children.get(p, []))
    return total


def launch(
    corpus: Path | None, db: Path, cache: Path, title: str, words: str
) -> tuple[float, float]:
    """Seconds from launch until `title` (list) and `words` (reader) are both on screen,
    and the CPU seconds the program had used by then."""
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    cmd = [_tagline(), "--db", str(db)] + (["--corpus", str(corpus)] if corpus else [])
    env = {
        k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX", "TMUX_PANE")
    }
    env["TAGLINE_CACHE"] = str(cache)
    shell = " ".join(f"'{c}'" for c in cmd)
    for attempt in range(5):
        t0 = time.perf_counter()
        started = subprocess.run(
            ["tmux", "new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", shell],
            env=env,
            capture_output=True,
        )
        if started.returncode == 0:
            break
        # The previous run's session was the server's last: a new one can reach the
        # server while it exits ("server exited unexpectedly"). Try again.
        time.sleep(0.2 * (attempt + 1))
    else:
        raise SystemExit(f"tmux new-session failed: {started.stderr.decode().strip()}")
    pane = subprocess.run(
        ["tmux", "display-message", "-p", "-t", SESSION, "#{pane_pid}"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    try:
        while time.perf_counter() - t0 < TIMEOUT:
            screen = _screen()
            if title in screen and words in screen:
                wall = time.perf_counter() - t0
                return wall, _cpu_seconds(int(pane)) if pane.isdigit() else float("nan")
            time.sleep(0.02)
        raise SystemExit(f"not usable after {TIMEOUT:.0f} s; last screen:\n{_screen()}")
    finally:
        subprocess.run(["tmux", "send-keys", "-t", SESSION, "q"], capture_output=True)
        time.sleep(0.3)
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)


def _marks(corpus: Path | None) -> tuple[str, str]:
    """A piece of the first listed title and of the first article's text to wait for."""
    from annotations.corpus import load_corpus

    first = load_corpus([corpus] if corpus else None).articles[0]
    title = first.title[:20]
    words = " ".join(first.text.split()[:3])[:20]
    return title, words


def scenario(name: str, corpus: Path | None, db: Path, folder: Path, runs: int) -> dict:
    title, words = _marks(corpus)
    cache = folder / f"cache-{name}"
    cold = []
    for _ in range(runs):
        shutil.rmtree(cache, ignore_errors=True)
        cold.append(launch(corpus, db, cache, title, words))
    launch(corpus, db, cache, title, words)  # warm the caches
    warm = [launch(corpus, db, cache, title, words) for _ in range(runs)]
    return {
        "warm": [w for w, _ in warm],
        "cold": [w for w, _ in cold],
        "warm_cpu": [c for _, c in warm],
        "cold_cpu": [c for _, c in cold],
    }


def reuse_workspace(folder: Path, args: argparse.Namespace) -> tuple[Path, Path]:
    """The workspace in `folder`: generated unless a previous run left it there."""
    corpus_dir, db = folder / "corpus", folder / "db.json"
    if corpus_dir.is_dir() and db.exists():
        return corpus_dir, db
    return write_workspace(folder, args.articles, args.annotations)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--annotations", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument(
        "--workspace",
        type=Path,
        help="reuse (or create once) the large corpus and store in this folder",
    )
    args = ap.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed: skipped")
        return 0
    print_header("benchmarks.startup_outside")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus_dir, db = reuse_workspace(args.workspace or folder / "big", args)
        results = {
            "seeds (5, empty store)": scenario(
                "seeds", None, folder / "seeds.json", folder, args.runs
            ),
            f"{args.articles:,} articles + {args.annotations:,} annotations": scenario(
                "big", corpus_dir, db, folder, args.runs
            ),
        }
    print(f"\nFirst usable screen from outside (tmux 120×40, median / worst of {args.runs})")
    print(f"{'scenario':44} {'warm (s)':>16} {'cold (s)':>16} {'CPU warm / cold':>16}")
    for name, r in results.items():
        warm = f"{statistics.median(r['warm']):.2f} / {max(r['warm']):.2f}"
        cold = f"{statistics.median(r['cold']):.2f} / {max(r['cold']):.2f}"
        cpu = f"{statistics.median(r['warm_cpu']):.2f} / {statistics.median(r['cold_cpu']):.2f}"
        print(f"{name:44} {warm:>16} {cold:>16} {cpu:>16}")
    print("targets: seeds < 0.5 s; large < 1.0 s warm, < 2.5 s cold")
    print("CPU: seconds the program had used when usable (median); on a busy machine the wall")
    print("time grows with the load average, the CPU time much less")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
