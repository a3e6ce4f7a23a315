"""Tests written to kill surviving `text/fold.py` and `text/sanitize.py` mutants (issue 18)."""

from __future__ import annotations

from pathlib import Path

from annotations.text.fold import fold_char_for_search
from annotations.text.sanitize import clean_line, clean_text, path_text, printable


def test_a_character_folds_to_all_its_letters():
    assert fold_char_for_search("ß") == "ss" and fold_char_for_search("É") == "e"
    assert fold_char_for_search("-") == " "


def test_line_ends_become_newlines_whatever_their_kind():
    assert clean_text("a\r\nb\rc\nd") == "a\nb\nc\nd"


def test_every_lone_surrogate_becomes_a_replacement_character():
    assert clean_line("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert clean_text("a\ud800b") == "a\ufffdb"


def test_escapes_show_undecodable_bytes_as_bytes_and_the_rest_by_code_point():
    assert printable("\udc80|\udcff") == "\\x80|\\xff"  # surrogateescape'd bytes
    assert printable("\udc7f|\udd00") == "\\udc7f|\\udd00"  # other lone surrogates
    assert printable("\x1b|\x9f|\u2028") == "\\x1b|\\x9f|\\u2028"
    assert path_text(Path("name\x1b.txt")) == "name\\x1b.txt"
