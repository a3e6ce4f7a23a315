"""The export dialog and `tagline export` are one use case: same choices, same bytes."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, SelectionList

from annotations.formats import FORMATS
from tests.helpers.snapshot_apps import make_app, sync
from tui.cli.main import main

WRITABLE = sorted(name for name, fmt in FORMATS.items() if fmt.writer is not None)


@pytest.mark.parametrize("fmt", WRITABLE)
def test_dialog_and_cli_write_identical_files(tmp_path, seeds, fmt):
    db = tmp_path / "db.json"
    from_dialog = tmp_path / f"dialog.{fmt}"
    from_cli = tmp_path / f"cli.{fmt}"

    @sync
    async def code_and_export() -> None:
        app = make_app(db, seeds)
        async with app.run_test(size=(120, 40)) as pilot:
            # Two passages: one energy, one digital economy; export only energy.
            await pilot.press("enter", "s", "1", "escape", "down", "down", "s", "2", "e")
            await pilot.pause()
            app.screen.query_one("#format", Select).value = fmt
            await pilot.pause()
            themes = app.screen.query_one("#themes", SelectionList)
            themes.select("energy")
            app.screen.query_one("#path", Input).value = str(from_dialog)
            await pilot.press("ctrl+s")
            await app.workers.wait_for_complete()
            await pilot.pause()
        app.workspace.close()

    code_and_export()
    assert len(app_store_themes(db)) == 2
    code = main(["export", "--db", str(db), "-f", fmt, "--theme", "energy", "-o", str(from_cli)])
    assert code == 0
    assert from_dialog.read_bytes() == from_cli.read_bytes()
    assert from_cli.stat().st_size > 0


def app_store_themes(db) -> list[tuple[str, ...]]:
    from annotations.store.tinydb_store import AnnotationStore

    store = AnnotationStore(db, read_only=True)
    try:
        return [a.themes for a in store.all()]
    finally:
        store.close()
