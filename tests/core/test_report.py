"""The report: every coded segment, the codebook and the figures, in Markdown and HTML."""

from __future__ import annotations

import html
import re

import pytest

from annotations import report
from annotations.corpus import load_corpus
from annotations.store.tinydb_store import AnnotationStore


@pytest.fixture
def coded(tmp_path):
    corpus = load_corpus()
    store = AnnotationStore(tmp_path / "db.json", author="alice")
    a, b = corpus.articles[0], corpus.articles[2]
    i = a.text.index("digital economy")
    store.tag(a, i, i + 15, ["digital economy"], note="a <script>alert(1)</script> *note*")
    store.tag(a, 0, 40, ["energy", "Arctic route"])
    j = b.text.index("Russia")
    store.tag(b, j, j + 30, ["energy"])
    store.add_theme("odd [name](x) <b>")
    store.tag(b, 0, 12, ["odd [name](x) <b>"])
    anns = list(store.all())
    codebook = store.codebook
    store.close()
    return corpus, codebook, anns


def _expected(anns):
    return [(theme, a) for a in anns for theme in a.themes]


def test_markdown_lists_every_coded_segment_once_per_theme(coded):
    corpus, codebook, anns = coded
    doc, count = report.render(anns, corpus, codebook, "md")
    assert count == len(_expected(anns)) == 5
    sections = re.split(r"^### ", doc.split("## Coded segments", 1)[1], flags=re.M)[1:]
    by_theme = {s.splitlines()[0].rsplit(" (", 1)[0]: s for s in sections}
    for theme, ann in _expected(anns):
        section = by_theme[report.md_escape(theme)]
        assert f"> {report.md_escape(ann.exact)}" in section
        assert f"{ann.start}–{ann.end}" in section
    assert "Note: a \\<script\\>alert(1)\\</script\\> \\*note\\*" in doc  # literal, not markup
    assert "| energy |" in doc  # the codebook table


def test_html_is_self_contained_and_escapes_everything(coded):
    corpus, codebook, anns = coded
    doc, count = report.render(anns, corpus, codebook, "html")
    assert count == 5
    for _theme, ann in _expected(anns):
        assert html.escape(" ".join(ann.exact.split()))[:40] in " ".join(doc.split())
    assert "<script" not in doc  # the note's markup is text
    assert "&lt;script&gt;" in doc
    assert "odd [name](x) &lt;b&gt;" in doc
    assert not re.search(r"""(src|href)=|https?://(?!www\.w3\.org/2000/svg)""", doc)
    assert doc.count("<svg") >= 1  # the charts are inline


def test_theme_filter_lists_only_that_theme(coded):
    corpus, codebook, anns = coded
    energy = [a for a in anns if "energy" in a.themes]
    doc, count = report.render(energy, corpus, codebook, "md", themes=["energy"])
    assert count == 2
    assert "### energy (2)" in doc and "### Arctic route" not in doc
    assert "themes: energy" in doc


def test_unknown_format_is_refused(coded):
    corpus, codebook, anns = coded
    with pytest.raises(ValueError, match="md, html"):
        report.render(anns, corpus, codebook, "pdf")
