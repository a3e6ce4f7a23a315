from __future__ import annotations

import json

from annotations.analysis.stats import compute, union_length
from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.factories import ann
from tui.cli.main import main

E, D, A = "energy", "digital economy", "Arctic route"
NAMES = [E, D, A]


def test_union_length_merges_overlapping_and_touching_spans():
    # [0,10) ∪ [5,15) = [0,15) -> 15; [15,20) touches -> [0,20) = 20; [30,35) -> +5
    assert union_length([(5, 15), (0, 10), (15, 20), (30, 35)]) == 25
    assert union_length([]) == 0


def test_per_theme_figures_hand_computed(small_corpus):
    a, b, c = small_corpus.articles
    anns = [
        ann(a, 0, 10, E),  # energy in a: [0,10) ∪ [5,20) = 20 chars
        ann(a, 5, 20, E, D),  # digital in a: 15 chars; E+D on one passage
        ann(b, 50, 100, E),  # energy in b: 50 chars
        ann(c, 0, 30, A),  # undated article
    ]
    stats = compute(anns, small_corpus, NAMES)
    by = {t.theme: t for t in stats.themes}
    # energy: 3 annotations, articles a and b, 20 + 50 = 70 chars of 400 = 0.175
    assert (by[E].annotations, by[E].articles, by[E].characters) == (3, 2, 70)
    assert by[E].share == 70 / 400
    assert (by[E].first_date, by[E].last_date) == ("2023-01-15", "2023-03-02")
    assert (by[D].annotations, by[D].articles, by[D].characters) == (1, 1, 15)
    # Arctic only in the undated article: no dates
    assert (by[A].characters, by[A].first_date, by[A].last_date) == (30, None, None)
    assert stats.corpus_characters == 400 and stats.annotations == 4

    rows = {r.article_id: r.counts for r in stats.articles}
    assert rows == {"a.txt": {E: 2, D: 1}, "b.txt": {E: 1}, "c.txt": {A: 1}}

    # Months run continuously from the first to the last, then "undated".
    assert stats.months == ["2023-01", "2023-02", "2023-03", "undated"]
    assert stats.series(E) == [2, 0, 1, 0]
    assert stats.series(A) == [0, 0, 0, 1]


def test_co_occurrence_overlapping_and_same_article(small_corpus):
    a, b, _ = small_corpus.articles
    anns = [
        ann(a, 0, 10, E, D),  # 1 passage E+D (one annotation with both)
        ann(a, 5, 15, D),  # overlaps the first: pair (E in x, D in y) -> +1 E/D
        ann(a, 10, 20, A),  # overlaps the second only: D/A +1; touches the first (no overlap)
        ann(a, 50, 60, E),  # alone
        ann(b, 0, 10, E),
        ann(b, 100, 110, A),  # same article as E, no overlap
    ]
    stats = compute(anns, small_corpus, NAMES)
    assert stats.overlap.get((E, D)) == 2
    assert stats.overlap.get((D, A)) == 1
    assert stats.overlap.get((E, A), 0) == 0
    # same article: a has E, D, A; b has E, A
    assert stats.same_article == {(E, D): 1, (E, A): 2, (D, A): 1}


def test_two_passages_both_with_both_themes_count_once_per_pair(small_corpus):
    a = small_corpus.articles[0]
    # x and y each carry E and D: x alone 1, y alone 1, the overlapping pair 1 -> 3
    stats = compute([ann(a, 0, 10, E, D), ann(a, 5, 15, D, E)], small_corpus, NAMES)
    assert stats.overlap == {(E, D): 3}


def test_unknown_theme_and_article_outside_corpus(small_corpus):
    from annotations.corpus import Corpus

    a = small_corpus.articles[0]
    stats = compute([ann(a, 0, 5, "zeta")], Corpus([]), NAMES)
    assert stats.theme_names == [*NAMES, "zeta"]
    assert stats.articles[0].title == "a.txt"
    assert stats.months == ["undated"]


def test_cli_stats_json_and_table(tmp_db, capsys):
    from annotations.corpus import load_corpus

    corpus = load_corpus()
    art = corpus.articles[0]
    with AnnotationStore(tmp_db, author="ana") as store:
        store.tag(art, 0, 84, [E])
        store.tag(art, 50, 120, [D])
    assert main(["stats", "--db", str(tmp_db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    themes = {t["theme"]: t for t in data["themes"]}
    assert themes[E]["characters"] == 84 and themes[D]["characters"] == 70
    pair = next(p for p in data["co_occurrence"] if p["themes"] == [E, D])
    assert pair["overlapping"] == 1 and pair["same_article"] == 1
    assert main(["stats", "--db", str(tmp_db)]) == 0
    out = capsys.readouterr().out
    assert "Articles × themes" in out and art.id in out


def test_co_occurrence_is_within_one_analyst_unless_asked_across(small_corpus):
    a = small_corpus.articles[0]
    # alice and bob code one passage with different themes: disagreement, not co-occurrence
    anns = [ann(a, 0, 10, E, author="alice"), ann(a, 0, 10, D, author="bob")]
    within = compute(anns, small_corpus, NAMES)
    assert within.overlap.get((E, D), 0) == 0 and within.same_article.get((E, D), 0) == 0
    across = compute(anns, small_corpus, NAMES, across_authors=True)
    assert across.overlap[(E, D)] == 1 and across.same_article[(E, D)] == 1
    # one analyst with both themes on overlapping passages still counts
    alone = compute([*anns, ann(a, 5, 12, D, author="alice")], small_corpus, NAMES)
    assert alone.overlap[(E, D)] == 1 and alone.same_article[(E, D)] == 1
    assert within.to_json()["co_occurrence_across_authors"] is False


def test_article_total_counts_theme_uses_and_annotations_apart(small_corpus):
    a = small_corpus.articles[0]
    stats = compute([ann(a, 0, 10, E, D), ann(a, 20, 30, E)], small_corpus, NAMES)
    row = stats.articles[0]
    assert row.total == 3 and row.annotations == 2
    data = stats.to_json()["articles"][0]
    assert (data["total"], data["annotations"]) == (3, 2)
