"""Coded segments: counted in full, listed up to a limit, offsets exact, orphans left out."""

from __future__ import annotations

from annotations.analysis.segments import coded_segments
from annotations.store.tinydb_store import AnnotationStore


def test_coded_segments_counts_all_and_lists_at_most_limit(tmp_path, seeds):
    db = tmp_path / "db.json"
    article = seeds.articles[1]
    store = AnnotationStore(db, author="tester")
    for start in (300, 100, 200):
        store.tag(article, start, start + 25, ["energy"])
    store.tag(article, 50, 60, ["digital economy"])
    found, total = coded_segments(store.all(), seeds, "Energy", limit=2)
    everything, _ = coded_segments(store.all(), seeds, "energy")
    store.close()
    assert total == 3
    assert [(s.start, s.end) for s in found] == [(100, 125), (200, 225)]
    assert [(s.start, s.end) for s in everything] == [(100, 125), (200, 225), (300, 325)]
    for seg in everything:
        assert article.text[seg.start : seg.end] == seg.text
        assert seg.context[seg.start - seg.context_start : seg.end - seg.context_start] == seg.text
        assert seg.annotation.themes == ("energy",)


def test_coded_segments_follow_corpus_order_and_skip_unplaced(tmp_path, seeds):
    db = tmp_path / "db.json"
    first, second = seeds.articles[0], seeds.articles[1]
    store = AnnotationStore(db, author="tester")
    store.tag(second, 10, 20, ["energy"])
    store.tag(first, 40, 50, ["energy"])
    anns = list(store.all())
    store.close()
    from dataclasses import replace

    gone = replace(anns[0], start=10**7, end=10**7 + 5)  # offsets past the end of the text
    found, total = coded_segments([*anns, gone], seeds, "energy")
    assert [s.article_id for s in found] == [first.id, second.id]
    assert total == 3 and len(found) == 2
