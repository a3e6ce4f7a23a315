"""Every agreement figure against the reference libraries, on random team codings.

scikit-learn (`cohen_kappa_score`, `confusion_matrix`), `krippendorff` (nominal,
missing data as NaN) and statsmodels (`fleiss_kappa`) compute each figure from
unit decisions that this test derives on its own (a naive overlap check), on
the units the README's definitions name. Undefined references (NaN, or
krippendorff's "one value in the domain") must be `None` (`n/a`) here.
"""

from __future__ import annotations

import math
import random
import warnings

import pytest

np = pytest.importorskip("numpy")
krippendorff = pytest.importorskip("krippendorff")
sk_metrics = pytest.importorskip("sklearn.metrics")
inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")

from annotations.analysis.agreement import OVERALL, agreement  # noqa: E402
from annotations.corpus import Corpus  # noqa: E402
from annotations.text.segment import sentences  # noqa: E402
from tests.helpers.factories import ann, make_article  # noqa: E402

THEMES = ["energy", "digital economy", "Arctic route"]
WORDS = ["oil", "gas", "port", "ice", "data", "grid", "ship", "route", "cable", "chip"]


def _random_team(rng: random.Random):
    articles = []
    for i in range(rng.randint(1, 4)):
        text = " ".join(
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6))).capitalize() + "."
            for _ in range(rng.randint(1, 6))
        )
        articles.append(make_article(f"a{i}.txt", text))
    authors = [f"coder{j}" for j in range(rng.randint(2, 4))]
    anns, done = [], {}
    for author in authors:
        done[author] = {a.id for a in articles if rng.random() < 0.75}
        for article in articles:
            for _ in range(rng.randint(0, 4)):
                start = rng.randrange(len(article.text) - 1)
                end = rng.randint(start + 1, min(len(article.text), start + 40))
                themes = rng.sample(THEMES, rng.randint(1, 2))
                if rng.random() < 0.1:
                    themes = [themes[0], themes[0]]  # a repeated theme counts once
                anns.append(ann(article, start, end, *themes, author=author))
    return Corpus(articles), anns, done


def _decisions(anns, author, article, theme):
    return [
        int(
            any(
                a.author == author
                and a.article_id == article.id
                and theme in a.themes
                and a.start < e
                and s < a.end
                for a in anns
            )
        )
        for s, e in sentences(article.text)
    ]


def _undefined(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _same(ours, reference) -> None:
    if _undefined(reference):
        assert ours is None
    else:
        assert ours == pytest.approx(reference, abs=1e-9)


def _kappa(a, b):
    if not a:
        return None
    return sk_metrics.cohen_kappa_score(a, b, labels=[0, 1])


def _pooled(by_theme):
    po, pe = [], []
    for a, b in by_theme:
        cm = sk_metrics.confusion_matrix(a, b, labels=[0, 1]) / len(a)
        po.append(cm[0, 0] + cm[1, 1])
        pe.append(cm[0].sum() * cm[:, 0].sum() + cm[1].sum() * cm[:, 1].sum())
    if not po:
        return None
    mpo, mpe = np.mean(po), np.mean(pe)
    return None if mpe >= 1 else (mpo - mpe) / (1 - mpe)


def _alpha(matrix):
    try:
        return krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    except ValueError:  # "There has to be more than one value in the domain."
        return None


def _fleiss(rows):
    if not rows:
        return None
    table = np.array([[len(r) - sum(r), sum(r)] for r in rows])
    return inter_rater.fleiss_kappa(table, method="fleiss")


def check(corpus, anns, done, per_article=True):
    report = agreement(anns, corpus, themes=THEMES, coverage=done, per_article=per_article)
    by_id = {a.id: a for a in corpus}
    authors = report.authors
    for p in report.pairs:
        arts = [by_id[i] for i in sorted(done[p.a] & done[p.b])]
        themes = report.themes if p.theme == OVERALL else [p.theme]
        rows = []
        for t in themes:
            da = [x for art in arts for x in _decisions(anns, p.a, art, t)]
            db = [x for art in arts for x in _decisions(anns, p.b, art, t)]
            rows.append((da, db))
        if p.theme == OVERALL:
            pair_themes = [q.theme for q in report.pairs if (q.a, q.b) == (p.a, p.b)][:-1]
            rows = [r for t, r in zip(themes, rows, strict=True) if t in pair_themes]
            concat_a = [x for a, _ in rows for x in a]
            concat_b = [x for _, b in rows for x in b]
            _same(p.kappa, _kappa(concat_a, concat_b))
            _same(p.pooled, _pooled(rows))
            per_art = [
                _kappa(
                    [x for t in pair_themes for x in _decisions(anns, p.a, art, t)],
                    [x for t in pair_themes for x in _decisions(anns, p.b, art, t)],
                )
                for art in arts
            ]
        else:
            _same(p.kappa, _kappa(*rows[0]))
            per_art = [
                _kappa(_decisions(anns, p.a, art, p.theme), _decisions(anns, p.b, art, p.theme))
                for art in arts
            ]
        defined = [k for k in per_art if not _undefined(k)]
        _same(p.per_article, np.mean(defined) if defined else None)

    team = [a for a in corpus if any(a.id in done[x] for x in authors)]
    complete = [a for a in team if all(a.id in done[x] for x in authors)]
    pooled_matrix, pooled_rows = [], []
    for t in report.themes:
        matrix = np.array(
            [
                [
                    x if art.id in done[author] else np.nan
                    for art in team
                    for x in _decisions(anns, author, art, t)
                ]
                for author in authors
            ],
            dtype=float,
        )
        rows = [
            list(r)
            for art in complete
            for r in zip(*[_decisions(anns, x, art, t) for x in authors], strict=True)
        ]
        _same(report.alpha[t], _alpha(matrix))
        _same(report.fleiss[t], _fleiss(rows))
        pooled_matrix.append(matrix)
        pooled_rows += rows
    if pooled_matrix:
        _same(report.alpha[OVERALL], _alpha(np.concatenate(pooled_matrix, axis=1)))
        _same(report.fleiss[OVERALL], _fleiss(pooled_rows))
    return report


@pytest.mark.parametrize("seed", range(40))
def test_random_codings_match_the_reference_libraries(seed):
    rng = random.Random(seed)
    corpus, anns, done = _random_team(rng)
    if not any(done.values()):
        done[next(iter(done))] = {corpus.articles[0].id}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(corpus, anns, done)


ART = make_article("e.txt", "One two. Three four. Five six. Seven eight.")
ONE = make_article("one.txt", "Only one sentence here.")


def _run(anns, done, corpus=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check(corpus or Corpus([ART, ONE]), anns, done)


def _row(report, theme):
    return next(p for p in report.pairs if p.theme == theme)


def test_edge_perfect_agreement():
    anns = [ann(ART, 0, 8, "energy", author=x) for x in ("a", "b")]
    r = _run(anns, {"a": {ART.id}, "b": {ART.id}})
    assert _row(r, "energy").kappa == 1.0 and r.alpha["energy"] == 1.0
    assert r.fleiss["energy"] == pytest.approx(1.0)


def test_edge_one_unit_is_undefined():
    anns = [ann(ONE, 0, 4, "energy", author=x) for x in ("a", "b")]
    r = _run(anns, {"a": {ONE.id}, "b": {ONE.id}})
    assert _row(r, "energy").kappa is None and r.alpha["energy"] is None


def test_edge_a_theme_only_one_analyst_used():
    anns = [ann(ART, 0, 8, "energy", author="a"), ann(ART, 9, 19, "Arctic route", author="b")]
    r = _run(anns, {"a": {ART.id}, "b": {ART.id}})
    assert _row(r, "energy").kappa == pytest.approx(0.0)
    assert _row(r, "Arctic route").kappa == pytest.approx(0.0)


def test_edge_every_unit_coded_is_undefined():
    anns = [ann(ART, 0, 43, "energy", author=x) for x in ("a", "b", "c")]
    r = _run(anns, {x: {ART.id} for x in "abc"})
    assert _row(r, "energy").kappa is None
    assert r.alpha["energy"] is None and r.fleiss["energy"] is None


def test_edge_an_analyst_who_covered_nothing_in_common():
    anns = [ann(ART, 0, 8, "energy", author="a"), ann(ONE, 0, 4, "energy", author="b")]
    r = _run(anns, {"a": {ART.id}, "b": {ONE.id}})
    row = _row(r, OVERALL)
    assert row.units == 0 and row.kappa is None and row.pooled is None
    assert r.fleiss_units == 0 and r.fleiss[OVERALL] is None
