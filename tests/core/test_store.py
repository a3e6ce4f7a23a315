"""The annotation store: round trips, twins, undo, durability, locking, corruption."""

from __future__ import annotations

import errno
import json
import os
import stat

import pytest

from annotations.store.journal import (
    CorruptStoreError,
    ReadOnlyError,
    StoreLockedError,
    StoreWriteError,
)
from annotations.store.tinydb_store import AnnotationStore
from annotations.themes import ThemeError


def first(seeds):
    return seeds.articles[0]


def test_round_trip_survives_reopen(tmp_path, seeds):
    art = first(seeds)
    with AnnotationStore(tmp_path / "db.json", author="ana") as s:
        a = s.tag(art, 10, 40, ["energy", "Arctic route"], note="a note ✓")
    with AnnotationStore(tmp_path / "db.json") as s:
        got = s.get(a.id)
    assert got == a
    assert got.exact == art.text[10:40]
    assert got.prefix == art.text[0:10] and got.suffix == art.text[40:72]
    assert got.author == "ana" and got.article_sha256 == art.sha256
    assert got.created.endswith("Z") and got.status == "anchored"


def test_reopen_without_close_replays_the_journal(tmp_path, seeds):
    s = AnnotationStore(tmp_path / "db.json")
    a = s.tag(first(seeds), 0, 5, ["energy"])
    s.storage._lock.release()  # as if the process died: no compaction, no clean close
    with AnnotationStore(tmp_path / "db.json") as again:
        assert again.get(a.id) == a


def test_exact_twin_adds_theme_instead_of_duplicating(store, seeds):
    art = first(seeds)
    a = store.tag(art, 5, 20, ["energy"])
    b = store.tag(art, 5, 20, ["digital economy"])
    assert a.id == b.id and b.themes == ("energy", "digital economy")
    assert len(store.for_article(art.id)) == 1


def test_overlaps_are_separate_annotations(store, seeds):
    art = first(seeds)
    store.tag(art, 0, 30, ["energy"])
    store.tag(art, 10, 50, ["Arctic route"])
    assert [a.themes for a in store.at(art.id, 15)] == [("energy",), ("Arctic route",)]


def test_undo_redo_every_kind_of_change(store, seeds):
    art = first(seeds)
    a = store.tag(art, 0, 10, ["energy"])
    store.set_note(a.id, "why")
    store.set_themes(a.id, [*a.themes, "Arctic route"], "add Arctic route")
    store.delete(a.id)
    assert store.get(a.id) is None
    assert store.undo() == "delete"
    assert store.get(a.id).themes == ("energy", "Arctic route")
    assert store.undo() == "add Arctic route"
    assert store.undo() == "edit note"
    assert store.get(a.id).note == ""
    assert store.undo() == "tag energy"
    assert store.get(a.id) is None and store.undo() is None
    assert store.redo() == "tag energy"
    assert store.redo() == "edit note"
    assert store.get(a.id).note == "why"


def test_undo_survives_in_the_file(tmp_path, seeds):
    with AnnotationStore(tmp_path / "db.json") as s:
        a = s.tag(first(seeds), 0, 10, ["energy"])
        s.delete(a.id)
        s.undo()
    with AnnotationStore(tmp_path / "db.json") as s:
        assert s.get(a.id) is not None


def test_rename_theme_updates_annotations_and_is_undoable(store, seeds):
    art = first(seeds)
    a = store.tag(art, 0, 10, ["energy"])
    assert store.rename_theme("ENERGY", "Energy security") == 1
    assert store.get(a.id).themes == ("Energy security",)
    assert store.codebook.get("energy") is None
    store.undo()
    assert store.get(a.id).themes == ("energy",) and store.codebook.get("energy")


def test_remove_theme_in_use_needs_force(store, seeds):
    art = first(seeds)
    a = store.tag(art, 0, 10, ["energy", "Arctic route"])
    b = store.tag(art, 20, 30, ["energy"])
    with pytest.raises(ThemeError, match="used by 2"):
        store.remove_theme("energy")
    assert store.remove_theme("energy", force=True) == 2
    assert store.get(a.id).themes == ("Arctic route",) and store.get(b.id) is None


def test_add_theme_takes_next_free_hotkey_and_colour(store):
    t = store.add_theme("sanctions")
    assert t.hotkey == "4" and t.color not in {x.color for x in store.codebook if x is not t}
    with pytest.raises(ThemeError):
        store.add_theme("Sanctions")


def test_offsets_outside_text_are_refused(store, seeds):
    art = first(seeds)
    with pytest.raises(ValueError):
        store.tag(art, 5, len(art.text) + 1, ["energy"])
    with pytest.raises(ValueError):
        store.tag(art, 5, 5, ["energy"])


def test_files_are_private(tmp_path, seeds):
    folder = tmp_path / "new" / "place"
    with AnnotationStore(folder / "db.json") as s:
        s.tag(first(seeds), 0, 10, ["energy"])
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("db.json", "db.json.journal"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600


def test_second_writer_is_refused_and_reader_allowed(tmp_path, seeds):
    with AnnotationStore(tmp_path / "db.json") as s:
        a = s.tag(first(seeds), 0, 10, ["energy"])
        with pytest.raises(StoreLockedError, match="in use by another Tagline"):
            AnnotationStore(tmp_path / "db.json")
        ro = AnnotationStore(tmp_path / "db.json", read_only=True)
        assert ro.get(a.id) == a
        with pytest.raises(ReadOnlyError):
            ro.tag(first(seeds), 20, 30, ["energy"])
        assert ro.get(a.id) == a and len(ro) == 1
        ro.close()


def test_corrupt_database_is_reported_and_left_untouched(tmp_path):
    path = tmp_path / "db.json"
    path.write_text('{"a:x": {"1": {"id": ')
    before = path.read_bytes()
    with pytest.raises(CorruptStoreError, match="db.json: the database is corrupt"):
        AnnotationStore(path)
    assert path.read_bytes() == before


def test_damaged_journal_middle_is_corruption_torn_tail_is_not(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    a = s.tag(first(seeds), 0, 10, ["energy"])
    b = s.tag(first(seeds), 20, 30, ["energy"])
    s.storage._lock.release()
    journal = path.with_name("db.json.journal")
    lines = journal.read_bytes().split(b"\n")
    # A kill mid-append leaves a partial last line: ignored, earlier writes kept.
    journal.write_bytes(b"\n".join(lines[:-2]) + b"\n" + lines[-2][:15])
    with AnnotationStore(path) as again:
        assert again.get(a.id) is not None and again.get(b.id) is None
    # Damage in the middle of a journal is not guessed at.
    s = AnnotationStore(path)
    s.tag(first(seeds), 40, 50, ["energy"])
    s.tag(first(seeds), 60, 70, ["energy"])
    s.storage._lock.release()
    lines = journal.read_bytes().split(b"\n")
    lines[1] = b'{"set": garbage'
    journal.write_bytes(b"\n".join(lines))
    snapshot = path.read_bytes()
    with pytest.raises(CorruptStoreError, match=r"journal:2: damaged"):
        AnnotationStore(path)
    assert path.read_bytes() == snapshot


def _fail_with(store, code):
    def boom(line):
        raise OSError(code, os.strerror(code))

    store.storage._append = boom


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_failed_save_rolls_back(tmp_path, seeds, code):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    art = first(seeds)
    a = s.tag(art, 0, 10, ["energy"])
    real = s.storage._append
    _fail_with(s, code)
    with pytest.raises(StoreWriteError, match=os.strerror(code)):
        s.tag(art, 20, 30, ["energy"])
    with pytest.raises(StoreWriteError):
        s.set_themes(a.id, ["energy", "Arctic route"])
    with pytest.raises(StoreWriteError):
        s.rename_theme("energy", "power")
    assert [x.id for x in s.for_article(art.id)] == [a.id]
    assert s.get(a.id).themes == ("energy",) and s.codebook.get("energy")
    assert [c.label for c in s._undo] == ["tag energy"]  # failed changes are not undoable
    s.storage._append = real
    b = s.tag(art, 20, 30, ["energy"])
    s.close()
    with AnnotationStore(path) as again:
        assert {x.id for x in again.all()} == {a.id, b.id}


def test_put_many_is_all_or_nothing_on_failure(store, seeds):
    art = first(seeds)
    from annotations.model import Annotation

    anns = [
        Annotation.create(
            article_id=art.id,
            text=art.text,
            sha256=art.sha256,
            start=i,
            end=i + 5,
            themes=["new theme"],
        )
        for i in range(0, 50, 10)
    ]
    _fail_with(store, errno.ENOSPC)
    with pytest.raises(StoreWriteError):
        store.put_many(anns)
    assert len(store) == 0 and store.codebook.get("new theme") is None


def test_snapshot_is_plain_tinydb_json(tmp_path, seeds):
    with AnnotationStore(tmp_path / "db.json") as s:
        a = s.tag(first(seeds), 0, 10, ["energy"])
    data = json.loads((tmp_path / "db.json").read_text())
    assert data[f"a:{a.article_id}"][a.id]["exact"] == a.exact
    assert data["_meta"]["store"]["format"] == 1


def test_database_deleted_while_open_is_written_back(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    a = s.tag(first(seeds), 0, 10, ["energy"])
    s.compact()
    path.unlink()
    path.with_name("db.json.journal").unlink()
    assert "was deleted" in s.storage.external_change()
    b = s.tag(first(seeds), 20, 30, ["energy"])
    assert s.storage.external_change() is None
    s.storage._lock.release()  # no clean close: the files alone must hold both
    with AnnotationStore(path) as again:
        assert {x.id for x in again.all()} == {a.id, b.id}


def test_database_replaced_while_open_is_never_overwritten(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    s.compact()
    s.tag(first(seeds), 40, 50, ["energy"])  # journaled: close() would compact
    replacement = tmp_path / "other.json"
    replacement.write_text('{"_meta": {"store": {"format": 1, "gen": 7}}}')
    replacement.replace(path)
    with pytest.raises(StoreWriteError, match="replaced by another program"):
        s.tag(first(seeds), 20, 30, ["energy"])
    assert len(s.for_article(first(seeds).id)) == 2
    s.close()
    assert json.loads(path.read_text()) == {"_meta": {"store": {"format": 1, "gen": 7}}}


def test_workspace_notices_edited_and_deleted_files(tmp_path):
    from annotations.workspace import open_workspace

    folder = tmp_path / "c"
    folder.mkdir()
    path = folder / "a.txt"
    path.write_text("Headline for the test here\n\nThe pipeline opened in May. Gas flows.\n")
    ws = open_workspace([folder], tmp_path / "db.json")
    art = ws.corpus.get("a.txt")
    start = art.text.index("Gas flows.")
    ann = ws.store.tag(art, start, start + 10, ["energy"])
    assert ws.check_disk("a.txt") == ([], False)
    path.write_text(
        "Headline for the test here\n\nAn added line.\nThe pipeline opened in May. Gas flows.\n"
    )
    messages, reloaded = ws.check_disk("a.txt")
    assert reloaded and "changed on disk: reloaded; 1 annotation re-anchored" in messages[0]
    moved = ws.store.get(ann.id)
    assert (
        ws.corpus.get("a.txt").text[moved.start : moved.end] == "Gas flows."
        and moved.status == "reanchored"
    )
    path.unlink()
    messages, _ = ws.check_disk("a.txt")
    assert messages == [f"{path} was deleted; its annotations are kept"]
    assert ws.check_disk("a.txt") == ([], False)  # said once
    (tmp_path / "db.json").unlink(missing_ok=True)
    ws.store.compact()
    (tmp_path / "db.json").unlink()
    messages, _ = ws.check_disk()
    assert messages == [f"{tmp_path / 'db.json'} was deleted; written back from memory"]
    assert (tmp_path / "db.json").exists()
    ws.close()
