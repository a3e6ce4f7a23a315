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
from tests.snapshot_apps import first_sentence

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

ROOT = Path(__file__).resolve().parent.parent


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
    command = f"cd {shlex.quote(str(ROOT))} && {shlex.quote(sys.executable)} -m tui --db {shlex.quote(str(db))}"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command)
    try:
        wait_for(session, lambda s: article.title[:30] in s)
        wait_for(session, lambda s: "Quit" in s)  # the footer: the app is ready for keys
        tmux("send-keys", "-t", session, "Enter")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "s")
        time.sleep(0.5)
        tmux("send-keys", "-t", session, "1")
        wait_for(session, lambda s: "Tagged energy" in s)
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
        [sys.executable, "-m", "tui", "export", "--db", str(db)],
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
