"""Drive the installed command in a real terminal (tmux): start, enter, s, 1, q; then export."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from annotations.corpus import load_corpus
from tests.helpers.snapshot_apps import first_sentence

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

ROOT = Path(__file__).resolve().parents[2]
# The console script pip installed beside this interpreter (CI's venv), else the module.
_SCRIPT = Path(sys.executable).with_name("tagline")
TAGLINE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "tui"]


def tmux(*args: str) -> str:
    return subprocess.run(
        ["tmux", *args], check=True, capture_output=True, text=True, timeout=30
    ).stdout


def wait_for(session: str, predicate, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-t", session, "-p")
        if predicate(screen):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"timed out; the screen was:\n{screen}")


def test_tag_first_sentence_in_tmux(tmp_path):
    db = tmp_path / "db.json"
    article = load_corpus().articles[0]
    session = f"tagline-test-{uuid.uuid4().hex[:8]}"
    # COLUMNS/LINES leak into the tmux server's environment from pytest and would pin
    # the app to 80x24: the terminal must tell the app its size.
    # Run from a folder outside the repo, so the installed package (and its bundled
    # seeds) is what starts, not the checkout.
    launch = " ".join(shlex.quote(part) for part in TAGLINE)
    where = tmp_path if _SCRIPT.exists() else ROOT
    command = (
        f"unset COLUMNS LINES; cd {shlex.quote(str(where))} && {launch} --db {shlex.quote(str(db))}"
    )
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        # A fresh, detached server may ignore -x/-y: size the window explicitly.
        subprocess.run(
            ["tmux", "resize-window", "-t", session, "-x", "120", "-y", "40"], capture_output=True
        )
        wait_for(session, lambda s: article.title[:30] in s)
        wait_for(session, lambda s: "Quit" in s)  # the footer: the app is drawn
        # Keys sent while the app is still setting up its input can be dropped: retry the
        # whole sequence (enter puts the caret back at the start, so a retry is the same).
        for _attempt in range(3):
            for key in ("Enter", "s", "1"):
                tmux("send-keys", "-t", session, key)
                time.sleep(0.5)
            try:
                wait_for(session, lambda s: "Tagged energy" in s, timeout=10)
                break
            except AssertionError:
                continue
        wait_for(session, lambda s: "Tagged energy" in s, timeout=1)
        tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            alive = subprocess.run(["tmux", "has-session", "-t", session], capture_output=True)
            if alive.returncode != 0:  # the app quit and its session closed
                break
            time.sleep(0.2)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    out = subprocess.run(
        [*TAGLINE, "export", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 1
    (record,) = records
    start, end = first_sentence(article.text)
    assert record["themes"] == ["energy"]
    assert record["article_id"] == article.id
    assert (record["start"], record["end"]) == (start, end)
    assert record["exact"] == article.text[start:end]
