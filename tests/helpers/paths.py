"""Where the repository and the shared folder beside it are, found from this file."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _shared() -> Path:
    """`../shared` beside the repository; from a worktree (`wt/NAME`), the nearest one above."""
    for folder in ROOT.parents:
        if (folder / "shared" / "conformance").is_dir():
            return folder / "shared"
    return ROOT.parent / "shared"


SHARED = _shared()
