"""Tests written against surviving mutants of the interchange formats (issue 18).

Each test fails on a named `mutmut` mutant of `annotations/formats/*.py` (checked by
applying the mutant): a Label Studio file read or written one small way wrong.
"""

from __future__ import annotations

import io
import json
import uuid

import pytest

from annotations.corpus import Corpus
from annotations.formats import ExportContext, FormatError, ImportContext, get_format
from annotations.formats.matching import NAMESPACE, span_id
from annotations.formats.new_articles import NewArticles
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
