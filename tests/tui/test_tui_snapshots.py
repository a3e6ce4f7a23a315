"""Snapshots of the main screens (pytest-textual-snapshot; regenerate with --snapshot-update)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.snapshot_apps import pretagged_app

SIZE = (120, 40)


async def steady(pilot) -> None:
    """Turn every blinking caret off so the SVG is reproducible."""
    await pilot.pause()
    for widget in pilot.app.screen.query("*"):
        if hasattr(widget, "cursor_blink"):
            widget.cursor_blink = False
    await pilot.pause()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """A relative database path, so the status line reads the same on every run."""
    monkeypatch.chdir(tmp_path)


DB = Path("db.json")


def _run(*keys: str):
    async def run_before(pilot) -> None:
        await steady(pilot)
        if keys:
            await pilot.press(*keys)
        await steady(pilot)

    return run_before


def test_main_screen_with_highlights(snap_compare):
    # Caret in the reader; the second annotation selected (selection over its highlight).
    app = pretagged_app(DB)
    assert snap_compare(app, terminal_size=SIZE, run_before=_run("enter", "]", "]"))


def test_main_screen_light_theme(snap_compare):
    app = pretagged_app(DB, theme="textual-light")
    assert snap_compare(app, terminal_size=SIZE, run_before=_run("enter"))


def test_annotation_panel(snap_compare):
    app = pretagged_app(DB)
    assert snap_compare(app, terminal_size=SIZE, run_before=_run("enter", "a", "]", "]"))


def test_help_screen(snap_compare):
    app = pretagged_app(DB)
    assert snap_compare(app, terminal_size=SIZE, run_before=_run("question_mark"))


def test_theme_picker(snap_compare):
    app = pretagged_app(DB)
    assert snap_compare(app, terminal_size=SIZE, run_before=_run("enter", "s", "t", *"ar"))


def test_dashboard_from_main_app(snap_compare):
    async def run_before(pilot) -> None:
        await steady(pilot)
        await pilot.press("d")
        await pilot.app.workers.wait_for_complete()  # the figures come from a worker
        await steady(pilot)

    app = pretagged_app(DB)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_reader_with_suggestions(snap_compare):
    # Suggestion outlines (underlined, theme colour) beside real highlights; the first selected.
    async def run_before(pilot) -> None:
        await steady(pilot)
        await pilot.press("enter", "g")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("]")
        await steady(pilot)

    app = pretagged_app(DB)
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
