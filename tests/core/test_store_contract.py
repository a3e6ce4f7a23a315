"""The store contract (`annotations.store.protocol.Store`), run against every backend."""

from __future__ import annotations

from collections import Counter

import pytest

from annotations.corpus import Corpus
from annotations.session import AnnotatingSession, Toggled
from annotations.store.errors import ReadOnlyError
from annotations.store.protocol import Change, Store
from annotations.themes import ThemeError
from tests.helpers.backends import BACKENDS, Opener
from tests.helpers.factories import ann, make_article

E, D, A = "energy", "digital economy", "Arctic route"
ART = make_article("one.txt", "Energy prices rose. The Arctic route opened. " * 4)
TWO = make_article("two.txt", "Digital markets grew fast, and energy followed. " * 3)


@pytest.fixture(params=sorted(BACKENDS))
def opener(request, tmp_path) -> Opener:
    with BACKENDS[request.param](request, tmp_path) as opener:
        yield opener


@pytest.fixture
def store(opener):
    s = opener()
    yield s
    s.close()


def test_backend_satisfies_the_protocol(store):
    assert isinstance(store, Store)
    assert not store.read_only and store.author == "ana" and store.location


def test_tag_reads_back_everywhere(store):
    a = store.tag(ART, 0, 19, [E], note="a note ✓")
    assert a.exact == ART.text[0:19] and a.author == "ana" and a.article_sha256 == ART.sha256
    assert store.get(a.id) == a and a.id in store and "nope" not in store
    assert len(store) == 1 and store.article_ids() == [ART.id]
    assert store.for_article(ART.id) == [a] and store.for_article(TWO.id) == []
    assert store.at(ART.id, 5) == [a] and store.at(ART.id, 19) == []
    assert store.exact(ART.id, 0, 19) == a and store.exact(ART.id, 0, 18) is None
    assert store.theme_counts(ART.id) == Counter({E: 1})
    assert store.summary() == {ART.id: Counter({E: 1})}
    assert store.authors() == ["ana"] and store.annotation_count(ART.id) == 1
    assert list(store.all()) == [a]


def test_identity_is_kept_and_reopened(opener):
    """What told a passage apart when tagged (re-anchoring's evidence from the old
    text) survives a reopen; the repeated sentence is a twin, told apart by its reach."""
    with opener() as s:
        one = s.tag(ART, 0, 6, [E])  # "Energy": the article repeats its sentences
        assert one.identity is not None and one.identity.copies > 1
        assert one.identity.reach[1] > 0 and len(one.identity.digest[1]) == 16
    with opener(read_only=True) as again:
        assert again.get(one.id).identity == one.identity


def test_reopen_keeps_annotations_codebook_and_rejections(opener):
    with opener() as s:
        a = s.tag(ART, 20, 44, [A, E])
        s.add_theme("ice", "#336699", cues=("ice", "floe"))
        s.reject("k1", theme=E, article_id=ART.id)
    with opener(read_only=True) as again:
        assert again.get(a.id) == a and again.for_article(ART.id) == [a]
        theme = again.codebook.get("ice")
        assert theme is not None and theme.color == "#336699" and theme.cues == ("ice", "floe")
        assert again.rejections() == {"k1"}


def test_order_is_start_then_longer_first_innermost_at(store):
    outer = store.tag(ART, 0, 44, [E])
    inner = store.tag(ART, 20, 30, [A])
    same_start = store.tag(ART, 0, 10, [D])
    assert store.for_article(ART.id) == [outer, same_start, inner]
    assert store.at(ART.id, 25) == [inner, outer]
    assert store.at(ART.id, 5) == [same_start, outer]


def test_all_streams_in_article_order(store):
    b = store.tag(TWO, 0, 10, [D])
    a = store.tag(ART, 0, 10, [E])
    assert store.article_ids() == sorted([ART.id, TWO.id])
    assert list(store.all()) == ([a, b] if ART.id < TWO.id else [b, a])


def test_exact_twin_gets_the_theme_added(store):
    a = store.tag(ART, 5, 20, [E])
    b = store.tag(ART, 5, 20, [D])
    assert a.id == b.id and b.themes == (E, D) and len(store) == 1
    assert store.tag(ART, 5, 20, [E]) == b  # nothing new: no change


def test_session_toggle_creates_adds_removes_and_deletes(store):
    session = AnnotatingSession(store, Corpus([ART]))
    session.open(ART.id)
    r = session.toggle((0, 10), 10, E)
    assert r.outcome is Toggled.TAGGED and r.annotation is not None
    r = session.toggle((0, 10), 10, "DIGITAL ECONOMY")  # codebook spelling
    assert r.outcome is Toggled.ADDED and r.annotation.themes == (E, D)
    r = session.toggle((3, 3), 3, E)
    assert r.outcome is Toggled.REMOVED and r.annotation.themes == (D,)
    r = session.toggle((3, 3), 3, D)
    assert r.outcome is Toggled.DELETED and r.theme == D and r.annotation is None
    assert len(store) == 0 and store.article_ids() == []


def test_subscribers_hear_saved_changes_only(store):
    heard: list[Change] = []
    unsubscribe = store.subscribe(heard.append)
    a = store.tag(ART, 0, 10, [E])
    with pytest.raises(ThemeError):
        store.tag(ART, 0, 10, ["no such theme"])
    store.undo()
    store.redo()
    unsubscribe()
    store.delete(a.id)
    assert heard[0].label == f"tag {E}" and [c.articles for c in heard] == [{ART.id}] * 3
    assert [len(c.after) for c in heard] == [1, 0, 1]  # undo heard as written


def test_set_themes_note_and_delete(store):
    a = store.tag(ART, 0, 10, [E])
    b = store.set_themes(a.id, [D, A])
    assert b.themes == (D, A) and store.get(a.id).themes == (D, A)
    c = store.set_note(a.id, "why ✓")
    assert c.note == "why ✓" and c.updated >= a.updated and c.created == a.created
    assert store.delete(a.id).id == a.id and a.id not in store
    with pytest.raises(KeyError):
        store.delete(a.id)
    x = store.tag(ART, 0, 10, [E])
    assert store.set_themes(x.id, []) is None and len(store) == 0


def test_unknown_theme_is_refused(store):
    with pytest.raises(ThemeError):
        store.tag(ART, 0, 10, ["no such theme"])
    assert len(store) == 0


def test_put_many_adds_updates_and_extends_the_codebook(store):
    a = ann(ART, 0, 10, E, author="bob", id="p1")
    b = ann(TWO, 5, 15, "brand new", author="cy", id="p2")
    assert store.put_many([a, b]) == (2, 0)
    assert store.get("p1") == a and store.codebook.get("brand new") is not None
    assert store.authors() == ["bob", "cy"]
    moved = ann(ART, 20, 30, "ENERGY", author="bob", id="p2")  # moved article, other case
    assert store.put_many([moved]) == (0, 1)
    got = store.get("p2")
    assert got.article_id == ART.id and got.themes == (E,) and store.for_article(TWO.id) == []
    assert store.undo() == "import" and store.get("p2") == b


def test_put_many_not_undoable(store):
    store.put_many([ann(ART, 0, 10, E, id="q")], label="re-anchor", undoable=False)
    assert not store.can_undo and store.get("q") is not None


def test_undo_redo_labels_and_peek(store):
    assert store.undo() is None and store.redo() is None and store.peek_undo() is None
    a = store.tag(ART, 0, 10, [E])
    store.set_note(a.id, "n")
    peek = store.peek_undo()
    assert isinstance(peek, Change) and peek.label == "edit note"
    assert store.undo() == "edit note" and store.get(a.id).note == ""
    assert store.can_redo and store.peek_redo().label == "edit note"
    assert store.undo() == f"tag {E}" and a.id not in store
    assert store.redo() == f"tag {E}" and store.get(a.id) == a
    assert store.redo() == "edit note" and store.get(a.id).note == "n"
    store.undo()
    store.tag(ART, 30, 40, [D])  # a new change clears redo
    assert not store.can_redo


def test_codebook_changes_and_their_undo(store):
    store.add_theme("ice", hotkey=None)
    store.recolor_theme("ice", "#FF0000")
    assert store.codebook.get("ice").color == "#FF0000"
    store.set_theme_cues("ice", ("floe",))
    assert store.codebook.get("ice").cues == ("floe",)
    a = store.tag(ART, 0, 10, ["ice", E])
    assert store.theme_usage("ice") == 1
    assert store.rename_theme("ice", "sea ice") == 1
    assert store.get(a.id).themes == ("sea ice", E) and store.codebook.get("ice") is None
    assert store.undo() == "rename ice to sea ice"
    assert store.get(a.id).themes == ("ice", E) and store.codebook.get("ice") is not None


def test_remove_theme_refused_while_used_unless_forced(store):
    only = store.tag(ART, 0, 10, [A])
    both = store.tag(ART, 20, 30, [A, E])
    with pytest.raises(ThemeError):
        store.remove_theme(A)
    assert store.codebook.get(A) is not None
    assert store.remove_theme(A, force=True) == 2
    assert only.id not in store and store.get(both.id).themes == (E,)
    assert store.codebook.get(A) is None
    store.undo()
    assert store.get(only.id) == only and store.codebook.get(A) is not None


def test_a_planned_rename_or_removal_is_saved_only_when_asked(store):
    a = store.tag(ART, 0, 10, [A, E])
    plan = store.plan_rename_theme(A, "polar route")
    assert [x.id for x in plan.before] == [a.id] and plan.after[0].themes == ("polar route", E)
    assert store.get(a.id).themes == (A, E) and store.codebook.get(A) is not None  # not yet
    assert not store.can_undo or store.peek_undo().label != plan.label
    store.save_planned(plan)
    assert store.get(a.id).themes == ("polar route", E) and store.codebook.get(A) is None
    assert store.undo() == f"rename {A} to polar route" and store.get(a.id).themes == (A, E)
    removal = store.plan_remove_theme(A)
    assert len(removal.before) == 1 and store.codebook.get(A) is not None
    store.save_planned(removal)
    assert store.get(a.id).themes == (E,) and store.codebook.get(A) is None
    assert store.undo() == f"remove theme {A}" and store.get(a.id).themes == (A, E)


def test_rejections_are_not_undoable(store):
    store.reject("key-1", theme=E, article_id=ART.id)
    assert store.rejections() == {"key-1"} and not store.can_undo


def test_read_only_refuses_every_change(opener):
    with opener() as s:
        a = s.tag(ART, 0, 10, [E])
    with opener(read_only=True) as ro:
        assert ro.read_only
        for change in (
            lambda: ro.tag(ART, 20, 30, [E]),
            lambda: ro.set_note(a.id, "x"),
            lambda: ro.delete(a.id),
            lambda: ro.add_theme("ice"),
            lambda: ro.put_many([ann(ART, 1, 2, E)]),
            lambda: ro.reject("k"),
        ):
            with pytest.raises(ReadOnlyError):
                change()
        assert ro.get(a.id) == a and len(ro) == 1


def test_done_marks_undo_reopen_and_merge_by_time(opener):
    from annotations.coverage import Done

    store = opener()
    try:
        assert store.coverage() == [] and not store.is_done(ART.id)
        mark = store.set_done(ART.id)
        assert mark.author == "ana" and mark.done and store.is_done(ART.id)
        assert store.done_articles() == {ART.id} and store.done_articles("bob") == set()
        assert store.undo() is not None and not store.is_done(ART.id)
        assert store.redo() is not None and store.is_done(ART.id)
        # a merge brings bob's marks; an older unmark of ana's loses to her later mark
        old = Done(ART.id, "ana", False, "2000-01-01T00:00:00Z")
        store.put_many([], coverage=[Done(TWO.id, "bob", True, "2024-01-01T00:00:00Z"), old])
        assert store.is_done(ART.id) and store.is_done(TWO.id, "bob")
        a = store.tag(ART, 0, 19, [E])
        store.put_many([], remove=[a.id])
        assert a.id not in store
    finally:
        store.close()
    reopened = opener()
    try:
        assert [(d.author, d.article_id, d.done) for d in reopened.coverage()] == [
            ("ana", ART.id, True),
            ("bob", TWO.id, True),
        ]
    finally:
        reopened.close()
