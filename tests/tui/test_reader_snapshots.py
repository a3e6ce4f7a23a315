"""Every view at the supported sizes, and the reader at 16 and 256 colours (issue 12).

80x24 is the smallest supported terminal, 120x40 the common one, 200x60 a wide one.
The main screen carries nested and same-theme overlaps, margin labels and the
annotations panel. Regenerate with `--snapshot-update` and look at the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.snapshot_apps import overlaps_app

SIZES = [(80, 24), (120, 40), (200, 60)]
DB = Path("db.json")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """A relative database path and export folder: the same screen on every run."""
    monkeypatch.chdir(tmp_path)


async def steady(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    for widget in pilot.app.screen.query("*"):
        if hasattr(widget, "cursor_blink"):
            widget.cursor_blink = False
    await pilot.pause()


def keys(*pressed: str):
    async def run_before(pilot) -> None:
        await steady(pilot)
        for key in pressed:
            await pilot.press(key)
            await steady(pilot)
        for box in pilot.app.screen.query("#path"):  # the export path: not the tmp folder
            box.value = "tagline-export.jsonl"
            box.cursor_blink = False
        await pilot.pause()

    return run_before


# The panel open, the reader scrolled to the last annotation (the nested Arctic ones),
# selection cleared so the highlights and the margin show.
MAIN = ("enter", "a", "[", "escape")

VIEWS = {
    "main": MAIN,
    "search": ("slash", *"Arctic shiping route"),
    "retrieve": ("r",),
    "export": ("e",),
    "note": ("enter", "]", "n"),
    "help": ("question_mark",),
    "dashboard": ("d",),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", list(VIEWS))
def test_view(snap_compare, view, size):
    assert snap_compare(overlaps_app(DB), terminal_size=size, run_before=keys(*VIEWS[view]))


@pytest.mark.parametrize("system", ["256", "standard"])
def test_main_screen_in_fewer_colours(snap_compare, system):
    app = overlaps_app(DB)
    app.colour_system = system
    assert snap_compare(app, terminal_size=(120, 40), run_before=keys(*MAIN))
