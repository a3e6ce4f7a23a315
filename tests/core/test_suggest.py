from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.analysis.suggest import (
    CueMatcher,
    Suggestion,
    rejection_key,
    suggest_for_article,
    tokens,
)
from annotations.corpus import load_corpus
from annotations.store.tinydb_store import AnnotationStore
from annotations.themes import Codebook, Theme
from tests.helpers.factories import ann, make_article
from tui.cli.main import main

E, D, A = "energy", "digital economy", "Arctic route"


def matcher(*cues: str, theme: str = "T") -> CueMatcher:
    return CueMatcher((theme, c) for c in cues)


@pytest.mark.parametrize(
    "text",
    [
        "Oil exports rose.",
        "the OIL price",
        "oil-rich regions",  # a compound may start with a cue
        "Crude oil, gas and coal.",
    ],
)
def test_short_cue_matches_whole_word(text):
    assert "T" in matcher("oil").match(text)


@pytest.mark.parametrize("text", ["years of toil", "fertile soil", "non-oil exports", "oils"])
def test_short_cue_never_matches_inside_a_word(text):
    assert matcher("oil").match(text) == {}


def test_5g_and_lng_are_whole_words():
    m = matcher("5G", "LNG")
    assert m.match("rolling out 5G networks")["T"] == (100.0, "5G")
    assert m.match("a 15G cable; LNGX") == {}


@pytest.mark.parametrize(
    "cue,text",
    [
        ("pipeline", "two new pipelines"),  # plural
        ("smart cities", "building a smart city"),  # -ies plural
        ("Arctic", "the Artic route"),  # dropped letter
        ("Northern Sea Route", "along the Nothern Sea Route"),
        ("e-commerce", "cross-border E-Commerce platforms"),
        ("Internet of Things", "the internet of things"),
    ],
)
def test_fuzzy_matches_inflections_and_small_typos(cue, text):
    score, matched = matcher(cue).match(text)["T"]
    assert matched == cue and 90 <= score <= 100


@pytest.mark.parametrize(
    "cue,text",
    [
        ("internet", "in the interests of both"),  # one substitution in 8 letters: 87.5
        ("polar", "a multi-polar world"),  # starts inside a compound
        ("energy", "synergy between the two"),
        ("Silk Road on Ice", "the Silk Road Economic Belt"),  # every token must match
    ],
)
def test_near_misses_do_not_match(cue, text):
    assert matcher(cue).match(text) == {}


def test_exact_scores_higher_than_typo():
    m = matcher("pipeline")
    assert m.match("pipeline")["T"][0] == 100.0
    assert m.match("pipline")["T"][0] < 100.0


@given(st.text(max_size=200))
def test_matching_never_crashes_and_scores_are_bounded(text):
    for score, _ in CueMatcher.from_codebook(Codebook()).match(text).values():
        assert 90 <= score <= 100


def test_tokens_fold_case_accents_and_plurals():
    assert tokens("Énergie PIPELINES, cities") == ["energie", "pipeline", "city"]


ARTICLE = make_article(
    "x.txt",
    "Title line\nOil and gas pipelines were discussed. Trade grew.  "
    "The Arctic route and LNG shipping were on the agenda. E-commerce is booming.",
)


def test_suggest_for_article_ranks_and_offsets_match_text():
    found = suggest_for_article(ARTICLE, Codebook())
    text = ARTICLE.text
    assert [(s.theme, text[s.start : s.end]) for s in found] == [
        (E, "Oil and gas pipelines were discussed."),
        (E, "The Arctic route and LNG shipping were on the agenda."),
        (A, "The Arctic route and LNG shipping were on the agenda."),
        (D, "E-commerce is booming."),
    ]
    assert all(isinstance(s, Suggestion) and s.score == 100.0 for s in found)


def test_suggest_skips_coded_and_rejected_sentences():
    text = ARTICLE.text
    arctic = text.index("The Arctic")
    # energy already coded on part of the Arctic sentence; Arctic route rejected there
    coded = [ann(ARTICLE, arctic + 20, arctic + 23, E)]
    sentence = text[arctic : text.index("agenda.") + 7]
    rejected = {rejection_key(ARTICLE.id, A, sentence)}
    found = suggest_for_article(ARTICLE, Codebook(), coded, rejected)
    assert [(s.theme, s.start) for s in found] == [(E, text.index("Oil")), (D, text.index("E-c"))]
    # theme filter
    only = suggest_for_article(ARTICLE, Codebook(), themes=["digital ECONOMY"])
    assert [s.theme for s in only] == [D]


def test_edited_cues_drive_suggestions():
    codebook = Codebook([Theme("shipping", "#3A8FD6", "1", ("shipping",))])
    found = suggest_for_article(ARTICLE, codebook)
    assert [(s.theme, s.cue) for s in found] == [("shipping", "shipping")]


def test_rejections_are_durable(tmp_db):
    with AnnotationStore(tmp_db, author="ana") as store:
        assert store.rejections() == set()
        store.reject("k1", theme=E, article_id="x.txt")
        assert store.rejections() == {"k1"}
        assert not store.can_undo  # never on the annotations' undo stack
    with AnnotationStore(tmp_db) as store:
        assert store.rejections() == {"k1"}
        assert len(store) == 0 and store.article_ids() == []


def test_rejection_survives_a_crash_before_compaction(tmp_db):
    store = AnnotationStore(tmp_db, author="ana")
    store.reject("k2")
    store.storage.close()  # no compaction: only the journal holds the record
    with AnnotationStore(tmp_db) as again:
        assert again.rejections() == {"k2"}


def test_cli_suggest_json_respects_theme_and_rejections(tmp_db, capsys):
    corpus = load_corpus()
    assert main(["suggest", "--db", str(tmp_db), "--theme", "arctic route", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["theme"] for r in rows} == {A} and len(rows) == 2
    for r in rows:
        assert corpus[r["article_id"]].text[r["start"] : r["end"]] == r["exact"]
    with AnnotationStore(tmp_db) as store:
        store.reject(rows[0]["key"])
    assert main(["suggest", "--db", str(tmp_db), "--theme", A, "--json"]) == 0
    again = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert again == rows[1:]


def test_cli_suggest_unknown_theme_is_one_line_error(tmp_db, capsys):
    assert main(["suggest", "--db", str(tmp_db), "--theme", "nope"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tagline: error:") and err.count("\n") == 1


def test_a_repeated_passage_is_suggested_once_and_not_after_a_copy_is_coded():
    headline = "Oil and gas pipelines expand."
    art = make_article("rep.txt", f"{headline}\n\nSome words. {headline} More words.\n")
    found = suggest_for_article(art, Codebook(), themes=[E])
    assert [(s.start, art.text[s.start : s.end]) for s in found] == [(0, headline)]
    second = art.text.index(headline, 1)
    coded = [ann(art, second, second + len(headline), E)]
    assert suggest_for_article(art, Codebook(), coded, themes=[E]) == []


def test_a_suggestion_says_where_its_cue_matched_and_how_to_narrow_it():
    from annotations.analysis.suggest import narrowings

    art = make_article("cue.txt", "Intro line here. Crude oil prices rose, said the Gazprom chief.")
    codebook = Codebook([Theme("energy", "#3A8FD6", "1", ("oil price", "Gazprom"))])
    (found,) = suggest_for_article(art, codebook)
    assert art.text[found.cue_start : found.cue_end] == "oil prices"
    assert found.cue == "oil price"
    m = CueMatcher.from_codebook(codebook)
    span = m.locate(art.text, "Gazprom")
    assert art.text[span[0] : span[1]] == "Gazprom"
    assert narrowings(art.text, span) == ["Gazprom chief", "the Gazprom", "the Gazprom chief"]
    assert m.locate(art.text, "coal") is None
    # a cue at the very start or end of the text has only one side to grow
    assert narrowings("Oil rose", (0, 3)) == ["Oil rose"]


def test_teach_options_drop_or_narrow_the_cue_of_a_rejected_suggestion():
    from annotations.analysis.suggest import teach_options

    art = make_article("cue.txt", "Intro line here. The Gazprom chief spoke on Monday.")
    codebook = Codebook([Theme("energy", "#3A8FD6", "1", ("Gazprom", "oil"))])
    (found,) = suggest_for_article(art, codebook)
    edits = teach_options(codebook, found, art.text)
    assert [(e.label, e.cues) for e in edits] == [
        ("Drop the cue “Gazprom” from energy", ("oil",)),
        ("Narrow “Gazprom” to “Gazprom chief”", ("Gazprom chief", "oil")),
        ("Narrow “Gazprom” to “The Gazprom”", ("The Gazprom", "oil")),
        ("Narrow “Gazprom” to “The Gazprom chief”", ("The Gazprom chief", "oil")),
    ]
    # a cue no longer in the codebook (edited meanwhile) offers nothing
    assert (
        teach_options(Codebook([Theme("energy", "#3A8FD6", "1", ("oil",))]), found, art.text) == []
    )
