"""The checks every importer shares (formats/checks.py) and the id/URI helpers (matching.py)."""

from __future__ import annotations

import pytest

from annotations.corpus import Corpus, article_from_text
from annotations.formats import FormatError, ImportContext
from annotations.formats.checks import decode_input, read_input, vet
from annotations.formats.matching import (
    annotation_id_from_uri,
    annotation_uri,
    load_json_line,
)

TEXT = "Oil and gas pipelines, such as Power of Siberia, passed.\n"


@pytest.fixture
def setting(tmp_path):
    article = article_from_text("a.txt", tmp_path / "a.txt", TEXT)
    warnings: list[str] = []
    ctx = ImportContext(corpus=Corpus([article]), author="ann", name="f", warn=warnings.append)
    return article, ctx, warnings


def record(**fields):
    start = TEXT.index("Power of Siberia")
    return {"themes": ["energy"], "start": start, "end": start + 16, **fields}


def test_a_non_string_id_is_refused_with_its_kind(setting):
    article, ctx, _ = setting
    with pytest.raises(FormatError, match=r"^f:2: id must be a string, not a number$"):
        vet(record(id=7), article, ctx, "f:2")


def test_an_id_of_another_kind_is_named(setting):
    article, ctx, _ = setting
    with pytest.raises(FormatError, match=r"^f:2: id must be a string, not a list$"):
        vet(record(id=[1]), article, ctx, "f:2")


def test_status_is_checked_and_orphaned_corrected(setting):
    article, ctx, warnings = setting
    assert vet(record(status="needs_review"), article, ctx, "f:1")["status"] == "needs_review"
    assert vet(record(status="orphaned"), article, ctx, "f:2")["status"] == "anchored"
    assert warnings == [
        "f:2: status 'orphaned' corrected to 'anchored': the quote is at its offsets"
    ]
    with pytest.raises(FormatError, match=r"^f:3: status must be one of .*, not 'lost'$"):
        vet(record(status="lost"), article, ctx, "f:3")


def test_context_is_recomputed_and_a_wrong_one_reported(setting):
    article, ctx, warnings = setting
    out = vet(record(prefix="", suffix="wrong"), article, ctx, "f:4")
    assert out["prefix"] == TEXT[: TEXT.index("Power")][-32:]
    assert out["suffix"] == TEXT[TEXT.index("Siberia") + 7 :][:32]
    assert warnings == ["f:4: suffix does not match the text before/after the quote; corrected"]


def test_invalid_utf8_names_the_line_and_byte():
    with pytest.raises(FormatError) as err:
        decode_input(b"one\ntwo\n\xffthree\n", "in.jsonl")
    assert str(err.value) == "in.jsonl:3: not valid UTF-8 (byte 0xff)"
    with pytest.raises(FormatError, match=r"^in.jsonl:2: "):
        decode_input(b"\n\xfe", "in.jsonl")  # a newline first: still counted
    assert decode_input(b"\xef\xbb\xbfhello", "in") == "hello"


def test_a_reader_crash_is_one_line_naming_where_it_was(setting):
    _, ctx, _ = setting

    def reader(stream, ctx):
        where = "f:9"  # every reader names its position so
        assert where
        return [][1]

    with pytest.raises(FormatError) as err:
        read_input(reader, "x", ctx)
    assert str(err.value).startswith("f:9: not valid here (IndexError")


def test_a_reader_naming_its_position_here_is_quoted_too(setting):
    _, ctx, _ = setting

    def reader(stream, ctx):
        here = "f:4"
        assert here
        return {}["missing"]

    with pytest.raises(FormatError, match=r"^f:4: not valid here \(KeyError"):
        read_input(reader, "x", ctx)


def test_json_nested_too_deeply_names_the_line_where_it_gets_too_deep(setting):
    import json

    _, ctx, _ = setting
    text = "[\n" + "[" * 100_000 + "]" * 100_000 + "\n]"
    with pytest.raises(FormatError) as err:
        read_input(lambda stream, ctx: json.loads(stream.read()), text, ctx)
    assert str(err.value) == "f:2: JSON nested too deeply"
    # Shallower nests before it, opened and closed, do not count.
    shallow = "[" * 300 + "]" * 300 + ",\n"
    text = "[" + shallow + shallow + "[" * 100_000 + "]" * 100_000 + "]"
    with pytest.raises(FormatError) as err:
        read_input(lambda stream, ctx: json.loads(stream.read()), text, ctx)
    assert str(err.value) == "f:3: JSON nested too deeply"


def test_ids_from_elsewhere_round_trip_through_their_urn():
    for ann_id in ("a/b c", "X:1", "ü?#"):
        uri = annotation_uri(ann_id)
        assert "/" not in uri.removeprefix("urn:tagline:annotation:")
        assert annotation_id_from_uri(uri) == ann_id


def test_invalid_json_names_the_error_without_its_position():
    with pytest.raises(FormatError) as err:
        load_json_line("{nope", "f:5")
    assert str(err.value) == "f:5: invalid JSON (Expecting property name enclosed in double quotes)"
