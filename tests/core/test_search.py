"""Search over the seeds and small hand-made corpora."""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.corpus import article_from_text, load_corpus
from annotations.model import Annotation
from annotations.search.engine import (
    CACHE_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    SearchIndex,
    SearchResult,
    fold,
    fold_with_map,
    format_result_json,
    parse_query,
)

SEED_000 = "000_eead7ac999ac4f1f.txt"
SEED_004 = "004_e59db8fb69f41bb6.txt"

RUSSIAN = """Газопровод «Сила Сибири»

Российский газ пойдёт в Китай по новому трубопроводу. Ёмкость хранилищ растёт.
Министр энергетики заявил, что поставки начнутся в декабре.
"""
CHINESE = """中俄合作

中俄两国将在数字经济领域加强合作。冰上丝绸之路是北极航道的合作项目。
"""


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def index(corpus):
    return SearchIndex.build(corpus)


def top(index, query, **kw) -> SearchResult:
    results = index.search(query, **kw)
    assert results, f"nothing found for {query!r}"
    return results[0]


def annotate(article, phrase, themes, note=""):
    start = article.text.index(phrase)
    return Annotation.create(
        article_id=article.id,
        text=article.text,
        sha256=article.sha256,
        start=start,
        end=start + len(phrase),
        themes=themes,
        note=note,
        author="test",
    )


# ---------------------------------------------------------------- folding


def test_fold_cases_accents_punctuation():
    assert fold("Ёлка ÉTÉ — «Café»,  ﬁne!") == "елка ete cafe fine"
    assert fold("Russia’s") == fold("Russia's") == "russia s"


@given(st.text())
def test_fold_with_map_agrees_with_fold(text):
    folded, origin = fold_with_map(text, 7)
    assert folded == fold(text)
    assert len(origin) == len(folded) + 1
    assert origin == sorted(origin)
    assert all(7 <= o <= 7 + len(text) for o in origin)


# ---------------------------------------------------------------- typo queries on the seeds


def test_silk_road_on_ice(index):
    hit = top(index, "silk rode on ise")
    assert hit.article_id == SEED_000
    assert "Li Hui" in hit.article_title or "Li Hui" in hit.context or hit.article_id == SEED_000
    assert hit.text.casefold() == "silk road on ice"
    assert hit.text in hit.context


def test_arctic_shipping_route(index):
    hit = top(index, "Arctic shiping rout")
    assert hit.article_id == SEED_000
    assert hit.text == "Arctic shipping route"
    assert "Arctic shipping route" in hit.context


def test_power_of_siberia(index):
    hit = top(index, "Power of Siberia pipline")
    assert hit.article_id == SEED_004
    assert "Power of Siberia" in hit.text


def test_digital_economy(index):
    hit = top(index, "digtal economy")
    assert hit.text == "digital economy"
    assert hit.score >= 90


@pytest.mark.parametrize(
    "query", ["quantum chromodynamics lattice gauge", "zzzz qqqq", "", "   ", "!!!"]
)
def test_no_match_returns_nothing(index, query):
    assert index.search(query) == []


def test_exact_beats_fuzzy(index):
    results = index.search("Far East", limit=50)
    assert results and results[0].exact
    seen_fuzzy = False
    for r in results:
        if not r.exact:
            seen_fuzzy = True
            assert r.score < 100
        else:
            assert not seen_fuzzy, "an exact match ranked below a fuzzy one"
            assert fold(r.text) == "far east"


def test_exact_phrase_respects_word_boundaries(index):
    for r in index.search("ice", limit=50):
        assert fold(r.text) != "ice" or r.exact
        if r.exact:
            assert fold(r.text) == "ice"


QUERIES = [
    "silk road",
    "Li Hui",
    "Xi Jinping said",
    "cooperation",
    "e-commerce",
    "Russia’s Far Eastern port",
    "big data internet of things",
    "St. Petersburg",
    "Medvedev",
    "investment",
    "energy cooperation",
]


@pytest.mark.parametrize("query", QUERIES)
def test_offsets_are_true(index, corpus, query):
    results = index.search(query, limit=50)
    assert results
    for r in results:
        text = corpus[r.article_id].text
        assert 0 <= r.start < r.end <= len(text)
        assert text[r.start : r.end] == r.text
        assert text[r.context_start : r.context_start + len(r.context)] == r.context
        assert r.context_start <= r.start and r.end <= r.context_start + len(r.context)
        assert 0 <= r.score <= 100
        assert r.text == r.text.strip()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=st.text(max_size=40))
def test_any_query_is_safe(index, corpus, query):
    for r in index.search(query, limit=10):
        assert corpus[r.article_id].text[r.start : r.end] == r.text
        assert r.start < r.end


@settings(max_examples=60, deadline=None)
@given(
    prefix=st.text(max_size=30),
    suffix=st.text(max_size=30),
)
def test_offsets_survive_length_changing_folds(prefix, suffix):
    raw = prefix + " Ｓｉｌｋ ﬁnance road ÉTÉ Straße " + suffix
    article = article_from_text("x", Path("x"), raw)
    index = SearchIndex.build([article])
    for query in ["finance road", "silk finance", "strasse", "ete"]:
        for r in index.search(query):
            assert article.text[r.start : r.end] == r.text


def test_span_maps_back_through_ligatures():
    article = article_from_text("lig", Path("lig"), "The ﬁnancial ﬂows of Ｔｏｋｙｏ rose.\n")
    index = SearchIndex.build([article])
    hit = top(index, "financial flows")
    assert hit.exact and hit.text == "ﬁnancial ﬂows"
    hit = top(index, "tokyo")
    assert hit.text == "Ｔｏｋｙｏ"


# ---------------------------------------------------------------- filters


def test_parse_query():
    q = parse_query('arctic theme:energy -theme:"digital economy" article:000 route')
    assert q.text == "arctic route"
    assert q.themes == ("energy",)
    assert q.not_themes == ("digital economy",)
    assert q.articles == ("000",)
    assert not q.notes
    assert parse_query("note:follow up").notes
    assert parse_query("note:follow up").text == "follow up"


def test_theme_filters(index, corpus):
    a0, a1 = corpus[SEED_000], corpus.articles[1]
    anns = {
        a0.id: [annotate(a0, "Arctic shipping route", ["energy", "digital economy"])],
        a1.id: [annotate(a1, a1.text.split(".")[0], ["politics"])],
    }
    plain = index.search("cooperation", limit=100)
    assert len({r.article_id for r in plain}) > 1
    only = index.search("arctic theme:energy", annotations=anns)
    assert only and all(r.article_id == a0.id for r in only)
    assert all(
        anns[a0.id][0].overlaps(r.context_start, r.context_start + len(r.context)) for r in only
    )
    quoted = index.search('arctic theme:"digital economy"', annotations=anns)
    assert [r.start for r in quoted] == [r.start for r in only]
    assert index.search("arctic theme:politics", annotations=anns) == []
    assert index.search("arctic theme:energy") == []  # no annotations supplied
    without = index.search("Arctic shipping route -theme:energy", annotations=anns)
    assert all(not anns[a0.id][0].overlaps(r.start, r.end) for r in without)
    # a callable works like a mapping
    via_call = index.search("arctic theme:energy", annotations=lambda aid: anns.get(aid, []))
    assert via_call == only


def test_article_filter(index, corpus):
    results = index.search("cooperation article:004", limit=100)
    assert results and {r.article_id for r in results} == {SEED_004}
    title = corpus[SEED_004].title
    by_title = index.search(f'cooperation article:"{title[:20]}"', limit=100)
    assert {r.article_id for r in by_title} == {SEED_004}
    assert index.search("cooperation article:no-such-article") == []


def test_notes_mode(index, corpus):
    a0 = corpus[SEED_000]
    ann = annotate(
        a0, "silk road on ice", ["energy"], note="Northern sea route framing, check later"
    )
    other = annotate(a0, "digital economy", ["tech"], note="buzzword")
    anns = {a0.id: [ann, other]}
    for results in (
        index.search("nothern sea rout", annotations=anns, notes=True),
        index.search("note:nothern sea rout", annotations=anns),
    ):
        assert len(results) == 1
        r = results[0]
        assert r.annotation_id == ann.id
        assert (r.start, r.end, r.text) == (ann.start, ann.end, "silk road on ice")
        assert r.text in r.context
    assert index.search("note:silk road", annotations=anns) == []  # notes, not text
    assert index.search("note:buzzword theme:energy", annotations=anns) == []


# ---------------------------------------------------------------- non-Latin text


def test_russian_with_typos():
    ru = article_from_text("ru.txt", Path("ru.txt"), RUSSIAN)
    zh = article_from_text("zh.txt", Path("zh.txt"), CHINESE)
    index = SearchIndex.build([ru, zh, *load_corpus()])
    hit = top(index, "Сила Сибри")
    assert hit.article_id == "ru.txt" and hit.text == "Сила Сибири"
    hit = top(index, "газ пойдет в китай")  # ё folded to е
    assert hit.text == "газ пойдёт в Китай" and hit.exact
    hit = top(index, "емкость хранилищ")
    assert hit.text == "Ёмкость хранилищ"
    hit = top(index, "министр энергетеки")
    assert hit.text == "Министр энергетики"


def test_chinese_character_substring():
    zh = article_from_text("zh.txt", Path("zh.txt"), CHINESE)
    index = SearchIndex.build([zh, *load_corpus()])
    hit = top(index, "丝绸之路")
    assert hit.article_id == "zh.txt" and hit.text == "丝绸之路" and hit.exact
    hit = top(index, "数字经济")
    assert hit.text == "数字经济"
    hit = top(index, "北极")
    assert hit.text == "北极"
    assert index.search("量子色动力学") == []


# ---------------------------------------------------------------- updates and the cache


def test_incremental_update_and_remove(corpus):
    index = SearchIndex.build(corpus)
    assert index.search("zebra crossing referendum") == []
    a0 = corpus[SEED_000]
    changed = article_from_text(
        a0.id, a0.path, a0.text + "\nThe zebra crossing referendum failed.\n"
    )
    index.update(changed)
    hit = top(index, "zebra crosing referendum")
    assert hit.article_id == a0.id and hit.text == "zebra crossing referendum"
    assert changed.text[hit.start : hit.end] == hit.text
    index.remove(a0.id)
    assert index.search("zebra crossing referendum") == []
    assert all(r.article_id != a0.id for r in index.search("silk road on ice", limit=50))
    assert len(index) == len(corpus) - 1
    index.update(a0)
    assert top(index, "silk road on ice").article_id == a0.id


def test_many_removals():
    from benchmarks.corpus_gen import articles as synthetic

    docs = synthetic(40, seed=3, targets=4)
    index = SearchIndex.build(docs)
    probe = docs[-1].text.split("\n")[2].split(".")[0]
    assert top(index, probe).article_id == docs[-1].id
    for doc in docs[:35]:
        index.remove(doc.id)
    assert len(index) == 5
    assert top(index, probe).article_id == docs[-1].id
    assert all(
        r.article_id in {d.id for d in docs[35:]} for r in index.search("cooperation", limit=50)
    )


def test_progress_callback(corpus):
    calls = []
    SearchIndex.build(corpus, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (len(corpus), len(corpus))
    assert all(d <= t for d, t in calls)


def test_cache_round_trip(tmp_path, corpus, monkeypatch):
    built = SearchIndex.cached(corpus, tmp_path)
    assert (tmp_path / CACHE_NAME).is_dir() and (tmp_path / MANIFEST_NAME).is_file()

    def boom(*a, **k):
        raise AssertionError("rebuilt an unchanged corpus")

    monkeypatch.setattr(SearchIndex, "build", classmethod(boom))
    monkeypatch.setattr(SearchIndex, "_add_all", boom)
    loaded = SearchIndex.cached(corpus, tmp_path)
    assert len(loaded) == len(corpus)
    for q in ["silk rode on ise", "digtal economy", "Far East"]:
        assert loaded.search(q) == built.search(q)
    monkeypatch.undo()
    monkeypatch.setattr(SearchIndex, "build", classmethod(boom))
    # one changed article is re-indexed incrementally, not the whole corpus
    a0 = corpus[SEED_000]
    changed = article_from_text(a0.id, a0.path, a0.text + "\nA walrus summit opened.\n")
    articles = [changed if a.id == a0.id else a for a in corpus]
    again = SearchIndex.cached(articles, tmp_path)
    assert top(again, "walrus sumit").article_id == a0.id
    assert top(SearchIndex.cached(articles, tmp_path), "walrus summit").article_id == a0.id


def _plant(folder: Path, payload: bytes) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            path.write_bytes(payload)


MARKER = Path("/tmp") / "tagline-planted-pickle-ran"


class _Evil:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


@pytest.mark.parametrize(
    "payload",
    [b"", b"not an index at all", pickle.dumps(_Evil()), b'{"format": 2, "articles": 5}'],
)
def test_corrupt_cache_rebuilds_and_runs_nothing(tmp_path, corpus, payload):
    MARKER.unlink(missing_ok=True)
    SearchIndex.cached(corpus, tmp_path)
    _plant(tmp_path, payload)  # every file: manifest, tantivy meta, segments, locks
    index = SearchIndex.cached(corpus, tmp_path)
    assert top(index, "silk rode on ise").article_id == SEED_000
    assert not index.warning
    # and the rebuilt index was written back
    assert SearchIndex.open(tmp_path).passage_count == index.passage_count
    assert not MARKER.exists()


def test_open_rejects_other_versions(tmp_path, corpus):
    SearchIndex.cached(corpus, tmp_path)
    manifest = tmp_path / MANIFEST_NAME
    data = json.loads(manifest.read_text())
    data["format"] = 999
    manifest.write_text(json.dumps(data))
    with pytest.raises(ValueError):
        SearchIndex.open(tmp_path)
    assert SearchIndex.cached(corpus, tmp_path).search("digtal economy")
    assert json.loads(manifest.read_text())["format"] == FORMAT_VERSION


def test_planted_cache_in_open_folders_is_not_used(tmp_path, corpus):
    """Issue 14: another user replaces every cache file and opens the folders to all."""
    MARKER.unlink(missing_ok=True)
    cache = tmp_path / "cache" / "corpus-x"
    SearchIndex.cached(corpus, cache)
    assert (cache.stat().st_mode & 0o777) == 0o700
    _plant(cache, pickle.dumps(_Evil()))
    (cache / "search-index.pickle").write_bytes(pickle.dumps(_Evil()))  # the old name
    for folder in [cache, *[p for p in cache.rglob("*") if p.is_dir()]]:
        folder.chmod(0o777)
    index = SearchIndex.cached(corpus, cache)
    assert "writable by other users" in index.warning
    assert top(index, "silk rode on ise").article_id == SEED_000
    assert index.path is not None and cache not in index.path.parents
    assert (index.path.parent.stat().st_mode & 0o777) == 0o700
    assert not MARKER.exists()


def test_format_result_json(index):
    hit = top(index, "silk rode on ise")
    data = format_result_json(hit)
    assert set(data) >= {"article_id", "article_title", "start", "end", "text", "context", "score"}
    assert data["text"] == hit.text and isinstance(data["score"], float)


# ---------------------------------------------------------------- issue 11: analysts' queries


@pytest.mark.parametrize(
    ("query", "article", "passage"),
    [
        ("siberia pipeline", SEED_004, "oil and gas pipelines, such as Power of Siberia"),
        ("arctic route", SEED_000, "Arctic shipping route"),
        ("li qiang putin", "002_3115d2f89e0a05f8.txt", "Premier Li Qiang"),
        ("beidou glonass", "001_5421c8af9c0b1953.txt", "BeiDou and Russia's GLONASS"),
        ("medvedev communique", "001_5421c8af9c0b1953.txt", "communique signed by Li and Medvedev"),
        ("vladiv", SEED_004, "Vladivostok"),
    ],
)
def test_issue_examples_find_their_passages(index, query, article, passage):
    results = index.search(query, limit=5)
    ranks = [
        i for i, r in enumerate(results, 1) if r.article_id == article and passage in r.context
    ]
    assert ranks and ranks[0] == 1, [(r.article_id, r.context[:60]) for r in results]


def test_keywords_select_the_matched_words_not_a_fragment(index, corpus):
    hit = top(index, "power of siberia pipline")
    assert hit.article_id == SEED_004
    assert hit.text == "pipelines, such as Power of Siberia"
    text = corpus[SEED_004].text
    assert [text[s:e] for s, e in hit.matches] == ["pipelines", "Power", "of", "Siberia"]
    assert hit.context.startswith("The former Governor") and hit.context.endswith("China.")
    assert text[hit.context_start : hit.context_start + len(hit.context)] == hit.context
    whole = hit.whole_passage()
    assert (whole.start, whole.end, whole.text) == (hit.context_start, hit.context_end, hit.context)
    data = format_result_json(hit)
    assert data["matches"] == [list(m) for m in hit.matches]


def test_last_word_is_a_prefix(index):
    assert top(index, "vladiv").text == "Vladivostok"
    assert top(index, "digi").text.lower() == "digital"
    assert top(index, "arctic shipp").text == "Arctic shipping"
    assert index.search("vladiv ") == []  # a finished word is not a prefix


def test_words_across_adjacent_sentences(index, corpus):
    hit = top(index, "2013 maritime silk road")
    assert hit.article_id == SEED_000
    assert "proposed by China in 2013" in hit.context and "Maritime Silk Road" in hit.context
    hit = top(index, "li qiang putin")  # the next paragraph's first sentence
    assert "Li Qiang" in hit.context and "Putin" in hit.context


def test_quoted_phrase_and_excluded_word(index):
    hits = index.search('"power of siberia"')
    assert hits and all("Power of Siberia" in h.context for h in hits)
    assert index.search('"siberia of power"') == []
    assert index.search('"power of siberia" -gas') == []  # its only sentence mentions gas
    with_internet = index.search("digital economy", limit=20)
    without = index.search("digital economy -internet", limit=20)
    assert any("Internet" in h.context for h in with_internet)
    assert without and all("internet" not in h.context.lower() for h in without)


def test_russian_stems(tmp_path):
    ru = article_from_text("ru.txt", Path("ru.txt"), RUSSIAN)
    index = SearchIndex.build([ru, *load_corpus()])
    hit = top(index, "поставках декабрь")
    assert hit.article_id == "ru.txt" and "поставки начнутся в декабре" in hit.context


def test_judged_query_set_quality():
    """The benchmark's query set (benchmarks/data): recall@5 ≥ 0.98, nothing-queries empty."""
    from benchmarks.search_bench import Tagline, load_queries, quality, seed_corpus

    corpus = seed_corpus()
    judged = load_queries(corpus)
    assert len(judged) >= 80
    metrics, details = quality(Tagline(corpus), judged)
    misses = [(j.query, r) for j, r, n in details if r == 0 or (r == -1 and n)]
    assert metrics["r5"] >= 0.98 and metrics["mrr"] >= 0.95, misses
    assert metrics["empty"] == 1.0, misses
