"""Folding drops case and accents the same way for search and for cues."""

from __future__ import annotations

from annotations.text.fold import fold_for_search, fold_letters


def test_case_and_accents_fold_to_plain_letters():
    assert fold_letters("Ёлка Éclair STRASSE Straße") == "елка eclair strasse strasse"
    assert fold_letters("e-commerce, Arctic-bound") == "e-commerce, arctic-bound"


def test_search_folding_turns_punctuation_into_single_spaces():
    assert (
        fold_for_search("  Power-of-Siberia!!  (ПАО «Газпром»)\x07")
        == "power of siberia пао газпром"
    )
    # the same letters as fold_letters, only the separators differ
    text = "Digital-Economy: Ёж"
    assert (
        fold_for_search(text).split()
        == fold_letters(text).replace("-", " ").replace(":", "").split()
    )
