"""In a 256-colour terminal (tmux, TERM=screen-256color) two themes read back as two colours.

The issue's symptom: at 256 colours the digital-economy tint, the Arctic-route tint and
the selection were all drawn as xterm 23. Here the installed command codes two passages
with two themes, and the escape codes tmux holds for the screen (`capture-pane -e`) must
show each theme's assigned palette entry, different from each other.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
import uuid

from rich.color import Color, ColorSystem

from tests.e2e.test_tmux import (
    _SCRIPT,
    ROOT,
    TAGLINE,
    pytestmark,  # noqa: F401  (skips without tmux)
    tmux,
    wait_for,
)
from tui import colour

THEME_BG = "#1e1e1e"  # textual-dark's reader background


def _xterm(rgb: tuple[int, int, int]) -> int:
    return Color.from_rgb(*rgb).downgrade(ColorSystem.EIGHT_BIT).number


def test_two_themes_show_two_colours_at_256(tmp_path):
    db = tmp_path / "db.json"
    session = f"tagline-colours-{uuid.uuid4().hex[:8]}"
    launch = " ".join(shlex.quote(part) for part in TAGLINE)
    where = tmp_path if _SCRIPT.exists() else ROOT
    command = (
        "unset COLUMNS LINES COLORTERM TEXTUAL_COLOR_SYSTEM NO_COLOR; "
        f"export TERM=screen-256color; cd {shlex.quote(str(where))} && "
        f"{launch} --db {shlex.quote(str(db))}"
    )
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        subprocess.run(
            ["tmux", "resize-window", "-t", session, "-x", "120", "-y", "40"], capture_output=True
        )
        wait_for(session, lambda s: "Quit" in s)
        for _attempt in range(3):
            for key in ("Enter", "s", "1", "Escape"):
                tmux("send-keys", "-t", session, key)
                time.sleep(0.4)
            try:
                wait_for(session, lambda s: "Tagged energy" in s, timeout=10)
                break
            except AssertionError:
                continue
        for key in ("Down", "Down", "Down", "Down", "Down", "Down", "Down", "s", "2", "Escape"):
            tmux("send-keys", "-t", session, key)
            time.sleep(0.3)
        plain = wait_for(session, lambda s: "Tagged digital economy" in s, timeout=10)
        assert "energy" in plain and "digital economy" in plain  # the margin names them
        screen = tmux("capture-pane", "-t", session, "-p", "-e")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    backgrounds = {int(n) for n in re.findall(r"48;5;(\d+)", screen)}
    tints = colour.assign_tints(
        ("#E69F00", "#3A8FD6", "#20A386"), THEME_BG, "#e0e0e0", "256"
    )  # the seed codebook's energy, digital economy, Arctic route
    energy, digital = _xterm(tints[0][0]), _xterm(tints[1][0])
    assert energy != digital
    assert {energy, digital} <= backgrounds, (energy, digital, sorted(backgrounds))
    assert 23 not in {energy, digital}  # the collapsed colour of the issue
