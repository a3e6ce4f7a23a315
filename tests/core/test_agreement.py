from __future__ import annotations

import json

import pytest

from annotations.analysis.agreement import (
    OVERALL,
    agreement,
    coded_units,
    cohen_kappa,
    disagreements,
    f1,
    fleiss_kappa,
    krippendorff_alpha,
    pooled_kappa,
)
from annotations.corpus import Corpus
from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.factories import ann, make_article
from tui.cli.main import main

E, D = "energy", "digital economy"

# Sentences: "One two." 0-8, " Three four." 8-20, " Five six." 20-30, " Seven eight." 30-43
# Tokens: One 0-3, two 4-7, Three 9-14, four 15-19, Five 21-25, six 26-29, Seven 31-36, eight 37-42
ART = make_article("t.txt", "One two. Three four. Five six. Seven eight.")
CORPUS = Corpus([ART])
TEAM = [
    ann(ART, 0, 8, E, author="alice"),
    ann(ART, 21, 30, E, author="alice"),
    ann(ART, 31, 43, D, author="alice"),
    ann(ART, 0, 5, E, author="bob"),
    ann(ART, 9, 19, E, author="bob"),
    ann(ART, 31, 36, D, author="bob"),
    ann(ART, 0, 8, E, author="carol"),
]


def test_cohen_kappa_hand_computed():
    a = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    b = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    # p_o = 8/10; p_a = p_b = 0.3; p_e = .3*.3 + .7*.7 = .58; (.8 - .58) / .42 = .5238
    assert cohen_kappa(a, b) == pytest.approx(0.22 / 0.42)
    assert cohen_kappa([1, 0], [1, 0]) == pytest.approx(1.0)
    # p_e = 1 (nobody ever codes): undefined, not 1 or 0
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) is None
    # perfect disagreement on a balanced sample: p_o = 0, p_e = .5 -> -1
    assert cohen_kappa([1, 0], [0, 1]) == pytest.approx(-1.0)


def test_krippendorff_alpha_hand_computed():
    # 3 coders, 4 units: n1 = 3+0+2+0 = 5, n0 = 7, n = 12; only u3 disagrees: 1*2/(3-1) = 1
    # alpha = 1 - (n-1) * 1 / (n0*n1) = 1 - 11/35 = 0.685714
    rows = [[1, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]]
    assert krippendorff_alpha(rows) == pytest.approx(1 - 11 / 35)
    # two coders (the kappa data above): n0 = 14, n1 = 6, two split units of 1*1/1
    # alpha = 1 - 19 * 2 / 84 = 0.547619
    a = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1]
    b = [1, 0, 0, 0, 0, 0, 0, 0, 1, 1]
    assert krippendorff_alpha(list(zip(a, b, strict=True))) == pytest.approx(1 - 38 / 84)
    assert krippendorff_alpha([[0, 0], [0, 0]]) is None
    assert krippendorff_alpha([[1, 1], [0, 0]]) == pytest.approx(1.0)


def _pair(report, a, b, theme):
    return next(p for p in report.pairs if (p.a, p.b, p.theme) == (a, b, theme))


def test_agreement_on_sentences_hand_computed():
    r = agreement(TEAM, CORPUS, unit="sentence", themes=[E, D])
    assert r.authors == ["alice", "bob", "carol"] and r.units == 4 and r.themes == [E, D]
    # energy by sentence: alice [1,0,1,0], bob [1,1,0,0] -> p_o = .5, p_e = .5 -> kappa 0
    ab_e = _pair(r, "alice", "bob", E)
    assert ab_e.kappa == pytest.approx(0.0)
    # spans: no identical span -> exact F1 0; overlap: bob 1 of 2, alice 1 of 2 -> 0.5
    assert ab_e.f1_exact == 0.0 and ab_e.f1_overlap == pytest.approx(0.5)
    # digital: both code only sentence 4 -> kappa 1; spans differ -> exact 0, overlap 1
    ab_d = _pair(r, "alice", "bob", D)
    assert (ab_d.kappa, ab_d.f1_exact, ab_d.f1_overlap) == (pytest.approx(1.0), 0.0, 1.0)
    # overall pools 8 (unit, theme) decisions: alice [1,0,1,0, 0,0,0,1], bob [1,1,0,0, 0,0,0,1]
    # p_o = 6/8; p_a = p_b = 3/8; p_e = 9/64 + 25/64 = 34/64; (.75 - .53125)/.46875 = .46667
    ab = _pair(r, "alice", "bob", OVERALL)
    assert ab.kappa == pytest.approx(0.21875 / 0.46875)
    # overall overlap: 2 of bob's 3 spans and 2 of alice's 3 -> F1 2/3
    assert ab.f1_overlap == pytest.approx(2 / 3) and ab.units == 8
    # alice vs carol on energy: carol [1,0,0,0]; p_o = 3/4, p_a = .5, p_c = .25,
    # p_e = .125 + .375 = .5 -> kappa .5; exact F1: 1 match of 2 + 1 spans -> 2/3
    ac = _pair(r, "alice", "carol", E)
    assert ac.kappa == pytest.approx(0.5) and ac.f1_exact == pytest.approx(2 / 3)
    # bob vs carol on digital: carol never codes it: p_b = .25, p_c = 0, p_o = .75,
    # p_e = .75 -> kappa 0
    assert _pair(r, "bob", "carol", D).kappa == pytest.approx(0.0)
    # alpha, energy: rows [1,1,1], [0,1,0], [1,0,0], [0,0,0]: n1 = 5, n0 = 7,
    # disagreement 2*1/2 + 1*2/2 = 2 -> 1 - 11*2/35
    assert r.alpha[E] == pytest.approx(1 - 22 / 35)


def test_agreement_on_tokens_hand_computed():
    r = agreement(TEAM, CORPUS, unit="token", themes=[E, D])
    assert r.units == 8
    # energy by token: alice One two Five six = [1,1,0,0,1,1,0,0];
    # bob [0,5) covers One two, [9,19) Three four = [1,1,1,1,0,0,0,0]
    # p_o = 4/8, p_a = p_b = .5 -> kappa 0
    assert _pair(r, "alice", "bob", E).kappa == pytest.approx(0.0)
    # digital: alice Seven eight [..,1,1], bob Seven [..,1,0]: p_o = 7/8,
    # p_a = 2/8, p_b = 1/8, p_e = 2/64 + 42/64 = 44/64; (56/64 - 44/64)/(20/64) = .6
    assert _pair(r, "alice", "bob", D).kappa == pytest.approx(0.6)


def test_articles_nobody_coded_are_not_units():
    other = make_article("u.txt", "Nothing here. Nor here.")
    r = agreement(TEAM, Corpus([ART, other]), unit="sentence")
    assert r.articles == 1 and r.units == 4


def test_disagreements_for_adjudication():
    got = [(d.theme, d.start, d.end, d.coded_by, d.not_by) for d in disagreements(TEAM)]
    assert got == [
        # [0,5) all three coded energy: agreement, not listed
        (E, 5, 8, ("alice", "carol"), ("bob",)),
        (E, 9, 19, ("bob",), ("alice", "carol")),
        (E, 21, 30, ("alice",), ("bob", "carol")),
        (D, 31, 36, ("alice", "bob"), ("carol",)),
        (D, 36, 43, ("alice",), ("bob", "carol")),
    ]
    # with an explicit team of the two who coded digital, [31,36) is agreed
    two = disagreements([a for a in TEAM if D in a.themes], authors=["alice", "bob"])
    assert [(d.start, d.end) for d in two] == [(36, 43)]


def test_cli_agreement(tmp_db, capsys):
    from annotations.corpus import load_corpus

    corpus = load_corpus()
    art = corpus.articles[0]
    with AnnotationStore(tmp_db, author="x") as store:
        store.put_many(
            [
                ann(art, 0, 84, E, author="alice"),
                ann(art, 0, 84, E, author="bob"),
                ann(art, 95, 259, D, author="alice"),
            ]
        )
    assert main(["agreement", "--db", str(tmp_db), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["authors"] == ["alice", "bob"] and data["unit"] == "sentence"
    energy = next(p for p in data["pairs"] if p["theme"] == E)
    assert energy["kappa"] == 1.0 and energy["f1_exact"] == 1.0
    assert main(["agreement", "--db", str(tmp_db), "--unit", "token"]) == 0
    out = capsys.readouterr().out
    assert "Krippendorff" in out and "alice" in out and "(overall)" in out


def test_cli_agreement_needs_two_authors(tmp_db, capsys):
    assert main(["agreement", "--db", str(tmp_db)]) == 1
    assert "two or more authors" in capsys.readouterr().err


# -- coverage ----------------------------------------------------------------------------

OTHER = make_article("u.txt", "Arctic ice. Ships pass. Ports grow.")
TWO = Corpus([ART, OTHER])


def test_a_third_analyst_does_not_change_a_pairs_figures():
    pair = [a for a in TEAM if a.author in ("alice", "bob")]
    # carol coded an article neither alice nor bob marked done, with a theme of her own
    carol = [ann(OTHER, 0, 11, "Arctic route", author="carol"), ann(ART, 0, 8, E, author="carol")]
    done = {"alice": {ART.id}, "bob": {ART.id}}
    before = agreement(pair, TWO, coverage=done)
    after = agreement(pair + carol, TWO, coverage={**done, "carol": {ART.id, OTHER.id}})
    rows = lambda r: [p for p in r.pairs if (p.a, p.b) == ("alice", "bob")]
    assert rows(before) == rows(after)
    assert after.coverage == "done" and not after.warnings
    # without any done mark the fallback is each pair's own coded articles, with a warning
    fallback = agreement(pair + carol, TWO)
    assert rows(fallback) == rows(before) and fallback.coverage == "coded"
    assert fallback.warnings and "nobody marked" in fallback.warnings[0]


def test_an_analyst_who_coded_nothing_but_marked_done_is_a_coder():
    alice = [ann(ART, 0, 8, E, author="alice")]
    r = agreement(alice, CORPUS, coverage={"alice": {ART.id}, "carol": {ART.id}})
    assert r.authors == ["alice", "carol"]
    # carol read the article and coded nothing: disagreement, not missing data
    assert _pair(r, "alice", "carol", E).kappa == pytest.approx(0.0)
    assert _pair(r, "alice", "carol", E).f1_exact == 0.0  # not None: one side has spans


def test_alpha_takes_uncovered_articles_as_missing():
    anns = [
        ann(ART, 0, 8, E, author="alice"),
        ann(ART, 0, 8, E, author="bob"),
        ann(OTHER, 0, 11, E, author="alice"),  # bob never read OTHER
    ]
    r = agreement(anns, TWO, coverage={"alice": {ART.id, OTHER.id}, "bob": {ART.id}})
    # OTHER's units have one value each: not pairable; ART: perfect agreement
    assert r.alpha[E] == pytest.approx(1.0)
    assert r.articles == 2 and r.fleiss_units == 4


def test_exactly_two_coders_get_alpha_and_fleiss_per_theme():
    r = agreement([a for a in TEAM if a.author != "carol"], CORPUS)
    assert r.authors == ["alice", "bob"]
    assert r.alpha[E] is not None and r.alpha[D] is not None and r.fleiss[E] is not None


def test_a_repeated_theme_and_a_repeated_passage_count_once():
    from dataclasses import replace

    twice = replace(ann(ART, 0, 8, E, author="alice"), themes=(E, E))
    again = ann(ART, 0, 8, E, author="alice")
    r = agreement([twice, again, ann(ART, 0, 8, E, author="bob")], CORPUS)
    row = _pair(r, "alice", "bob", E)
    assert row.f1_exact == 1.0 and row.f1_overlap == 1.0 and row.kappa == 1.0


def test_a_unit_an_annotation_only_touches_is_not_coded():
    # [8, 20) ends where sentence 3 starts and starts where sentence 1 ends
    units = [(0, 8), (8, 20), (20, 30)]
    assert coded_units(units, [ann(ART, 8, 20, E)], E) == {1}
    assert coded_units(units, [ann(ART, 7, 21, E)], E) == {0, 1, 2}
    # tokens leave gaps: [3, 5) starts where "One" ends and ends inside "two"
    tokens = [(0, 3), (4, 7), (9, 14)]
    assert coded_units(tokens, [ann(ART, 3, 5, E)], E) == {1}
    assert coded_units(tokens, [ann(ART, 3, 4, E)], E) == set()


def test_pooled_kappa_is_not_the_concatenated_kappa():
    # De Vries et al. (2008): mean p_o and mean p_e over themes
    energy = ([1, 1, 1, 0], [1, 1, 0, 0])  # p_o .75, p_e .75*.5 + .25*.5 = .5
    digital = ([1, 0, 0, 0], [0, 0, 0, 0])  # p_o .75, p_e .25*0 + .75*1 = .75
    assert pooled_kappa([energy, digital]) == pytest.approx((0.75 - 0.625) / (1 - 0.625))
    # concatenated: p_o 6/8, p_a 4/8, p_b 2/8, p_e .5 -> .5
    concat = cohen_kappa(energy[0] + digital[0], energy[1] + digital[1])
    assert concat == pytest.approx(0.5)
    assert pooled_kappa([]) is None and pooled_kappa([([0, 0], [0, 0])]) is None


def test_fleiss_kappa_hand_computed():
    # 3 coders, rows [1,1,1] [0,0,0] [1,1,0] [0,0,0]: P_i = 1, 1, 1/3, 1 -> P = 10/12
    # p1 = 5/12, p_e = 25/144 + 49/144 = 74/144
    rows = [[1, 1, 1], [0, 0, 0], [1, 1, 0], [0, 0, 0]]
    assert fleiss_kappa(rows) == pytest.approx((10 / 12 - 74 / 144) / (1 - 74 / 144))
    assert fleiss_kappa([[1, 1], [1, 1]]) is None and fleiss_kappa([]) is None
    assert fleiss_kappa([[1, 1], [1, 0, 0]]) is None  # unequal coders: not Fleiss' design


def test_per_article_kappa_is_the_mean_of_defined_article_kappas():
    anns = [
        ann(ART, 0, 8, E, author="a"),
        ann(ART, 0, 8, E, author="b"),  # ART: kappa 1
        ann(OTHER, 0, 11, E, author="a"),
        ann(OTHER, 12, 23, E, author="b"),  # OTHER: p_o 1/3, p_e 5/9 -> -0.5
    ]
    r = agreement(
        anns, TWO, coverage={"a": {ART.id, OTHER.id}, "b": {ART.id, OTHER.id}}, per_article=True
    )
    assert _pair(r, "a", "b", E).per_article == pytest.approx((1.0 - 0.5) / 2)


def test_adjacent_disagreement_pieces_with_the_same_coders_are_joined():
    anns = [
        ann(ART, 0, 10, E, author="alice"),
        ann(ART, 5, 20, E, author="alice"),  # cuts at 5 and 10, alice alone throughout
        ann(ART, 30, 40, E, author="bob"),
    ]
    got = [(d.start, d.end, d.coded_by) for d in disagreements(anns)]
    assert got == [(0, 20, ("alice",)), (30, 40, ("bob",))]


def test_cli_agreement_reads_coverage_and_offers_every_definition(tmp_db, capsys):
    from annotations.corpus import load_corpus

    corpus = load_corpus()
    art = corpus.articles[0]
    with AnnotationStore(tmp_db, author="x") as store:
        store.put_many([ann(art, 0, 84, E, author="alice"), ann(art, 0, 84, E, author="bob")])
    assert main(["agreement", "--db", str(tmp_db)]) == 0
    captured = capsys.readouterr()
    assert "nobody marked an article done" in captured.err
    assert "articles either coded" in captured.out and "Fleiss" in captured.out
    with AnnotationStore(tmp_db, author="alice") as store:
        store.set_done(art.id)
        store.set_done(art.id, author="bob")
        store.set_done(art.id, author="carol")  # read it, coded nothing
    assert main(["agreement", "--db", str(tmp_db), "--per-article", "--json"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert captured.err == "" and data["coverage"] == "done"
    assert data["authors"] == ["alice", "bob", "carol"]
    overall = next(p for p in data["pairs"] if p["theme"] == OVERALL and p["authors"][1] == "bob")
    assert overall["pooled_kappa"] == 1.0 and overall["per_article_kappa"] == 1.0
    assert set(data["fleiss_kappa"]) == {E, OVERALL}
    assert main(["agreement", "--db", str(tmp_db), "--themes", "codebook", "--json"]) == 0
    assert D in json.loads(capsys.readouterr().out)["themes"]


# -- mutants that survived (issue 18) ------------------------------------------------------


def test_span_f1_is_none_only_when_nobody_has_a_span_and_zero_without_overlap():
    assert f1(0, 0, 0, 0) is None
    assert f1(0, 1, 0, 0) == 0.0 and f1(0, 0, 0, 1) == 0.0  # one coder has no span
    assert f1(0, 2, 0, 2) == 0.0  # both have spans, none overlaps
    assert f1(1, 2, 1, 1) == pytest.approx(2 * 0.5 * 1 / 1.5)


def test_spans_that_only_touch_do_not_overlap():
    touching = [ann(ART, 0, 8, E, author="a"), ann(ART, 20, 30, E, author="a")]
    r = agreement([*touching, ann(ART, 8, 20, E, author="b")], CORPUS)
    row = _pair(r, "a", "b", E)
    assert row.f1_exact == 0.0 and row.f1_overlap == 0.0
    r = agreement([ann(ART, 0, 9, E, author="a"), ann(ART, 8, 20, E, author="b")], CORPUS)
    assert _pair(r, "a", "b", E).f1_overlap == 1.0


def test_report_json_names_every_figure():
    r = agreement(TEAM, CORPUS)
    data = r.to_json()
    assert set(data) == {
        "unit", "coverage", "theme_scope", "warnings", "authors", "themes", "articles",
        "units", "pairs", "alpha", "fleiss_kappa", "fleiss_units",
    }  # fmt: skip
    assert (data["theme_scope"], data["warnings"]) == ("pair", r.warnings)
    assert (data["articles"], data["units"], data["fleiss_units"]) == (1, 4, r.fleiss_units)
    assert data["alpha"] == r.alpha and data["fleiss_kappa"] == r.fleiss
    for row, p in zip(data["pairs"], r.pairs, strict=True):
        keys = {"authors", "theme", "articles", "units", "kappa", "per_article_kappa",
                "f1_exact", "f1_overlap"}  # fmt: skip
        if p.theme == OVERALL:
            keys.add("pooled_kappa")
        assert set(row) == keys
        assert (row["articles"], row["units"], row["f1_overlap"]) == (
            p.articles,
            p.units,
            p.f1_overlap,
        )


def test_disagreements_count_the_given_team_and_joined_pieces_keep_theme_and_absentees():
    anns = [
        ann(ART, 0, 10, E, author="alice"),
        ann(ART, 5, 20, E, author="alice"),
        ann(ART, 0, 20, E, author="bob"),
    ]
    assert disagreements(anns) == []  # alice and bob agree
    (d,) = disagreements(anns, authors=["alice", "bob", "carol"])
    assert (d.start, d.end, d.theme) == (0, 20, E)
    assert d.coded_by == ("alice", "bob") and d.not_by == ("carol",)


def test_bad_unit_or_scope_names_the_choices():
    with pytest.raises(ValueError, match=r"^unknown unit 'word' \(units: sentence, token\)$"):
        agreement(TEAM, CORPUS, unit="word")
    with pytest.raises(ValueError, match=r"^unknown theme scope 'all' \(pair, codebook\)$"):
        agreement(TEAM, CORPUS, theme_scope="all")


def test_pairs_follow_the_codebook_and_count_units_and_articles():
    anns = [ann(ART, 0, 8, E, author="a"), ann(ART, 0, 8, D, author="b")]
    r = agreement(anns, CORPUS, themes=[E, D, "unused"])
    assert [p.theme for p in r.pairs] == [E, D, OVERALL]  # codebook order, not a-z
    assert [(p.units, p.articles) for p in r.pairs] == [(4, 1), (4, 1), (8, 1)]
    assert _pair(r, "a", "b", OVERALL).f1_exact == 0.0  # same passage, different themes
    assert all(p.per_article is None for p in r.pairs)  # only when asked for
    r = agreement(anns, CORPUS, themes=[E, D, "unused"], theme_scope="codebook")
    assert [p.theme for p in r.pairs] == [E, D, "unused", OVERALL]


def test_without_coverage_a_pair_is_compared_on_what_either_coded():
    anns = [ann(ART, 0, 8, E, author="a"), ann(OTHER, 0, 11, E, author="b")]
    r = agreement(anns, TWO)
    assert r.coverage == "coded" and _pair(r, "a", "b", E).articles == 2
    # ... and for the team figures, everyone read every article someone coded.
    assert r.fleiss_units == 4 + 3 and r.alpha[E] is not None and r.fleiss[E] is not None


def test_annotations_on_articles_outside_the_corpus_are_left_out():
    stray = ann(OTHER, 0, 11, E, author="a")
    anns = [stray, ann(ART, 0, 8, E, author="a"), ann(ART, 0, 8, E, author="b")]
    r = agreement(anns, CORPUS)  # OTHER is not in this corpus
    assert _pair(r, "a", "b", E).f1_exact == 1.0 and r.articles == 1
