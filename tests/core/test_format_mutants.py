"""Tests written against surviving mutants of the interchange formats (issue 18).

Each test fails on a named `mutmut` mutant of `annotations/formats/*.py` (checked by
applying the mutant): a Label Studio file read or written one small way wrong.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest

from annotations.corpus import Corpus, article_from_text
from annotations.formats import ExportContext, FormatError, ImportContext, get_format
from annotations.formats.matching import NAMESPACE, as_uuid, span_id
from annotations.formats.new_articles import NewArticles
from annotations.model import Annotation, content_id, context_of
from annotations.themes import Codebook
from tests.helpers import formats_fixtures as fx


@pytest.fixture(scope="module")
def corpus():
    return fx.corpus()


def read(name: str, text: str, corpus, add=None):
    ctx = ImportContext(corpus, "importer", "in.txt", add_article=add)
    return get_format(name).reader(io.StringIO(text), ctx)


def export(name: str, anns, corpus) -> str:
    out = io.StringIO()
    get_format(name).writer(iter(anns), out, ExportContext(corpus, Codebook()))
    return out.getvalue()


def refused(name: str, text: str, corpus) -> str:
    with pytest.raises(FormatError) as info:
        read(name, text, corpus)
    return str(info.value)


# -- Label Studio --------------------------------------------------------------------------


def ls_task(article, start, end, text=None, rid=None, **extra):
    value = {"start": start, "end": end, "labels": ["x"]}
    if text is not None:
        value["text"] = text
    region = {"from_name": "label", "to_name": "text", "type": "labels", "value": value}
    if rid is not None:
        region["id"] = rid
    return {"data": {"text": article.text}, "annotations": [{"result": [region]}], **extra}


def test_labelstudio_export_names_the_labels_config_origin_and_article(corpus):
    anns = fx.annotations(corpus)
    text = export("labelstudio", anns, corpus)
    assert "été" in text and "\\u00e9" not in text  # written as UTF-8, not escaped
    first = json.loads(text)[0]
    assert first["data"]["article_id"] == anns[0].article_id
    entry = first["annotations"][0]
    assert entry["created_at"] == min(a.created for a in anns if a.author == "alice")
    region = entry["result"][0]
    assert (region["from_name"], region["to_name"], region["origin"]) == (
        "label",
        "text",
        "manual",
    )


def test_labelstudio_region_without_id_gets_the_span_derived_id(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    start, end = fx.span(article, "natural gas")
    (ann,) = read("labelstudio", json.dumps([ls_task(article, start, end)]), corpus)
    assert ann.id == span_id(article.id, start, end)


def test_labelstudio_reused_region_id_gets_an_id_from_task_entry_and_region(corpus):
    # Two tasks on one line: their task ids, not the line, keep the regions apart.
    a0, a3 = corpus["000_eead7ac999ac4f1f.txt"], corpus["003_24f7bdae331ea796.txt"]
    tasks = [
        ls_task(a0, *fx.span(a0, "Arctic"), rid="r1", id=1),
        ls_task(a3, *fx.span(a3, "natural gas"), rid="r1", id=2),
    ]
    anns = read("labelstudio", json.dumps(tasks), corpus)
    assert sorted(a.exact for a in anns) == ["Arctic", "natural gas"]
    # The derived ids are a contract: an older export re-imports onto the same annotations.
    expected = {str(uuid.uuid5(NAMESPACE, f"ls:{(n, 1, 'r1')}")) for n in (1, 2)}
    assert {a.id for a in anns} == expected


def test_labelstudio_new_article_is_named_by_title_else_task_id(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    corpus = Corpus()
    add = NewArticles(folder, folder.resolve(), corpus)
    tasks = [
        {"id": 7, "data": {"text": "First text about the Arctic.\n"}},
        {"id": 8, "data": {"text": "Second text.\n", "title": "Headline"}},
    ]
    read("labelstudio", json.dumps(tasks), corpus, add=add)
    assert sorted(a.id for a in corpus) == ["7.txt", "Headline.txt"]


def test_labelstudio_lists_with_and_without_spaces_read(corpus):
    assert read("labelstudio", "[ \n ]\n", corpus) == []
    assert read("labelstudio", f"[{TASK},{TASK}]", corpus) == []


TASK = json.dumps({"data": {"text": fx.UNICODE_TEXT}})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('\n{"a": 1}\n\n', "in.txt:2: expected a JSON list of tasks"),
        ("[\n{oops}\n]", "in.txt:2: invalid JSON"),
        (f"[{TASK} 2]", "in.txt:1: expected , or ] between tasks"),
        (f"[{TASK}]\n\nx\n", "in.txt:3: unexpected data after the list"),
        ("[]\n\nx\n", "in.txt:3: unexpected data after the list"),
        ("\n[\n1\n]", "in.txt:3: expected a task object with data"),
    ],
)
def test_labelstudio_errors_name_the_line_and_the_reason(corpus, text, message):
    assert refused("labelstudio", text, corpus).startswith(message)


def test_labelstudio_region_errors_name_the_region_and_field(corpus):
    article = corpus[fx.UNICODE_ID]
    bad_end = ls_task(article, 3, "9")
    assert "region 1: value.end must be an integer" in refused(
        "labelstudio", json.dumps([bad_end]), corpus
    )
    empty = ls_task(article, 5, 5)
    assert refused("labelstudio", json.dumps([empty]), corpus).startswith(
        "in.txt:1: region 1: offsets 5..5 are outside the text"
    )
    wrong = ls_task(article, 0, 5, text="gazoduc")
    assert "in code points or in UTF-16 units" in refused(
        "labelstudio", json.dumps([wrong]), corpus
    )


def test_labelstudio_utf16_end_past_the_text_is_refused(corpus):
    # UTF-16 start of the article's last words, an end beyond the text: neither unit fits.
    article = corpus[fx.UNICODE_ID]
    start, _ = fx.span(article, "two weeks.")
    astral = sum(1 for ch in article.text[:start] if ord(ch) > 0xFFFF)
    units = len(article.text.encode("utf-16-le")) // 2
    task = ls_task(article, start + astral, units + 3, text=article.text[start:])
    assert "in code points or in UTF-16 units" in refused("labelstudio", json.dumps([task]), corpus)


# -- spaCy / Prodigy -----------------------------------------------------------------------


def ann_on(article, phrase: str, themes=("energy",), *, offset=0, length=None) -> Annotation:
    start = article.text.index(phrase) + offset
    end = start + (len(phrase) - offset if length is None else length)
    return Annotation.create(
        article_id=article.id,
        text=article.text,
        sha256=article.sha256,
        start=start,
        end=end,
        themes=list(themes),
        author="alice",
    )


def spacy_spans(anns, corpus, warnings=None, **options) -> list[tuple[str, ...]]:
    out = io.StringIO()
    ctx = ExportContext(
        corpus, Codebook(), options, warnings.append if warnings is not None else None
    )
    get_format("spacy").writer(iter(anns), out, ctx)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return [line["text"][s["start"] : s["end"]] for line in lines for s in line["spans"]]


def test_spacy_align_modes_widen_narrow_or_drop_a_span_inside_a_word(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    ann = ann_on(article, "natural gas", offset=1)  # "atural gas"
    assert spacy_spans([ann], corpus, align="expand") == ["natural gas"]
    # Narrowed past "natural": the space before "gas" stays (a token edge for spaCy).
    assert [s.strip() for s in spacy_spans([ann], corpus, align="contract")] == ["gas"]
    assert spacy_spans([ann], corpus, align="strict") == []


def test_spacy_warnings_say_what_was_done_and_count_dropped_spans(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    inside = [
        ann_on(article, "natural", offset=1, length=4),
        ann_on(article, "peaceful", offset=1, length=3),
    ]
    warnings: list[str] = []
    assert spacy_spans(inside, corpus, warnings, align="contract") == []
    assert warnings == [
        "2 span(s) start or end inside a word: narrowed to whole words (2 with none dropped)"
    ]
    warnings.clear()
    spacy_spans(inside, corpus, warnings, align="expand")
    assert warnings == ["2 span(s) start or end inside a word: widened to whole words"]


def test_spacy_span_ending_a_text_that_ends_in_a_word_is_aligned(tmp_path):
    article = article_from_text("end.txt", tmp_path / "end.txt", "Gas flows north")
    corpus = Corpus([article])
    ann = ann_on(article, "north")
    warnings: list[str] = []
    assert spacy_spans([ann], corpus, warnings, align="strict") == ["north"]
    assert warnings == []


def test_spacy_export_writes_the_article_title(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    out = io.StringIO()
    get_format("spacy").writer(
        iter([ann_on(article, "natural gas")]), out, ExportContext(corpus, Codebook())
    )
    assert json.loads(out.getvalue())["meta"] == {"id": article.id, "title": article.title}


def test_spacy_span_without_id_gets_the_span_derived_id(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    start = article.text.index("natural gas")
    line = {"text": article.text, "spans": [{"start": start, "end": start + 11, "label": "x"}]}
    (ann,) = read("spacy", json.dumps(line), corpus)
    assert ann.id == span_id(article.id, start, start + 11)


def test_spacy_meta_id_picks_the_article_among_equal_texts(tmp_path):
    text = "The same wire story, printed twice.\n"
    corpus = Corpus([article_from_text(name, tmp_path / name, text) for name in ("a.txt", "b.txt")])
    spans = [{"start": 4, "end": 8, "label": "x"}]
    for name in ("a.txt", "b.txt"):
        line = {"text": text, "meta": {"id": name}, "spans": spans}
        (ann,) = read("spacy", json.dumps(line), corpus)
        assert ann.article_id == name


def test_spacy_new_article_is_named_by_title_else_input_hash(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    corpus = Corpus()
    add = NewArticles(folder, folder.resolve(), corpus)
    rows = [
        {"text": "First text about the Arctic.\n", "_input_hash": 123},
        {"text": "Second text.\n", "meta": {"title": "Headline"}, "_input_hash": 456},
    ]
    read("spacy", "\n".join(json.dumps(r) for r in rows), corpus, add=add)
    assert sorted(a.id for a in corpus) == ["123.txt", "Headline.txt"]


@pytest.mark.parametrize(
    ("span", "message"),
    [
        ({"start": "1", "end": 3}, "in.txt:1: span 1: start must be an integer"),
        ({"start": 1, "end": None}, "in.txt:1: span 1: end must be an integer"),
    ],
)
def test_spacy_span_errors_name_the_span_and_field(corpus, span, message):
    line = {"text": fx.UNICODE_TEXT, "spans": [{**span, "label": "x"}]}
    assert refused("spacy", json.dumps(line), corpus).startswith(message)


# -- native JSONL --------------------------------------------------------------------------


def native(article, phrase: str, **fields) -> dict:
    start = article.text.index(phrase)
    record = {"article_id": article.id, "start": start, "end": start + len(phrase)}
    return {**record, "exact": phrase, "themes": ["energy"], **fields}


def test_jsonl_export_carries_the_article_title(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    (line,) = export("jsonl", [ann_on(article, "natural gas")], corpus).splitlines()
    assert json.loads(line)["article_title"] == article.title


def test_jsonl_record_without_id_or_context_gets_them_from_the_text(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    rows = [
        native(article, "natural gas"),
        native(article, "natural gas", prefix="", article_sha256=""),
    ]
    start = article.text.index("natural gas")
    context = context_of(article.text, start, start + 11)
    for ann in read("jsonl", "\n".join(json.dumps(r) for r in rows), corpus):
        assert (ann.prefix, ann.suffix) == context
        assert ann.article_sha256 == article.sha256  # an empty one in the file is not given
        assert ann.id == content_id(article.id, start, start + 11, "importer", ("energy",))


def test_jsonl_invalid_json_names_only_the_reason(corpus):
    assert (
        refused("jsonl", "\n{oops\n", corpus)
        == "in.txt:2: invalid JSON (Expecting property name enclosed in double quotes)"
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"end": "9"}, "in.txt:2: end must be an integer"),
        ({"end": 99999}, "in.txt:2: offsets "),
        ({"themes": []}, "in.txt:2: themes must be a non-empty list of names"),
    ],
)
def test_jsonl_record_errors_name_the_line_and_the_reason(corpus, fields, message):
    article = corpus["003_24f7bdae331ea796.txt"]
    text = "\n" + json.dumps(native(article, "natural gas", **fields))
    got = refused("jsonl", text, corpus)
    assert got.startswith(message)
    if fields.get("end") == 99999:
        assert f"are outside the text of {article.id!r} (length {len(article.text)})" in got


@pytest.mark.parametrize(
    ("done", "message"),
    [
        ({"article_id": "nope.txt"}, "in.txt:2: unknown article 'nope.txt'"),
        (
            {"article_id": "003_24f7bdae331ea796.txt", "done": "yes"},
            "in.txt:2: done must be true or false",
        ),
    ],
)
def test_jsonl_done_record_errors_name_the_line(corpus, done, message):
    assert refused("jsonl", "\n" + json.dumps({"record": "done", **done}), corpus) == message


# -- Hypothesis ----------------------------------------------------------------------------


def small_corpus(tmp_path, *texts: str, urls=()) -> Corpus:
    """Articles `a0.txt`, `a1.txt`, ... in that order; `urls` gives their `url` metadata."""
    articles = []
    for n, text in enumerate(texts):
        article = article_from_text(f"a{n}.txt", tmp_path / f"a{n}.txt", text)
        if n < len(urls) and urls[n]:
            article.meta = {**article.meta, "url": urls[n]}
        articles.append(article)
    return Corpus(articles)


def h_row(exact, prefix=None, suffix=None, start=None, **extra) -> dict:
    quote = {"type": "TextQuoteSelector", "exact": exact}
    if prefix is not None:
        quote["prefix"] = prefix
    if suffix is not None:
        quote["suffix"] = suffix
    selectors = [quote]
    if start is not None:
        selectors.insert(0, {"type": "TextPositionSelector", "start": start})
    return {"tags": ["x"], "target": [{"source": "s", "selector": selectors}], **extra}


def h_read(corpus, *rows, warnings=None):
    ctx = ImportContext(
        corpus, "importer", "in.txt", warn=warnings.append if warnings is not None else None
    )
    text = "\n".join(json.dumps(r) for r in rows)
    return get_format("hypothesis").reader(io.StringIO(text), ctx)


def test_hypothesis_prefix_at_the_start_of_a_text_outweighs_the_position(tmp_path):
    corpus = small_corpus(tmp_path, "ab gas here\n", "zzzb gas here\n")
    (ann,) = h_read(corpus, h_row("gas", prefix="ab ", suffix=" here", start=5))
    assert (ann.article_id, ann.start) == ("a0.txt", 3)


def test_hypothesis_suffix_picks_the_article(tmp_path):
    corpus = small_corpus(tmp_path, "gas there\n", "gas here\n")
    (ann,) = h_read(corpus, h_row("gas", suffix=" here"))
    assert ann.article_id == "a1.txt"


def test_hypothesis_position_breaks_a_tie_and_defaults_to_zero(tmp_path):
    corpus = small_corpus(tmp_path, "one gas here.\n", "three gas here.\n")
    (ann,) = h_read(corpus, h_row("gas", start=6))
    assert ann.article_id == "a1.txt"
    corpus = small_corpus(tmp_path, "a gas here\n", "gas here\n")
    (ann,) = h_read(corpus, h_row("gas"))  # no position: nearest to 0
    assert (ann.article_id, ann.start) == ("a1.txt", 0)


def test_hypothesis_uri_matching_an_article_url_breaks_a_tie(tmp_path):
    url = "https://news.example/2"
    corpus = small_corpus(tmp_path, "Gas here.\n", "Gas here.\n", urls=("", url))
    (ann,) = h_read(corpus, h_row("Gas", uri=url))
    assert ann.article_id == "a1.txt"


def test_hypothesis_row_fields_author_dates_single_target(tmp_path):
    corpus = small_corpus(tmp_path, "nothing\n", "gas here\n")
    row = h_row("gas", created="2024-06-03T09:12:44.402Z", updated="2024-06-04T09:12:44.402Z")
    row["target"] = row["target"][0]  # one target object, not a list
    warnings: list[str] = []
    (ann,) = h_read(corpus, row, warnings=warnings)
    assert (ann.article_id, ann.author) == ("a1.txt", "importer")  # no user: the importer
    assert (ann.created, ann.updated) == ("2024-06-03T09:12:44.402Z", "2024-06-04T09:12:44.402Z")
    assert warnings == []


def test_hypothesis_row_with_only_non_text_tags_is_skipped(tmp_path):
    corpus = small_corpus(tmp_path, "gas here\n")
    warnings: list[str] = []
    assert h_read(corpus, {**h_row("gas"), "tags": [5, " "]}, warnings=warnings) == []
    assert warnings == ["in.txt: skipped 1 annotation(s) without tags or a quoted passage"]


def test_hypothesis_reads_a_list_and_lines_and_names_rows(tmp_path):
    corpus = small_corpus(tmp_path, "gas here\n")
    ctx = ImportContext(corpus, "importer", "in.txt")
    reader = get_format("hypothesis").reader
    (ann,) = reader(io.StringIO(json.dumps([h_row("gas")])), ctx)
    assert ann.exact == "gas"
    assert (
        len(reader(io.StringIO(json.dumps(h_row("gas")) + "\n\n" + json.dumps(h_row("here"))), ctx))
        == 2
    )
    with pytest.raises(FormatError) as info:
        reader(io.StringIO(json.dumps([h_row("gas"), h_row("oil")])), ctx)
    assert str(info.value).startswith("in.txt: row 2: the quote 'oil' is in no article")
    with pytest.raises(FormatError) as info:
        reader(io.StringIO(json.dumps(h_row("gas")) + "\n{oops\n"), ctx)
    assert (
        str(info.value)
        == "in.txt:2: invalid JSON (Expecting property name enclosed in double quotes)"
    )


def test_hypothesis_export_uses_the_article_url(tmp_path):
    url = "https://news.example/gas"
    corpus = small_corpus(tmp_path, "gas here\n", urls=(url,))
    ann = ann_on(corpus["a0.txt"], "gas")
    assert json.loads(export("hypothesis", [ann], corpus))["uri"] == url


def test_hypothesis_missing_suffix_favours_no_article(tmp_path):
    corpus = small_corpus(tmp_path, "gas here\n", "gasXray\n")
    (ann,) = h_read(corpus, h_row("gas"))  # a tie on context and position: the first
    assert ann.article_id == "a0.txt"


# -- REFI-QDA (qdpx) -----------------------------------------------------------------------

QDA = "{urn:QDA-XML:project:1.0}"


def qdpx(anns, corpus) -> zipfile.ZipFile:
    out = io.BytesIO()
    get_format("qdpx").writer(iter(anns), out, ExportContext(corpus, Codebook()))
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def test_qdpx_project_names_guids_and_descriptions(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    # An id from Hypothesis, not a uuid: its GUID is derived from it.
    ann = replace(ann_on(article, "natural gas"), id="Yq6lVu3GEe-bDxs5n0kYyw")
    archive = qdpx([ann], corpus)
    xml = archive.read("project.qde")
    assert xml.startswith(b"<?xml")
    project = ET.fromstring(xml)
    assert (project.get("name"), project.get("origin")) == ("Tagline export", "Tagline")
    # GUIDs derive from names, stable across exports (and Tagline versions): a project
    # exported again merges in NVivo or ATLAS.ti instead of duplicating.
    (user,) = project.iter(f"{QDA}User")
    assert user.get("guid") == as_uuid("alice", "user")
    codes = {c.get("name"): c.get("guid") for c in project.iter(f"{QDA}Code")}
    assert codes["energy"] == as_uuid("energy", "code")
    (source,) = project.iter(f"{QDA}TextSource")
    assert source.find(f"{QDA}Description").text == article.title
    (selection,) = source.iter(f"{QDA}PlainTextSelection")
    assert selection.get("guid") == str(uuid.uuid5(NAMESPACE, f"annotation:{ann.id}"))
    (coding,) = selection.iter(f"{QDA}Coding")
    assert coding.get("guid") == as_uuid(f"{ann.id}:energy", "coding")


def test_qdpx_annotation_without_author_is_by_unknown(corpus):
    ann = replace(ann_on(corpus["003_24f7bdae331ea796.txt"], "natural gas"), author="")
    project = ET.fromstring(qdpx([ann], corpus).read("project.qde"))
    assert [u.get("name") for u in project.iter(f"{QDA}User")] == ["unknown"]


@pytest.mark.parametrize("stamp", ["1975-06-01T12:30:00.000Z", "not a date"])
def test_qdpx_entries_dated_before_1980_or_undated_get_the_zip_epoch(corpus, stamp):
    ann = ann_on(corpus["003_24f7bdae331ea796.txt"], "natural gas")
    ann = replace(ann, created=stamp, updated=stamp)
    archive = qdpx([ann], corpus)
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- formats/dates.py: what reaches the store is RFC 3339 with a zone -------------------


@pytest.fixture
def tokyo(monkeypatch):
    """A local zone that is not UTC, so "no zone means UTC" is not true by accident."""
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_strict_date_is_kept_as_written_even_in_year_one():
    from annotations.formats.dates import checked_date

    assert checked_date("0001-01-01T00:00:00Z", "created", "f:1") == "0001-01-01T00:00:00Z"
    assert checked_date("2024-05-01T10:00:00+03:00", "created", "f:1") == (
        "2024-05-01T10:00:00+03:00"
    )


def test_a_date_without_a_zone_is_read_as_utc_not_local_time(tokyo):
    from annotations.formats.dates import checked_date

    warnings: list[str] = []
    fixed = checked_date("2024-05-01 10:00", "created", "f:3", warnings.append)
    assert fixed == "2024-05-01T10:00:00.000Z"
    assert warnings == ["f:3: created '2024-05-01 10:00' read as 2024-05-01T10:00:00.000Z"]


def test_a_loose_date_with_a_zone_is_rewritten_in_utc(tokyo):
    from annotations.formats.dates import checked_date

    assert checked_date("2024-05-01T10:00+03:00", "updated", "f:2") == "2024-05-01T07:00:00.000Z"
