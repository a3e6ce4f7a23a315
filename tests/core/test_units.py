"""Offset units (formats/units.py): code points, UTF-16 code units and grapheme clusters."""

from __future__ import annotations

from annotations.formats.units import _on_words, detect, export_span, from_units, lengths, to_units

ACUTE = "e\u0301"  # one grapheme cluster, two code points


def test_lengths_are_one_code_point_per_step_except_clusters():
    assert lengths("ab", "utf16") == [1, 1]
    assert lengths("ab", "codepoints") == [1, 1]
    assert lengths(ACUTE + "x", "graphemes") == [2, 1]
    assert lengths("", "graphemes") == []


def test_code_points_map_to_themselves_even_across_a_cluster():
    assert to_units(ACUTE, "codepoints") == [0, 1, 2]
    assert from_units(ACUTE, "codepoints") == {0: 0, 1: 1, 2: 2}


def test_utf16_counts_two_units_only_outside_the_basic_plane():
    assert to_units("a\U0001f600b", "utf16") == [0, 1, 3, 4]
    assert to_units("\uffff", "utf16") == [0, 1]  # the last BMP code point is one unit
    assert to_units("\U00010000", "utf16") == [0, 2]  # the first one beyond is two
    assert from_units("a\U0001f600b", "utf16") == {0: 0, 1: 1, 3: 2, 4: 3}


def test_graphemes_cannot_express_an_index_inside_a_cluster():
    assert to_units(ACUTE + "x", "graphemes") == [0, -1, 1, 2]
    assert to_units("ab", "graphemes") == [0, 1, 2]
    assert to_units("", "graphemes") == [0]
    assert from_units(ACUTE + "x", "graphemes") == {0: 0, 1: 2, 2: 3}


def test_export_span_widens_to_whole_clusters_and_says_so():
    table = to_units(ACUTE + "x", "graphemes")
    assert export_span(table, 1, 3) == (0, 2, True)  # start inside the cluster: back to it
    assert export_span(table, 0, 1) == (0, 1, True)  # end inside it: forward past it
    assert export_span([0, 1, 2], 0, 2) == (0, 2, False)
    assert export_span([0, 1, 2], 0, 0) == (0, 0, False)  # offset 0 is a unit, not a gap


def test_span_ends_count_as_on_words_only_between_words():
    assert _on_words("ab", 0, 2) == 2  # the text's own edges
    assert _on_words("ab cd", 1, 2) == 1  # 1 cuts "ab"
    assert _on_words("ab c", 1, 4) == 1


def test_detect_reads_spans_in_the_unit_that_keeps_them_on_words():
    text = "\U0001f600ab cd"
    assert detect(text, [(2, 4), (5, 7)]) == "utf16"  # "ab", "cd" counted in UTF-16
    assert detect(text, [(2, 4), (5, 5)]) == "codepoints"  # an empty span: no unit reads it


def test_detect_prefers_code_points_when_every_unit_agrees_or_none_fits():
    assert detect("abc", [(0, 3)]) == "codepoints"
    assert detect("ab", [(5, 9)]) == "codepoints"
