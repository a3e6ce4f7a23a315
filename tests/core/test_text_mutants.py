"""Tests written to kill surviving `text/fold.py` and `text/sanitize.py` mutants (issue 18)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from annotations.text.decode import BinaryFileError, decode
from annotations.text.fold import fold_char_for_search
from annotations.text.sanitize import clean_line, clean_text, path_text, printable
from annotations.text.segment import sentences, sentences_in


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


def test_a_bom_decides_the_encoding_and_bad_bytes_become_replacement_characters():
    assert decode(codecs.BOM_UTF8 + b"caf\xc3\xa9 \xff") == "café \ufffd"
    assert decode(codecs.BOM_UTF16_LE + "hé".encode("utf-16-le") + b"\x00") == "hé\ufffd"
    assert decode(codecs.BOM_UTF16_BE + "hé".encode("utf-16-be") + b"\x00") == "hé\ufffd"


def test_binary_data_is_refused_saying_so():
    with pytest.raises(BinaryFileError, match="^binary data$"):
        decode(b"PK\x03\x04\x00\x00")
    assert decode(b"a" * 8192 + b"\x00") == "a" * 8192 + "\x00"  # only the head is sniffed


def test_question_and_exclamation_marks_end_sentences_before_a_capital():
    text = "Why did prices rise? Nobody knows! Gas is dear."
    assert [text[s:e] for s, e in sentences(text)] == [
        "Why did prices rise?",
        "Nobody knows!",
        "Gas is dear.",
    ]


def test_sentences_in_a_stretch_of_the_text():
    text = "Intro line.\n\nOne two. Three four.\n\nFive six."
    start = text.index("One")
    end = text.index("Five") - 2
    assert [text[s:e] for s, e in sentences_in(text, start, end)] == ["One two.", "Three four."]
