"""Tests written to kill surviving `search/engine.py` mutants (issue 18): notes search,
its filters and order, and the JSON form of a result."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from annotations.corpus import Corpus, article_from_text
from annotations.model import Annotation
from annotations.search.engine import (
    ARTICLES_NAME,
    CACHE_NAME,
    MANIFEST_NAME,
    MAX_PASSAGE,
    SearchIndex,
    format_result_json,
    passages,
)

TEXT_A = "Gas pipelines cross the Arctic.\n\nShips follow the northern route in summer.\n"
TEXT_B = "Wind farms grow along the coast.\n\nPorts expand for the new trade.\n"


def _article(name: str, text: str):
    return article_from_text(name, Path(name), text)


def _ann(article, phrase, note, themes=("energy",)) -> Annotation:
    start = article.text.index(phrase)
    return Annotation.create(
        article_id=article.id, text=article.text, sha256=article.sha256, start=start,
        end=start + len(phrase), themes=list(themes), note=note, author="t",
    )  # fmt: skip


def _setup():
    a, b = _article("alpha.txt", TEXT_A), _article("beta.txt", TEXT_B)
    corpus = Corpus([a, b])
    index = SearchIndex.build(corpus)
    notes = {
        a.id: [
            _ann(a, "Gas pipelines", "chek route"),  # a near hit, not exact
            _ann(a, "northern route", "check route"),  # exact hit
        ],
        b.id: [_ann(b, "Ports expand", "check route", themes=("trade",))],
    }
    return a, b, index, notes


def test_notes_results_put_exact_hits_first_and_carry_their_annotation():
    a, b, index, notes = _setup()
    results = index.search("note:check route", annotations=notes)
    assert [r.exact for r in results] == sorted((r.exact for r in results), reverse=True)
    assert results[0].exact and results[0].score == 100.0
    assert {r.annotation_id for r in results if r.exact} == {
        notes[a.id][1].id,
        notes[b.id][0].id,
    }
    data = format_result_json(results[0])
    assert data["annotation_id"] == results[0].annotation_id
    assert "annotation_id" not in format_result_json(index.search("pipelines")[0])


def test_notes_search_keeps_to_the_articles_named_by_id_or_title():
    a, b, index, notes = _setup()
    by_id = index.search("note:check route article:beta", annotations=notes)
    assert {r.article_id for r in by_id} == {b.id}
    title_word = b.title.split()[0].casefold()
    by_title = index.search(f"note:check route article:{title_word}", annotations=notes)
    assert {r.article_id for r in by_title} == {b.id}
    both = index.search("note:check route", annotations=notes)
    assert {r.article_id for r in both} == {a.id, b.id}


def test_notes_search_skips_an_unknown_article_and_keeps_looking():
    a, b, index, notes = _setup()
    ghost = {"ghost.txt": notes[a.id], **notes}
    results = index.search("note:check route", annotations=ghost)
    assert {r.article_id for r in results} == {a.id, b.id}


def test_the_saved_manifest_counts_the_articles_and_a_foreign_article_list_is_refused(tmp_path):
    a, b = _article("alpha.txt", TEXT_A), _article("beta.txt", TEXT_B)
    SearchIndex.cached([a, b], tmp_path)
    head = json.loads((tmp_path / MANIFEST_NAME).read_text())
    assert head["count"] == 2
    SearchIndex.open(tmp_path)  # reads the article list: fine as saved
    listing = tmp_path / ARTICLES_NAME
    data = json.loads(listing.read_text())
    listing.write_text(json.dumps({**data, "format": "another"}))
    with pytest.raises(ValueError, match="manifest of another format version"):
        SearchIndex.open(tmp_path)


def test_a_freshly_built_index_has_nothing_to_warn_about():
    assert SearchIndex.build(Corpus([_article("alpha.txt", TEXT_A)])).warning == ""


# -- the 1-in-10 sample's survivors (issue 18): passages, neighbours, the cache -------------


def _covers(spans, n):
    assert spans[0][0] == 0 and spans[-1][1] == n
    for (s1, e1), (s2, e2) in itertools.pairwise(spans):
        assert s1 < e1 and s2 < e1 < e2  # each ends inside the next one: they overlap


def test_a_long_paragraph_is_cut_into_overlapping_windows_at_most_max_passage_long():
    text = "word " * 1200 + "end"
    spans = passages(text)
    assert len(spans) > 3 and all(e - s <= MAX_PASSAGE for s, e in spans)
    assert all(text[s - 1] == " " for s, _e in spans[1:])  # cut between words
    _covers(spans, len(text))


def test_a_paragraph_of_long_words_still_overlaps_and_one_without_spaces_is_cut_hard():
    text = " ".join(["w" * 400] * 12)
    spans = passages(text)
    assert all(e - s <= MAX_PASSAGE for s, e in spans)
    _covers(spans, len(text))
    text = "x" * 4000 + " tail"
    spans = passages(text)
    assert all(0 < e - s <= MAX_PASSAGE for s, e in spans)
    _covers(spans, len(text))


def test_a_passage_may_take_its_last_word_from_the_next_paragraph():
    art = _article(
        "gamma.txt", "Gas pipelines cross the tundra.\n\nArctic ships follow the route.\n"
    )
    top = SearchIndex.build([art]).search("gas pipelines arctic")[0]
    assert top.score > 90  # all three words, not two of three
    assert art.text[top.end - len("Arctic") : top.end] == "Arctic"


def test_notes_search_looks_past_an_annotation_without_a_note():
    a = _article("alpha.txt", TEXT_A)
    notes = {a.id: [_ann(a, "Gas pipelines", ""), _ann(a, "northern route", "check route")]}
    results = SearchIndex.build([a]).search("note:check route", annotations=notes)
    assert [r.annotation_id for r in results] == [notes[a.id][1].id]


def test_build_reports_progress_even_for_no_articles():
    calls = []
    SearchIndex.build([], lambda done, total: calls.append((done, total)))
    assert calls == [(0, 0)]


def test_the_cache_reports_progress_while_building_and_while_syncing(tmp_path):
    a, b = _article("alpha.txt", TEXT_A), _article("beta.txt", TEXT_B)
    calls = []
    SearchIndex.cached([a, b], tmp_path, lambda d, t: calls.append((d, t)))
    assert calls == [(1, 2), (2, 2)]
    calls.clear()
    changed = _article("alpha.txt", TEXT_A + "\nIce melts early.\n")
    index = SearchIndex.cached([changed, b], tmp_path, lambda d, t: calls.append((d, t)))
    assert calls == [(1, 1), (2, 2)]  # the one changed article re-indexed, then all done
    assert index.search("ice melts")[0].article_id == changed.id


def test_the_cache_falls_back_to_memory_when_its_folder_cannot_hold_an_index(tmp_path):
    a, b = _article("alpha.txt", TEXT_A), _article("beta.txt", TEXT_B)
    (tmp_path / CACHE_NAME).write_text("not an index")
    index = SearchIndex.cached([a, b], tmp_path)
    assert index.path is None and len(index) == 2
    assert index.search("northern route")[0].article_id == a.id


def test_flush_empties_the_overlay(tmp_path):
    a, b = _article("alpha.txt", TEXT_A), _article("beta.txt", TEXT_B)
    index = SearchIndex.build([a, b], path=tmp_path / "idx")
    index.update(_article("alpha.txt", TEXT_A + "\nIce melts early.\n"))
    assert index.pending == 1 and index.flush()
    assert index.pending == 0 and index._overlay.num_docs == 0
    assert [r.article_id for r in index.search("ice melts")] == [a.id]


def test_a_word_added_by_an_update_is_found_by_another_form_of_it():
    index = SearchIndex.build([_article("alpha.txt", TEXT_A)])
    assert index.search("pipelines")  # builds the stem index
    index.update(_article("beta.txt", "Grid connection approved.\n"))
    assert [r.article_id for r in index.search("connected")] == ["beta.txt"]


def test_a_passage_may_take_its_first_word_from_the_previous_paragraph():
    text = "Rivers freeze early.\n\nArctic ships wait.\n\nGas pipelines cross the tundra.\n"
    art = _article("gamma.txt", text)
    top = SearchIndex.build([art]).search("gas pipelines arctic")[0]
    assert top.score > 90
    assert top.start == text.index("Arctic")


def test_each_typo_costs_eight_points():
    index = SearchIndex.build([_article("alpha.txt", TEXT_A)])
    assert index.search("pipelnes")[0].score == 92.0


def test_a_word_present_exactly_beside_a_typo_of_it_is_an_exact_hit():
    index = SearchIndex.build([_article("gamma.txt", "Pipelines and pipelnes cross.\n")])
    top = index.search("pipelines")[0]
    assert top.exact and top.score == 99.0  # scores are capped at 99


def test_the_first_of_two_equally_tight_stretches_is_the_passage():
    text = "Gas pipelines feed more gas pipelines.\n"
    top = SearchIndex.build([_article("gamma.txt", text)]).search("gas pipelines ")[0]
    assert (top.start, top.end) == (0, len("Gas pipelines"))


def test_words_in_the_typed_order_with_the_last_one_completed_rank_first():
    text = "Pipelines gas cross.\n\nGas pipelines cross.\n"
    top = SearchIndex.build([_article("gamma.txt", text)]).search("gas pip")[0]
    assert top.start == text.index("Gas pipelines")


def test_a_prefix_completes_to_the_most_frequent_words_first():
    rare = " ".join(f"zeta{i:03d}" for i in range(41))
    common = "\n\n".join(f"Zetaz number {i} here." for i in range(3))
    art = _article("gamma.txt", f"{rare}\n\n{common}\n")
    results = SearchIndex.build([art]).search("zet")
    assert any("Zetaz" in r.text for r in results)
