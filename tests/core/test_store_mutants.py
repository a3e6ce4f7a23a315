"""Tests written to kill the surviving `store.py` mutants named in issue 18."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from platformdirs import user_data_dir

from annotations.coverage import Done
from annotations.model import Annotation
from annotations.store.errors import StoreError
from annotations.store.tinydb_store import AnnotationStore, default_db_path
from annotations.themes import Codebook


def test_adding_a_theme_to_an_identical_span_keeps_its_note(store, seeds):
    art = seeds.articles[0]
    first = store.tag(art, 0, 10, ["energy"], note="why I coded it")
    again = store.tag(art, 0, 10, ["Arctic route"])
    assert again.id == first.id and again.note == "why I coded it"
    assert set(again.themes) == {"energy", "Arctic route"}


def test_at_lists_the_innermost_annotation_first(store, seeds):
    art = seeds.articles[0]
    outer = store.tag(art, 0, 60, ["energy"])
    inner = store.tag(art, 20, 30, ["energy"])
    middle = store.tag(art, 10, 40, ["energy"])
    # Text order (start) would be outer, middle, inner: innermost first is the reverse.
    assert [a.id for a in store.at(art.id, 25)] == [inner.id, middle.id, outer.id]
    assert [a.id for a in store.at(art.id, 15)] == [middle.id, outer.id]


def test_recolor_and_cues_change_the_codebook_and_persist(tmp_path):
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        before = s.codebook.get("energy")
        colour = "#123456" if before.color != "#123456" else "#654321"
        s.recolor_theme("energy", colour)
        s.set_theme_cues("energy", ("turbine", "grid"))
        assert s.codebook.get("energy").color == colour
    with AnnotationStore(path) as s:
        theme = s.codebook.get("energy")
        assert theme.color == colour and theme.cues == ("turbine", "grid")


def test_peek_redo_is_what_redo_would_apply(store, seeds):
    art = seeds.articles[0]
    store.tag(art, 0, 10, ["energy"])
    store.tag(art, 20, 30, ["energy"])
    store.set_note(store.for_article(art.id)[0].id, "n")
    labels = [store.undo(), store.undo(), store.undo()]
    assert labels == ["edit note", "tag energy", "tag energy"]
    assert store.peek_redo() is store._redo[-1]
    for _ in range(3):
        expected = store.peek_redo().label
        assert store.redo() == expected
    assert store.peek_redo() is None


def test_default_db_path_from_the_environment_and_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("TAGLINE_DB", "~/somewhere/my.json")
    assert default_db_path() == Path("~/somewhere/my.json").expanduser()
    monkeypatch.delenv("TAGLINE_DB")
    expected = Path(user_data_dir("tagline", appauthor=False)) / "tagline.json"
    assert default_db_path() == expected


# -- store/edits.py: the edits both backends share ---------------------------------------


def test_tagging_an_identical_span_again_changes_nothing(store, seeds):
    art = seeds.articles[0]
    first = store.tag(art, 0, 10, ["energy"])
    again = store.tag(art, 0, 10, ["ENERGY"])
    assert again == first and store.peek_undo().label == "tag energy"
    store.undo()
    assert store.get(first.id) is None and not store.can_undo


def test_a_note_given_for_an_identical_span_replaces_the_old_one(store, seeds):
    art = seeds.articles[0]
    store.tag(art, 0, 10, ["energy"], note="old")
    again = store.tag(art, 0, 10, ["energy"], note="new")
    assert again.note == "new" and again.themes == ("energy",)
    assert store.undo() == "tag energy"
    assert store.for_article(art.id)[0].note == "old"


def test_labels_name_every_theme_added(store, seeds):
    art = seeds.articles[0]
    a = store.tag(art, 0, 10, ["energy", "arctic route"])
    assert a.themes == ("energy", "Arctic route")  # the codebook's spelling
    assert store.peek_undo().label == "tag energy, Arctic route"
    store.tag(art, 0, 10, ["digital economy", "energy"])
    assert store.peek_undo().label == "tag digital economy, energy"


def test_a_client_id_makes_tagging_idempotent(store, seeds):
    art = seeds.articles[0]
    a = store.tag(art, 0, 10, ["energy"], id="client-1")
    assert a.id == "client-1" and store.get("client-1") == a


def test_retag_deletes_when_no_theme_is_left(store, seeds):
    art = seeds.articles[0]
    a = store.tag(art, 0, 10, ["energy"])
    b = store.set_themes(a.id, ["Arctic route", "energy"])
    assert b.themes == ("Arctic route", "energy") and store.undo() == "retag"
    assert store.set_themes(a.id, []) is None
    assert store.get(a.id) is None and store.undo() == "delete"
    assert store.get(a.id).themes == ("energy",)


def test_delete_returns_what_it_deleted_under_its_label(store, seeds):
    art = seeds.articles[0]
    a = store.tag(art, 0, 10, ["energy"])
    assert store.delete(a.id, label="remove passage") == a
    assert store.undo() == "remove passage"


def test_editing_a_missing_annotation_names_it(store):
    for edit in (
        lambda: store.set_note("nope", "x"),
        lambda: store.set_themes("nope", ["energy"]),
        lambda: store.delete("nope"),
    ):
        with pytest.raises(KeyError, match="no annotation nope"):
            edit()


# -- tinydb_store.py ---------------------------------------------------------------------


def test_codebook_edits_are_undoable_under_their_names(tmp_path):
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        old = s.codebook.get("energy").hotkey
        taken = s.codebook.by_hotkey("9")
        s.set_theme_hotkey("energy", "9")
        assert s.codebook.get("energy").hotkey == "9"
        if taken is not None and taken.name != "energy":
            assert s.codebook.get(taken.name).hotkey == ""  # the key moves, never shared
        assert s.peek_undo().label == "hotkey of energy"
        s.recolor_theme("energy", "#123456")
        assert s.peek_undo().label == "recolour energy"
        s.set_theme_cues("energy", ("grid",))
        assert s.peek_undo().label == "cues of energy"
    with AnnotationStore(path) as s:
        assert s.codebook.get("energy").hotkey == "9"
        s.set_theme_hotkey("energy", old)
        assert s.undo() == "hotkey of energy"
        assert s.codebook.get("energy").hotkey == "9"


def test_put_many_replaces_removes_and_respells(store, seeds):
    art = seeds.articles[0]
    a = store.tag(art, 0, 10, ["energy"])
    b = store.tag(art, 20, 30, ["energy"])
    c = store.tag(art, 40, 50, ["energy"])
    moved = replace(a, themes=("ENERGY", "energy", "brand new"), note="merged")
    other = Annotation.create(
        article_id=art.id,
        text=art.text,
        sha256=art.sha256,
        start=60,
        end=70,
        themes=["ENERGY", "another new"],
        note="",
        author="x",
    )
    # `a` is both given and listed for removal: it stays, replaced; `b` goes.
    assert store.put_many([moved, other], remove=[a.id, b.id]) == (1, 1)
    assert store.get(a.id).themes == ("energy", "brand new") and store.get(a.id).note == "merged"
    assert store.get(other.id).themes == ("energy", "another new")
    assert store.get(b.id) is None and store.get(c.id) is not None
    assert {"brand new", "another new"} <= {t.name for t in store.codebook.themes}


def test_marking_done_is_stamped_with_the_time(store, seeds):
    art = seeds.articles[0]
    rec = store.set_done(art.id)
    assert rec.at.endswith("Z") and rec.at[:2] == "20"
    assert store.coverage() == [rec] and store.is_done(art.id)
    assert store.peek_undo().label == f"mark {art.id} done"


def test_summary_counts_annotations_per_theme_per_article(store, seeds):
    one, two = seeds.articles[0], seeds.articles[1]
    store.tag(one, 0, 10, ["energy"])
    store.tag(one, 20, 30, ["energy", "Arctic route"])
    store.tag(two, 0, 10, ["Arctic route"])
    assert store.summary() == {
        one.id: Counter({"energy": 2, "Arctic route": 1}),
        two.id: Counter({"Arctic route": 1}),
    }


def test_usage_hashes_and_rename_label(store, seeds):
    art = seeds.articles[0]
    store.tag(art, 0, 10, ["energy"])
    store.tag(art, 20, 30, ["energy", "Arctic route"])
    assert store.theme_usage("ENERGY") == 2 and store.theme_usage("Arctic route") == 1
    assert store.theme_usage("no such theme") == 0
    assert store.article_hashes() == {art.id: {art.sha256}}
    assert store.rename_theme("energy", "Energy security") == 2
    assert store.undo() == "rename energy to Energy security"


def test_an_import_is_undoable_and_undo_restores_the_coverage_it_replaced(store, seeds):
    art = seeds.articles[0]
    mark = store.set_done(art.id)
    store.set_done(art.id, done=False)
    assert store.peek_undo().label == f"mark {art.id} not done"
    store.undo()
    later = Done(art.id, mark.author, False, "2999-01-01T00:00:00Z")
    store.put_many([], coverage=[later])
    assert not store.is_done(art.id)
    assert store.undo() == "import"
    assert store.is_done(art.id) and store.coverage() == [mark]


def test_a_rejection_records_who_and_when(store):
    store.reject("k1", theme="energy")
    (doc,) = store.storage.read()["_rejections"].values()
    assert doc["theme"] == "energy" and doc["author"] == store.author
    assert doc["at"].endswith("Z") and store.rejections() == {"k1"}


def test_repair_records_installs_the_repaired_codebook(store):
    codebook = Codebook.from_list([{"name": "only", "color": "#112233", "hotkey": "1"}])
    store.repair_records(codebook=codebook)
    assert [t.name for t in store.codebook.themes] == ["only"]


def test_salvage_keeps_every_readable_theme(tmp_path, seeds):
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        s.add_theme("extra")
        s.tag(seeds.articles[0], 0, 10, ["energy"])
        names = [t.name for t in s.codebook.themes]
    data = json.loads(path.read_text())
    data["_codebook"]["codebook"]["themes"].insert(1, {"color": 5})
    del data["_meta"]["store"]["sums"], data["_meta"]["store"]["check"]
    path.write_text(json.dumps(data))
    with AnnotationStore(path, salvage=True, read_only=True) as s:
        assert [t.name for t in s.codebook.themes] == names
        assert any("unreadable theme entry" in d for d in s.storage.damage)


def test_a_deleted_annotation_is_gone_from_the_count_and_membership(store, seeds):
    art = seeds.articles[0]
    a = store.tag(art, 0, 10, ["energy"])
    b = store.tag(art, 20, 30, ["energy"])
    store.delete(a.id)
    assert len(store) == 1 and a.id not in store and b.id in store
    store.undo()
    assert len(store) == 2 and a.id in store


def test_a_malformed_stored_annotation_is_named(tmp_path, seeds):
    path = tmp_path / "db.json"
    art = seeds.articles[0]
    with AnnotationStore(path) as s:
        a = s.tag(art, 0, 10, ["energy"])
    data = json.loads(path.read_text())
    data[f"a:{art.id}"][a.id]["start"] = "zero"
    del data["_meta"]["store"]["sums"], data["_meta"]["store"]["check"]
    path.write_text(json.dumps(data))
    s = AnnotationStore(path, salvage=True, read_only=True)
    with pytest.raises(StoreError, match=f"malformed annotation '{a.id}' of '{art.id}'"):
        s.for_article(art.id)
    s.close()
