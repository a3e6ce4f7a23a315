"""Re-anchoring's bookkeeping: what is counted, saved, listed for review and offered.

The placement rules are tested in `test_anchoring_scoring.py` and on the seeds in
`test_anchoring_causes.py`; here: `reanchor_all` and `Report` (counts, message, the
placed annotations for read-only exports), `reanchor_store`, `stale`, `orphans`, the
review screen's `candidates`, `place`, `find_exact` and the `locate` shortcuts.
"""

from __future__ import annotations

from dataclasses import replace

from annotations.anchoring import (
    HYPOTHESIS,
    REVIEW,
    TAGLINE,
    Report,
    candidates,
    find_exact,
    locate,
    orphans,
    place,
    reanchor,
    reanchor_all,
    reanchor_store,
    stale,
)
from annotations.corpus import Corpus
from annotations.model import CONTEXT, context_of
from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.anchoring import TEXT, annotate, article

SHIFTED = "Breaking: a new paragraph.\n" + TEXT
MOVE = len("Breaking: a new paragraph.\n")


# Edited a little, with its context changed on both sides: placed, but in doubt.
DOUBTFUL = TEXT.replace(
    "The pipeline to the north carries natural gas to the coast.",
    "Meanwhile a pipeline to the north carries natural-gas towards ports daily.",
)


def test_reanchor_all_counts_each_outcome_and_lists_only_what_changed():
    before = article()
    moved = annotate(before, "Oil prices rose on Monday.")
    gone = annotate(before, "The Arctic route shortens shipping by two weeks.")
    doubtful = annotate(before, "pipeline to the north carries natural gas")
    # Same offsets, text changed after it: kept (not counted), hash and context refreshed.
    kept = annotate(before, "Energy talks")
    edited = DOUBTFUL.replace("The Arctic route shortens shipping by two weeks.", "")
    edited = edited.replace("Oil prices", "Intro.\nOil prices")
    after = article(edited)
    other = annotate(article("Unrelated.\n", "b.txt"), "Unrelated")  # article unchanged
    missing = replace(annotate(before, "Energy"), article_id="gone.txt")  # not in the corpus
    corpus = Corpus([after, article("Unrelated.\n", "b.txt")])
    report = reanchor_all([moved, gone, doubtful, kept, other, missing], corpus)
    outcome = {b.id: b for _, b in report.changed}
    assert (report.reanchored, report.orphaned, report.flagged) == (1, 1, 1)
    assert outcome[moved.id].status == "reanchored"
    assert outcome[gone.id].status == "orphaned"
    assert outcome[doubtful.id].status == REVIEW
    assert other.id not in outcome and missing.id not in outcome
    assert outcome[kept.id].status == "anchored"  # kept, its hash refreshed
    assert [a for a, _ in report.changed] == [moved, gone, doubtful, kept]
    assert all(a.id == b.id for a, b in report.changed)
    assert report and not report.saved


def test_the_kept_path_refreshes_hash_and_context_but_is_not_an_edit():
    before = article()
    ann = annotate(before, "Energy talks")  # offsets 0..12, the text after it changes
    after = article(TEXT.replace("Oil prices rose on Monday.", "Oil prices fell on Tuesday."))
    report = reanchor_all([ann], Corpus([after]))
    assert (report.reanchored, report.orphaned, report.flagged) == (0, 0, 0)
    assert not report  # nothing to tell the analyst
    [(old, new)] = report.changed  # but the stored hash and context catch up
    assert old == ann
    assert (new.start, new.end, new.status) == (ann.start, ann.end, "anchored")
    assert new.article_sha256 == after.sha256
    assert (new.prefix, new.suffix) == context_of(after.text, new.start, new.end)
    assert new.suffix != ann.suffix and new.updated == ann.updated
    assert report.message() == "all annotations in place"


def test_an_orphan_or_doubtful_annotation_back_at_its_offsets_is_reanchored_not_kept():
    before = article()
    for status in ("orphaned", REVIEW):
        ann = replace(annotate(before, "Oil prices rose on Monday."), status=status)
        ann = replace(ann, article_sha256="an older text")
        report = reanchor_all([ann], Corpus([before]))
        assert report.reanchored == 1
        [(_, new)] = report.changed
        assert new.status == "reanchored" and (new.start, new.end) == (ann.start, ann.end)


def test_a_doubtful_placement_keeps_its_evidence_and_a_certain_one_takes_the_new_text():
    before = article()
    ann = annotate(before, "pipeline to the north carries natural gas")
    after = article(DOUBTFUL)
    flagged = reanchor(ann, after)
    assert flagged.status == REVIEW
    assert (flagged.exact, flagged.prefix, flagged.suffix) == (ann.exact, ann.prefix, ann.suffix)
    assert flagged.article_sha256 == after.sha256 and flagged.updated != ann.updated
    typo = article("Intro.\n" + TEXT.replace("natural gas", "natural-gas"))
    certain = reanchor(ann, typo)
    assert certain.status == "reanchored"
    assert certain.exact == typo.text[certain.start : certain.end] != ann.exact
    assert (certain.prefix, certain.suffix) == context_of(typo.text, certain.start, certain.end)


def test_place_puts_the_annotation_on_the_new_passage_with_its_context():
    before = article()
    ann = annotate(before, "Oil prices rose on Monday.", note="keep me")
    after = article(SHIFTED)
    start = after.text.index("natural gas")
    placed = place(ann, after, start, start + len("natural gas"), "anchored")
    assert (placed.start, placed.end, placed.exact) == (start, start + 11, "natural gas")
    assert (placed.prefix, placed.suffix) == context_of(after.text, start, start + 11)
    assert (placed.article_sha256, placed.status) == (after.sha256, "anchored")
    assert (placed.id, placed.note, placed.themes) == (ann.id, "keep me", ann.themes)
    assert placed.updated != ann.updated


def test_report_message_names_each_count_once_and_says_when_nothing_was_saved():
    a = annotate(article(), "Energy talks")
    assert Report(2, 3, flagged=1).message() == (
        "2 annotations re-anchored, 1 needs review, 3 orphaned"
    )
    assert Report(0, 1, flagged=2).message() == "2 annotations need review, 1 orphaned"
    assert Report(0, 0, flagged=1).message() == "1 annotation needs review"
    assert Report(1, 0).message() == "1 annotation re-anchored"
    unsaved = Report(1, 0, changed=[(a, a)])
    assert unsaved.message() == "1 annotation re-anchored (not saved: read-only)"
    saved = Report(1, 0, changed=[(a, a)], saved=True)
    assert saved.message() == "1 annotation re-anchored"
    # Only refreshed hashes (nothing to tell): no read-only remark either.
    assert Report(changed=[(a, a)]).message() == "all annotations in place"
    assert bool(Report(1)) and bool(Report(0, 1)) and bool(Report(flagged=1))
    assert not Report() and not Report(changed=[(a, a)])


def test_report_current_gives_the_placed_versions_in_order():
    before = article()
    one, two, three = (annotate(before, p) for p in ("Energy talks", "Oil prices", "oil exports"))
    moved = replace(two, start=two.start + 5, end=two.end + 5, status="reanchored")
    report = Report(1, changed=[(two, moved)])
    assert list(report.current([one, two, three])) == [one, moved, three]
    assert list(report.current([three])) == [three]
    assert list(Report().current([one, two])) == [one, two]


def test_stale_yields_only_annotations_whose_article_text_changed(tmp_path):
    a, b = article(), article("Another text about oil.\n", "b.txt")
    anns = [annotate(a, "Energy talks"), annotate(a, "oil exports"), annotate(b, "oil")]
    with AnnotationStore(tmp_path / "db.json") as store:
        store.put_many(anns)
        # Nothing changed: nothing to do.
        assert list(stale(store, Corpus([a, b]))) == []
        # a changed; b did not; an article missing from the corpus is skipped.
        changed = article(SHIFTED)
        assert sorted(x.id for x in stale(store, Corpus([changed, b]))) == sorted(
            x.id for x in anns[:2]
        )
        assert list(stale(store, Corpus([b]))) == []
        # One of a's annotations already on the new text: only the other is stale.
        store.put_many([replace(anns[0], article_sha256=changed.sha256)])
        assert [x.id for x in stale(store, Corpus([changed, b]))] == [anns[1].id]


def test_reanchor_store_on_a_read_only_store_reports_without_saving(tmp_path):
    before = article()
    anns = [annotate(before, "Oil prices rose on Monday."), annotate(before, "oil exports")]
    with AnnotationStore(tmp_path / "db.json") as store:
        store.put_many(anns)
    corpus = Corpus([article(SHIFTED)])
    with AnnotationStore(tmp_path / "db.json", read_only=True) as store:
        report = reanchor_store(store, corpus)
        assert report.reanchored == 2 and not report.saved
        assert report.message() == "2 annotations re-anchored (not saved: read-only)"
        placed = list(report.current(store.all()))
        assert {a.start for a in placed} == {a.start + MOVE for a in anns}
        assert {a.start for a in store.all()} == {a.start for a in anns}
    # A writer that is asked not to save does not either.
    with AnnotationStore(tmp_path / "db.json") as store:
        report = reanchor_store(store, corpus, save=False)
        assert report.reanchored == 2 and not report.saved
        assert {a.start for a in store.all()} == {a.start for a in anns}
        report = reanchor_store(store, corpus)
        assert report.saved and {a.start for a in store.all()} == {a.start + MOVE for a in anns}
        # Nothing left to do: nothing written, nothing claimed.
        again = reanchor_store(store, corpus)
        assert not again.changed and not again.saved and not again


def test_orphans_lists_orphans_and_doubtful_placements_with_their_articles(tmp_path):
    before = article()
    other = article("Another text about oil.\n", "b.txt")
    ok = annotate(before, "Energy talks")
    lost = replace(annotate(before, "oil exports"), status="orphaned")
    doubt = replace(annotate(before, "Oil prices"), status=REVIEW)
    moved = replace(annotate(before, "natural gas"), status="reanchored")
    elsewhere = replace(annotate(other, "oil"), status="orphaned")
    with AnnotationStore(tmp_path / "db.json") as store:
        store.put_many([ok, lost, doubt, moved, elsewhere])
        found = orphans(store, Corpus([before]))  # b.txt is not in the corpus
        assert sorted((a.id, art.id) for a, art in found) == sorted(
            [(lost.id, before.id), (doubt.id, before.id)]
        )
        both = orphans(store, Corpus([before, other]))
        assert {a.id for a, _ in both} == {lost.id, doubt.id, elsewhere.id}
        assert all(art.id == a.article_id for a, art in both)


def test_candidates_put_a_doubtful_placement_first_then_the_best_by_score():
    text = "Oil output rose.\n" + "Filler line that says nothing at all here.\n" * 4
    text += "Gas output rose.\n" + "More filler text to keep things apart.\n" * 4
    text += "Coal output rose.\n"
    a = article(text)
    ann = annotate(a, "output rose", nth=1)  # "Gas output rose."
    # Proposed (needs review) on the third copy although the second scores best.
    third = text.index("output rose", text.index("Coal"))
    doubtful = replace(ann, status=REVIEW, start=third, end=third + len("output rose"))
    found = candidates(doubtful, a, k=3)
    assert (found[0].start, found[0].end) == (third, third + len("output rose"))
    assert (found[1].start, found[1].end) == (ann.start, ann.end)  # then the best by score
    assert found[1].score >= found[2].score and len(found) == 3
    assert all(c.end - c.start == len("output rose") for c in found)
    # A proposal that is no copy of the quote (a fuzzy one) is still offered first,
    # wherever it lies in the text, from its first character to its last.
    for start, end in ((0, 9), (len(text) - 10, len(text)), (20, 31)):
        proposal = replace(ann, status=REVIEW, start=start, end=end)
        assert (candidates(proposal, a, k=3)[0].start, candidates(proposal, a)[0].end) == (
            start,
            end,
        )
    # An orphan's stale offsets are not a candidate.
    lost = replace(ann, status="orphaned", start=0, end=9)
    assert all(c.start != 0 for c in candidates(lost, a, k=5))
    # Not in review: all by score, the annotated copy first, k limits the list.
    plain = candidates(ann, a, k=2)
    assert len(plain) == 2 and plain[0].start == ann.start
    assert plain[0].score >= plain[1].score
    assert len(candidates(ann, a, k=5)) == 3  # every copy offered, no more
    six = article("\n".join(f"Report {i}: output rose." for i in range(6)) + "\n", "six.txt")
    many = annotate(six, "output rose", nth=2)
    assert len(candidates(many, six, k=6)) == 6
    assert len(candidates(many, six)) == 3  # three by default, as the review screen shows
    # A proposal whose offsets no longer fit the text is not offered.
    broken = replace(ann, status=REVIEW, start=len(text) + 5, end=len(text) + 9)
    assert all(c.end <= len(text) for c in candidates(broken, a, k=5))


def test_candidates_offer_a_fuzzy_match_beyond_the_placement_bound():
    ann = annotate(article(), "The Arctic route shortens shipping by two weeks.")
    new = "new corridor will be opened soon"
    after = article(TEXT.replace("route shortens shipping by two weeks", new))
    assert reanchor(ann, after).status == "orphaned"
    found = candidates(ann, after, k=1)
    assert len(found) == 1
    assert "new corridor will be" in after.text[found[0].start : found[0].end]
    # Rewritten beyond the placement bound (half the quote): still offered.
    new = "A polar sea lane halves sailing times soon."
    after = article(TEXT.replace(ann.exact, new))
    [found] = candidates(ann, after, k=1)
    assert found.distance > len(ann.exact) // 2
    assert "polar sea lane halves sailing" in after.text[found.start : found.end]


def test_find_exact_picks_the_copy_by_context_then_by_closeness():
    text = "Alpha said output rose today.\nBeta said output rose today.\nBeta said output rose.\n"
    assert find_exact(text, "", "", "", 0) is None
    assert find_exact(text, "absent", "", "", 0) is None
    assert find_exact(text, "Alpha", "", "", 50) == 0  # a quote at offset 0
    first, second, third = (i for i in range(len(text)) if text.startswith("output rose", i))
    assert find_exact(text, "output rose", "Beta said ", " today.", 0) == second
    assert find_exact(text, "output rose", "Beta said ", " today.", len(text)) == second
    assert find_exact(text, "output rose", "Beta said ", "", len(text)) == third
    # An import's missing prefix or suffix is unknown, not the text's edge.
    assert find_exact(text, "output rose", "", "", first + 1) == first


def test_reanchor_store_uses_the_weights_it_is_given(tmp_path):
    before = article()
    ann = annotate(before, "oil")  # "Officials said oil exports"
    sentence = "Officials said oil exports would grow."
    corpus = Corpus([article(TEXT.replace(sentence, "Exports were not discussed at all today."))])
    for weights, status in ((TAGLINE, "orphaned"), (HYPOTHESIS, "reanchored")):
        with AnnotationStore(tmp_path / f"{status}.json") as store:
            store.put_many([ann])
            labels: list[str] = []
            store.subscribe(lambda change, seen=labels: seen.append(change.label))
            report = reanchor_store(store, corpus, weights)
            assert [a.status for a in store.all()] == [status]
            assert report.saved and labels == ["re-anchor"]


def test_an_annotation_at_either_end_of_the_text_stays_certain_when_text_is_added_there():
    first = annotate(article(), "Energy talks")  # prefix "" (the text's start)
    assert first.prefix == ""
    after = article("Correction appended above.\n" + TEXT)
    placed = reanchor(first, after)
    assert (placed.status, placed.start) == ("reanchored", first.start + 27)
    last = annotate(article(), "resigned after the vote.")  # suffix "\n" (the text's end)
    assert last.suffix == "\n"
    after = article(TEXT + "Editor's note: this story was updated on Tuesday.\n")
    placed = reanchor(last, after)
    assert placed.status == "anchored" and placed.start == last.start


def test_one_side_agreeing_does_not_speak_for_the_other_away_from_the_texts_edges():
    ann = annotate(article(), "oil exports")  # full context on both sides
    assert len(ann.prefix) == len(ann.suffix) == CONTEXT
    # The text after it replaced, the text before it intact; a shift too.
    after = article(
        "Update.\n"
        + TEXT.replace("would grow. The Arctic route shortens", "fell, and nobody knows why")
    )
    found = locate(after.text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end)
    assert found.prefix == 1.0 and found.suffix < TAGLINE.min_side
    assert found.doubt == "the text around it changed"
    # Mirrored: the text before it replaced.
    after = article(
        "Update.\n"
        + TEXT.replace("prices rose on Monday. The pipeline", "(1) 2 33 - 444: 5 66 / 7777 #8")
    )
    ann = annotate(article(), "to the north")
    found = locate(after.text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end)
    assert found.suffix == 1.0 and found.prefix < TAGLINE.min_side
    assert found.doubt == "the text around it changed"


def test_locate_shortcuts():
    text = TEXT
    start = text.index("natural gas")
    prefix, suffix = context_of(text, start, start + 11)
    assert locate(text, "", prefix, suffix, start, start + 11) is None
    here = locate(text, "natural gas", prefix, suffix, start, start + 11)
    assert (here.start, here.end, here.score, here.doubt) == (start, start + 11, 1.0, "")
    # At the stored offsets but with its context gone: looked for elsewhere, then doubted.
    bare = text[: start - CONTEXT] + "x" * CONTEXT + "natural gas" + "y" * CONTEXT
    bare += text[start + 11 + CONTEXT :]
    found = locate(bare, "natural gas", prefix, suffix, start, start + 11)
    assert found is None or found.doubt != ""
    # The Hypothesis rules take the stored offsets and the best match, silently.
    found = locate(bare, "natural gas", prefix, suffix, start, start + 11, HYPOTHESIS)
    assert (found.start, found.doubt) == (start, "")
    assert TAGLINE.review and not HYPOTHESIS.review


def test_a_fuzzy_match_has_the_edited_passages_exact_edges_anywhere_in_the_text():
    cases = [
        ("Energy talks", "Energy tallks"),  # at the text's first character
        ("resigned after the vote.", "resigned after the vote!"),  # its last line
        ("the oil minister resigned", "the oil ministre resigned"),  # inside
        ("Oil prices rose on Monday.", "Oil prices rose on Mondy."),  # a letter fewer
    ]
    for quote, new in cases:
        for above in ("", "A first line was added.\n"):
            ann = annotate(article(), quote)
            after = article(above + TEXT.replace(quote, new))
            placed = reanchor(ann, after)
            assert placed.status == "reanchored", quote
            assert after.text[placed.start : placed.end] == new == placed.exact
    # The old offsets lie beyond the end of a much shorter text.
    ann = annotate(article(), "resigned after the vote.")
    short = article("Energy talks\nIn other news, the oil minister resigned after the vote!\n")
    assert ann.start > len(short.text)
    placed = reanchor(ann, short)
    assert placed.status == "reanchored" and placed.exact == "resigned after the vote!"


def test_offsets_that_still_hold_keep_the_annotation_only_while_their_context_agrees():
    ann = annotate(article(), "pipeline to the north")
    caption = "Caption: rose on Monday. The pipeline to the north carries natural gas\n"
    # Context changed a little (same lengths, so the offsets hold): kept, although a
    # caption nearby repeats the old context word for word.
    text = TEXT.replace(
        "Monday. The pipeline to the north carries", "Sunday. Our pipeline to the north carried"
    )
    line = TEXT.splitlines(keepends=True)[1]  # the original line, printed again
    text = text.replace("Officials said", line + "Officials said")
    found = locate(text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end)
    assert (found.start, found.doubt) == (ann.start, "")
    assert found.context >= TAGLINE.keep_context
    # Context changed more (its mean below `keep_context`, each side still above
    # `min_side`): the offsets alone do not keep it; the caption casts doubt.
    text = TEXT.replace(
        "rose on Monday. The pipeline to the north carries natural",
        "fell at 9 a.m.: Our pipeline to the north, which has natural",
    )
    text += caption
    assert text[ann.start : ann.end] == ann.exact
    found = locate(text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end)
    assert found.context < TAGLINE.keep_context and min(found.prefix, found.suffix) >= 0.2
    assert found.doubt == "another passage matches almost as well"


def test_a_long_quote_found_once_is_proposed_even_without_context():
    text = "Zz.\nCompletely unrelated words. The Arctic route short of anything said here, yes.\n"
    for quote, proposed in (("The Arctic route sho", True), ("The Arctic route sh", False)):
        ann = annotate(article(), quote)
        found = locate(text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end)
        assert (found is not None) == proposed == (len(quote) >= TAGLINE.unique_length)
        if found is not None:
            assert found.context < TAGLINE.orphan_context and found.doubt != ""


def test_a_three_letter_quote_with_one_letter_changed_is_found():
    ann = annotate(article(), "gas")
    after = article(TEXT.replace("natural gas to", "natural gaz to"))
    placed = reanchor(ann, after)
    assert (placed.status, placed.exact, placed.start) == ("reanchored", "gaz", ann.start)


def test_reanchor_all_goes_on_past_skipped_annotations_and_counts_each():
    before = article()
    skipped = [
        replace(annotate(before, "Energy"), article_id="gone.txt"),  # no such article
        annotate(article("Unrelated.\n", "b.txt"), "Unrelated"),  # article unchanged
    ]
    gone = [
        annotate(before, "The Arctic route shortens shipping by two weeks."),
        annotate(before, "Officials said oil exports would grow."),
    ]
    doubtful = [
        annotate(before, "pipeline to the north carries natural gas"),
        annotate(before, "natural gas to the coast"),
    ]
    edited = DOUBTFUL.replace("The Arctic route shortens shipping by two weeks.", "")
    edited = edited.replace("Officials said oil exports would grow.", "")
    corpus = Corpus([article(edited), article("Unrelated.\n", "b.txt")])
    report = reanchor_all(skipped + gone + doubtful, corpus)
    assert (report.orphaned, report.flagged, report.reanchored) == (2, 2, 0)
    assert [a for a, _ in report.changed] == gone + doubtful


def test_the_kept_path_refreshes_the_prefix_too():
    ann = annotate(article(), "pipeline to the north")
    after = article(TEXT.replace("on Monday. The pipeline", "on Sunday. The pipeline"))
    [(_, new)] = reanchor_all([ann], Corpus([after])).changed
    assert (new.start, new.status) == (ann.start, "anchored")
    assert new.prefix == context_of(after.text, new.start, new.end)[0] != ann.prefix


def test_stale_skips_an_article_missing_from_the_corpus_and_goes_on(tmp_path):
    a = article()
    early = article("Another text about oil.\n", "0-early.txt")  # sorts before a.txt
    anns = [annotate(early, "oil"), annotate(a, "Energy talks")]
    with AnnotationStore(tmp_path / "db.json") as store:
        store.put_many(anns)
        assert [x.id for x in stale(store, Corpus([article(SHIFTED)]))] == [anns[1].id]


def test_an_orphans_offsets_are_clamped_to_a_shorter_text():
    ann = annotate(article(), "In other news, the oil minister resigned after the vote.")
    short = article("Energy talks\nNothing else.\n")
    placed = reanchor(ann, short)
    assert placed.status == "orphaned"
    assert (placed.start, placed.end) == (len(short.text), len(short.text))
