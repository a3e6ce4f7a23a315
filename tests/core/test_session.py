"""The editing session without Textual: selection rules, toggling, views, suggestions, notices."""

from __future__ import annotations

from annotations.analysis.suggest import Suggestion
from annotations.corpus import Corpus
from annotations.session import (
    ALL,
    DISAGREEMENTS,
    AnnotatingSession,
    DisagreementMark,
    Toggled,
    View,
    next_sentence_after,
    strip_span,
)
from annotations.store.tinydb_store import AnnotationStore, Change
from tests.helpers.factories import ann, make_article

TEXT = "First sentence here. Second one follows.\n\nA new paragraph starts. And ends."


def session_on(store: AnnotationStore, text: str = TEXT) -> AnnotatingSession:
    article = make_article("a.txt", text)
    session = AnnotatingSession(store, Corpus([article]))
    assert session.open("a.txt") is article
    return session


def span_of(words: str) -> tuple[int, int]:
    i = TEXT.index(words)
    return i, i + len(words)


def test_strip_span_and_next_sentence():
    assert strip_span("  ab  ", 0, 6) == (2, 4)
    assert strip_span("   ", 0, 3) == (3, 3)
    assert next_sentence_after(TEXT, span_of("First sentence here.")[1]) == span_of(
        "Second one follows."
    )
    assert next_sentence_after(TEXT, len(TEXT)) is None


def test_open_same_article_twice_is_a_no_op(store):
    session = session_on(store)
    assert session.open("a.txt") is None and session.open("missing") is None
    assert session.reopen() is session.article


def test_sentence_runs_grow_then_stop(store):
    session = session_on(store)
    first = session.sentence((3, 3), 3)
    assert first == span_of("First sentence here.")
    two = session.sentence(first, first[1])
    assert TEXT[slice(*two)] == "First sentence here. Second one follows."
    # Runs cross paragraphs, and stop at the end of the text.
    three = session.sentence(two, two[1])
    assert TEXT[slice(*three)].endswith("A new paragraph starts.")
    four = session.sentence(three, three[1])
    assert session.sentence(four, four[1]) is None
    # A selection that is not the run starts a new one.
    assert session.sentence((0, 2), 45) == span_of("A new paragraph starts.")
    assert session.paragraph(3) == span_of("First sentence here. Second one follows.")
    assert session.sentence_run is None


def test_toggle_outcomes(store):
    session = session_on(store)
    sel = (0, 21)  # trailing space: normalised away
    r = session.toggle(sel, 21, "energy")
    assert r.outcome is Toggled.TAGGED and r.annotation.exact == "First sentence here."
    r = session.toggle(sel, 21, "digital economy")
    assert r.outcome is Toggled.ADDED and r.annotation.themes == ("energy", "digital economy")
    # A bare caret acts on the annotation under it.
    r = session.toggle((5, 5), 5, "energy")
    assert r.outcome is Toggled.REMOVED and r.annotation.themes == ("digital economy",)
    r = session.toggle((5, 5), 5, "digital economy")
    assert r.outcome is Toggled.DELETED and r.theme == "digital economy"
    assert store.for_article("a.txt") == []
    assert session.toggle((5, 5), 5, "energy").outcome is Toggled.NO_PASSAGE
    assert store.undo() == "untag digital economy"
    assert [a.themes for a in store.for_article("a.txt")] == [("digital economy",)]


def test_views_cycle_and_disagreements_are_their_own_type(store):
    session = session_on(store)
    article = session.article
    s1, s2 = span_of("First sentence here."), span_of("Second one follows.")
    store.put_many(
        [
            ann(article, *s1, "energy", author="ana"),
            ann(article, *s1, "energy", author="bob"),
            ann(article, *s2, "energy", author="bob"),
        ]
    )
    assert len(session.visible()) == 3 and session.view is ALL
    assert session.cycle_view() == View("author", "ana")
    assert [a.author for a in session.visible()] == ["ana"]
    assert session.cycle_view().label == "bob's annotations"
    assert session.cycle_view() is DISAGREEMENTS
    (mark,) = session.visible()
    assert isinstance(mark, DisagreementMark)
    assert (mark.start, mark.end, mark.themes) == (*s2, ("energy",))
    assert mark.note == "coded by bob; not by ana" and mark.exact == "Second one follows."
    assert session.cycle_view() is ALL


def test_step_wraps_in_text_order(store):
    session = session_on(store)
    a, b = span_of("First sentence here."), span_of("And ends.")
    store.tag(session.article, *b, ["energy"])
    store.tag(session.article, *a, ["energy"])
    step = session.step((30, 30), True)
    assert (step.item.start, step.index, step.total) == (b[0], 1, 2)
    assert session.step(b, True).item.start == a[0]  # wraps
    assert session.step(a, False).item.start == b[0]
    assert (
        session_on(AnnotationStore(store.path.with_name("other.json"))).step((0, 0), True) is None
    )


def suggestion(span: tuple[int, int], theme: str = "energy") -> Suggestion:
    return Suggestion("a.txt", *span, theme, 80.0, "cue")


def test_suggestion_queue(store):
    session = session_on(store)
    assert session.needs_suggestions() is None  # not suggesting
    session.start_suggesting()
    assert session.needs_suggestions() is session.article
    assert session.needs_suggestions() is None  # under way
    assert session.shown_suggestions() == []  # not ready yet
    assert not session.suggestions_ready("other.txt", [])  # stale
    a, b = span_of("Second one follows."), span_of("And ends.")
    assert session.suggestions_ready("a.txt", [suggestion(b), suggestion(a)])
    assert [s.start for s in session.shown_suggestions()] == [a[0], b[0]]
    step = session.step_suggestion((0, 0), True)
    assert (step.item.start, step.index) == (a[0], 0)
    assert session.step_suggestion(a, True).item.start == b[0]
    assert session.step_suggestion(b, True).item.start == a[0]  # wraps
    assert session.suggestion_at(a, a[1]).start == a[0]
    session.accept(session.suggestion_at(a, a[1]))
    assert [s.start for s in session.shown_suggestions()] == [b[0]]  # now coded
    session.reject(session.suggestion_at((b[0] + 1, b[0] + 1), b[0] + 1))
    assert session.shown_suggestions() == [] and len(store.rejections()) == 1
    # A later session starts from the rejections saved.
    again = session_on(store)
    again.start_suggesting()
    assert again.rejected == store.rejections()
    assert session.stop_suggesting() and not session.stop_suggesting()


def test_failed_computation_ends_suggesting(store):
    session = session_on(store)
    session.start_suggesting()
    session.needs_suggestions()
    assert session.suggestions_ready("a.txt", None) and not session.suggesting


def test_store_notifies_each_saved_change(store):
    session = session_on(store)
    seen: list[Change] = []
    unsubscribe = store.subscribe(seen.append)
    session.toggle(span_of("And ends."), 0, "energy")
    store.add_theme("trade")
    store.undo()
    store.reject("k", theme="energy")
    assert [c.label for c in seen] == [
        "tag energy",
        "add theme trade",
        "add theme trade",
        "reject suggestion",
    ]
    assert seen[0].articles == {"a.txt"} and seen[1].codebook_after is not None
    assert seen[2].codebook_after is not None and seen[2].codebook_after.get("trade") is None
    unsubscribe()
    store.redo()
    assert len(seen) == 4
