"""Tests written to kill the surviving `store.py` mutants named in issue 18."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir

from annotations.store.tinydb_store import AnnotationStore, default_db_path


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
