from __future__ import annotations

import json

import pytest

from annotations.analysis.agreement import (
    OVERALL,
    agreement,
    cohen_kappa,
    disagreements,
    krippendorff_alpha,
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
