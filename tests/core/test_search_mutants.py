"""Tests written to kill surviving `search/engine.py` mutants (issue 18): notes search,
its filters and order, and the JSON form of a result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotations.corpus import Corpus, article_from_text
from annotations.model import Annotation
from annotations.search.engine import (
    ARTICLES_NAME,
    MANIFEST_NAME,
    SearchIndex,
    format_result_json,
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
