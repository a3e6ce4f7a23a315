"""Interchange with the real tools: fixtures shaped like each tool's own output (tests/data/interchange)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from annotations.corpus import Corpus, article_from_text
from annotations.formats import ExportContext, FormatError, ImportContext, get_format
from annotations.formats.labelstudio import author_of
from annotations.formats.new_articles import NewArticles, safe_name
from annotations.model import Annotation
from annotations.themes import Codebook
from tests.helpers import formats_fixtures as fx
from tests.helpers.conformance import assert_qdpx_valid, assert_w3c_valid
from tests.helpers.paths import ROOT

DATA = ROOT / "tests" / "data" / "interchange"
QDA = "{urn:QDA-XML:project:1.0}"


def ann_on(article, phrase: str, themes, *, author="alice", note="", nth=0, id=None) -> Annotation:
    start, end = fx.span(article, phrase, nth)
    ann = Annotation.create(
        article_id=article.id,
        text=article.text,
        sha256=article.sha256,
        start=start,
        end=end,
        themes=themes,
        note=note,
        author=author,
        id=id,
    )
    return replace(ann, created="2024-05-01T10:00:00.000Z", updated="2024-05-02T10:00:00.000Z")


def export(name: str, anns, corpus, warnings=None, **options) -> str:
    out = io.StringIO()
    ctx = ExportContext(
        corpus, Codebook(), options, warnings.append if warnings is not None else None
    )
    get_format(name).writer(iter(anns), out, ctx)
    if name == "w3c":
        assert_w3c_valid(out.getvalue())
    return out.getvalue()


def read(name: str, text: str, corpus, warnings=None, add=None, **options):
    ctx = ImportContext(
        corpus,
        "importer",
        "in.txt",
        options=options,
        warn=warnings.append if warnings is not None else None,
        add_article=add,
    )
    return get_format(name).reader(io.StringIO(text), ctx)


def qdpx(anns, corpus) -> bytes:
    out = io.BytesIO()
    get_format("qdpx").writer(iter(anns), out, ExportContext(corpus, Codebook()))
    assert_qdpx_valid(out.getvalue())
    return out.getvalue()


def importing(tmp_path: Path) -> tuple[Corpus, NewArticles]:
    """An empty corpus folder, and the --add-articles callback writing into it."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    corpus = Corpus()
    return corpus, NewArticles(folder, folder.resolve(), corpus)


def fixture(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def corpus():
    return fx.corpus()


# -- the model: themes are a set -----------------------------------------------------------


def test_themes_are_a_set_whatever_builds_the_annotation(corpus):
    article = corpus[fx.UNICODE_ID]
    ann = ann_on(article, "two weeks", ["LOC", "LOC", " loc", "Energy", "energy"])
    assert ann.themes == ("LOC", "Energy")
    assert replace(ann, themes=("a", "A", "b")).themes == ("a", "b")
    assert Annotation.from_dict(ann.to_dict() | {"themes": ["x", "x"]}).themes == ("x",)
    assert ann.touched(themes=["y", "Y"]).themes == ("y",)


def test_doccano_overlapping_test_file_imports_each_theme_once(tmp_path):
    corpus, add = importing(tmp_path)
    anns = read("doccano", fixture("doccano_example_overlapping.jsonl"), corpus, add=add)
    spans = sorted((a.exact, a.themes) for a in anns)
    assert spans == [
        ("Lyon", ("LOC",)),
        ("Lyon and Paris", ("MISC",)),
        ("Paris", ("LOC",)),
        ("e", ("LOC",)),
    ]
    # ... so spaCy writes the span once and QDPX one coding per theme (QualCoder
    # reports "Duplicated text coding" otherwise), and the project is valid.
    lines = [json.loads(x) for x in export("spacy", anns, corpus).splitlines()]
    assert sum(len(line["spans"]) for line in lines) == 4
    project = ET.fromstring(zipfile.ZipFile(io.BytesIO(qdpx(anns, corpus))).read("project.qde"))
    codings = [c.get("guid") for c in project.iter(f"{QDA}Coding")]
    assert len(codings) == 4 == len(set(codings))


# -- doccano -------------------------------------------------------------------------------


def test_doccano_utf16_offsets_from_doccano_land_on_the_labelled_words(tmp_path):
    corpus, add = importing(tmp_path)
    anns = read("doccano", fixture("doccano_emoji_utf16.jsonl"), corpus, add=add)
    assert sorted((a.exact, a.themes[0]) for a in anns) == sorted(
        [
            ("Arctic", "ROUTE"),
            ("two weeks", "TIME"),
            ("Shanghai", "LOC"),
            ("Gazprom", "ORG"),
            ("Power of Siberia", "PROJECT"),
            ("CNPC", "ORG"),
        ]
    )
    # Read as code points, the same file points past its own text: refused, not shifted.
    with pytest.raises(FormatError, match=r"^in\.txt:1: label 3: offset \d+ is outside the text"):
        read("doccano", fixture("doccano_emoji_utf16.jsonl"), corpus, offsets="codepoints")


def test_doccano_export_counts_utf16_units_by_default(corpus):
    article = corpus[fx.UNICODE_ID]
    anns = [ann_on(article, "two weeks", ["route"]), ann_on(article, "Force", ["energy"])]
    (line,) = [json.loads(x) for x in export("doccano", anns, corpus).splitlines()]
    units = article.text.encode("utf-16-le")
    for start, end, _ in line["label"]:
        quoted = units[2 * start : 2 * end].decode("utf-16-le")
        assert quoted in {"two weeks", "Force"}
    assert line["tagline_offsets"] == "utf16"
    (points,) = [
        json.loads(x) for x in export("doccano", anns, corpus, offsets="codepoints").splitlines()
    ]
    assert sorted(article.text[s:e] for s, e, _ in points["label"]) == ["Force", "two weeks"]
    # The recorded unit makes the round trip exact in every unit.
    for unit in ("utf16", "codepoints", "graphemes"):
        back = read("doccano", export("doccano", anns, corpus, offsets=unit), corpus)
        assert sorted((a.start, a.end) for a in back) == sorted((a.start, a.end) for a in anns)


def test_doccano_grapheme_offsets_count_a_cluster_as_one():
    text = "Cafe\u0301 👩\u200d🌾 farmers sell produce."
    corpus = Corpus([article_from_text("g.txt", Path("g.txt"), text)])
    ann = ann_on(corpus["g.txt"], "farmers", ["agri"])
    (line,) = [
        json.loads(x) for x in export("doccano", [ann], corpus, offsets="graphemes").splitlines()
    ]
    assert line["label"] == [[7, 14, "agri"]]  # "Café" is 4 clusters, the farmer emoji 1
    line.pop("tagline_offsets")
    line.pop("tagline")
    (back,) = read("doccano", json.dumps(line), corpus, offsets="graphemes")
    assert back.exact == "farmers"


def test_doccano_offsets_that_fit_two_units_are_refused_not_guessed():
    text = "🚢 a b c"
    corpus = Corpus([article_from_text("s.txt", Path("s.txt"), text)])
    record = json.dumps({"text": text, "label": [[3, 4, "X"]]})
    with pytest.raises(FormatError, match=r"^in\.txt:1: cannot tell .* --offsets"):
        read("doccano", record, corpus)
    (ann,) = read("doccano", record, corpus, offsets="utf16")
    assert ann.exact == "a"


def test_doccano_round_trip_keeps_annotations_that_share_offsets(corpus):
    article = corpus[fx.UNICODE_ID]
    anns = [
        ann_on(article, "two weeks", ["route"], author="alice", note="first"),
        ann_on(article, "two weeks", ["route", "time"], author="bob", note="second"),
        ann_on(article, "two weeks", ["time"], author="bob", note=""),
    ]
    back = read("doccano", export("doccano", anns, corpus), corpus)
    key = lambda a: a.id
    assert sorted(back, key=key) == sorted(anns, key=key)


def test_doccano_relabelled_in_doccano_keeps_the_annotation_and_its_note(corpus):
    article = corpus[fx.UNICODE_ID]
    ann = ann_on(article, "two weeks", ["route"], note="keep me")
    line = json.loads(export("doccano", [ann], corpus))
    line["label"][0][2] = "duration"
    (back,) = read("doccano", json.dumps(line), corpus)
    assert (back.id, back.themes, back.note) == (ann.id, ("duration",), "keep me")


@pytest.mark.parametrize(
    "entry",
    [
        "not an object",
        {"start": 0},
        {"end": 3},
        {"start": "0", "end": 3},
        {"start": 0, "end": None, "labels": ["X"]},
    ],
)
def test_doccano_malformed_tagline_entries_are_ignored(entry):
    text = "Gas prices rose."
    corpus = Corpus([article_from_text("p.txt", Path("p.txt"), text)])
    record = {"text": text, "label": [[0, 3, "energy"]], "tagline": [entry]}
    (ann,) = read("doccano", json.dumps(record), corpus)
    assert (ann.exact, ann.themes) == ("Gas", ("energy",))


def test_doccano_errors_name_the_entity_number():
    text = "Gas prices rose."
    corpus = Corpus([article_from_text("p.txt", Path("p.txt"), text)])
    entities = [
        {"start_offset": 0, "end_offset": 3, "label": "energy"},
        {"start_offset": 4, "end_offset": 99, "label": "price"},
    ]
    with pytest.raises(FormatError, match=r"^in\.txt:1: entity 2: "):
        read("doccano", json.dumps({"text": text, "entities": entities}), corpus)
    entities[1] = {"start_offset": "4", "end_offset": 10, "label": "price"}
    with pytest.raises(FormatError, match=r"^in\.txt:1: entity 2: start_offset must be an integer"):
        read("doccano", json.dumps({"text": text, "entities": entities}), corpus)


# -- Label Studio --------------------------------------------------------------------------


def test_labelstudio_region_ids_reused_across_tasks_and_annotators(tmp_path):
    corpus, add = importing(tmp_path)
    anns = read("labelstudio", fixture("labelstudio_reused_region_ids.json"), corpus, add=add)
    got = sorted((a.exact, a.themes, a.author) for a in anns)
    assert got == [
        ("Barents Sea", ("LOC",), "cb9017@rit.edu"),
        ("Northern Sea Route", ("ROUTE",), "cb9017@rit.edu"),
        ("Norway", ("LOC",), "dana.lee@example.org"),
        ("oil drilling", ("ENERGY",), "cb9017@rit.edu"),
    ]
    assert len({a.id for a in anns}) == 4
    # Stable: the same file imports to the same ids (re-import updates, not duplicates).
    again = read("labelstudio", fixture("labelstudio_reused_region_ids.json"), corpus)
    assert sorted(a.id for a in again) == sorted(a.id for a in anns)
    by_exact = {a.exact: a for a in anns}
    assert by_exact["Barents Sea"].created == "2021-03-09T21:52:49.513742Z"


@pytest.mark.parametrize(
    "username, author",
    [
        (" cb9017@rit.edu, 1", "cb9017@rit.edu"),
        ("Dana Lee dana.lee@example.org, 2", "dana.lee@example.org"),
        ("Dana Lee , 12", "Dana Lee"),
        ("alice", "alice"),  # as Tagline writes it
    ],
)
def test_labelstudio_created_username_is_parsed(username, author):
    assert author_of({"created_username": username}) == author


def test_labelstudio_without_username_takes_completed_by_email():
    assert author_of({"completed_by": {"id": 3, "email": "x@y.org"}}) == "x@y.org"
    assert author_of({"completed_by": 3}) is None


# -- Prodigy -------------------------------------------------------------------------------


def test_prodigy_db_out_imports_accepted_answers_with_their_annotator(tmp_path):
    corpus, add = importing(tmp_path)
    warnings: list[str] = []
    anns = read("spacy", fixture("prodigy_db_out.jsonl"), corpus, warnings, add=add)
    got = sorted((a.exact, a.author) for a in anns)
    assert got == [
        ("Equinor", "gas_news-alice"),
        ("Equinor", "gas_news-bob"),
        ("Gazprom", "gas_news-alice"),
    ]
    assert len({a.id for a in anns}) == 3  # two annotators on one span stay two
    assert {a.created for a in anns if a.author == "gas_news-bob"} == {"2023-11-14T22:15:00.000Z"}
    assert any("skipped 2 Prodigy row(s)" in w for w in warnings)
    assert len(add.pending) == 1  # the one text, added once


# -- spaCy alignment -----------------------------------------------------------------------


def test_spacy_warns_of_spans_inside_words_and_aligns_on_request(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    start, end = fx.span(article, "natural gas")
    cut = replace(ann_on(article, "natural gas", ["energy"]), start=start + 2, end=end - 1)
    cut = replace(cut, exact=article.text[cut.start : cut.end])
    whole = ann_on(article, "natural gas", ["gas"])
    warnings: list[str] = []
    plain = json.loads(export("spacy", [cut, whole], corpus, warnings))
    assert [(s["start"], s["end"]) for s in plain["spans"]] == [(start + 2, end - 1), (start, end)]
    assert warnings == [
        "1 span(s) start or end inside a word: exported as they are; "
        "Prodigy skips them (--align expand|contract|strict)"
    ]
    expand = json.loads(export("spacy", [cut, whole], corpus, align="expand"))
    assert [(s["start"], s["end"]) for s in expand["spans"]] == [(start, end), (start, end)]
    contract = json.loads(export("spacy", [cut, whole], corpus, align="contract"))
    assert [s["label"] for s in contract["spans"]] == ["gas"]  # "tural ga" holds no whole word
    strict = json.loads(export("spacy", [cut, whole], corpus, [], align="strict"))
    assert [s["label"] for s in strict["spans"]] == ["gas"]


def test_spacy_contract_drops_a_span_with_no_whole_word():
    text = "Pipelines carry gas."
    corpus = Corpus([article_from_text("c.txt", Path("c.txt"), text)])
    inside = ann_on(corpus["c.txt"], "pel", ["x"])
    across = ann_on(corpus["c.txt"], "es carry g", ["y"])
    warnings: list[str] = []
    line = json.loads(export("spacy", [inside, across], corpus, warnings, align="contract"))
    assert [(text[s["start"] : s["end"]], s["label"]) for s in line["spans"]] == [(" carry ", "y")]
    assert "1 with none dropped" in warnings[0]


# -- dates ---------------------------------------------------------------------------------


def native_line(corpus, **fields) -> str:
    article = corpus["003_24f7bdae331ea796.txt"]
    start, end = fx.span(article, "natural gas")
    record = {
        "article_id": article.id,
        "start": start,
        "end": end,
        "exact": "natural gas",
        "themes": ["energy"],
    }
    return json.dumps(record | fields)


@pytest.mark.parametrize("name", ["jsonl", "w3c"])
def test_a_date_that_is_not_a_date_is_refused_with_file_and_line(corpus, name):
    good = native_line(corpus)
    bad = native_line(corpus, created="yesterday")
    if name == "w3c":
        (ann,) = read("jsonl", good, corpus)
        data = json.loads(export("w3c", [ann], corpus))
        bad = data | {"modified": "yesterday", "id": "urn:uuid:" + str(uuid.uuid4())}
        good, bad = json.dumps(data), json.dumps(bad)
    with pytest.raises(
        FormatError, match=r"^in\.txt:2: (created|updated) 'yesterday' is not an ISO 8601 date"
    ):
        read(name, good + "\n" + bad + "\n", corpus)


def test_a_readable_date_is_normalised_with_a_warning_and_exports_stay_valid(corpus):
    warnings: list[str] = []
    (ann,) = read(
        "jsonl",
        native_line(corpus, created="2024-05-01 10:00", updated="2024-05-01T12:00:00+02:00"),
        corpus,
        warnings,
    )
    assert ann.created == "2024-05-01T10:00:00.000Z"
    assert ann.updated == "2024-05-01T12:00:00+02:00"  # already RFC 3339: kept as written
    assert warnings == ["in.txt:1: created '2024-05-01 10:00' read as 2024-05-01T10:00:00.000Z"]
    export("w3c", [ann], corpus)  # validated
    qdpx([ann], corpus)  # validated


# -- QDPX ----------------------------------------------------------------------------------


def test_qdpx_without_annotations_is_a_valid_project(corpus):
    project = ET.fromstring(zipfile.ZipFile(io.BytesIO(qdpx([], corpus))).read("project.qde"))
    assert project.find(f"{QDA}Sources") is None


def test_qdpx_note_keeps_cr_and_crlf(corpus):
    article = corpus[fx.UNICODE_ID]
    ann = ann_on(article, "two weeks", ["route"], note="one\rtwo\r\nthree\n")
    project = ET.fromstring(zipfile.ZipFile(io.BytesIO(qdpx([ann], corpus))).read("project.qde"))
    (description,) = project.iter(f"{QDA}PlainTextSelection")
    assert description.find(f"{QDA}Description").text == "one\rtwo\r\nthree\n"


# -- W3C: files Tagline did not write (issue 18) ------------------------------------------


def w3c_record(article, **changes) -> dict:
    start, end = fx.span(article, "natural gas")
    data = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://example.org/anno/1",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "energy"}],
        "target": {
            "source": article.id,
            "selector": [
                {"type": "TextQuoteSelector", "exact": "natural gas"},
                {"type": "TextPositionSelector", "start": start, "end": end},
            ],
        },
    }
    return data | changes


def test_w3c_a_link_body_before_the_tag_keeps_the_theme(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    body = [
        {"id": "https://example.org/page", "type": "SpecificResource"},
        "https://example.org/other",
        {"type": "TextualBody", "purpose": "tagging", "value": "energy"},
    ]
    (ann,) = read("w3c", json.dumps(w3c_record(article, body=body)), corpus)
    assert ann.themes == ("energy",)


def test_w3c_body_value_is_the_note(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    data = w3c_record(article, motivation="tagging", bodyValue="worth a look")
    data["body"] = [{"type": "TextualBody", "value": "energy"}]  # no purpose: motivation tagging
    (ann,) = read("w3c", json.dumps(data), corpus)
    assert (ann.themes, ann.note) == (("energy",), "worth a look")


def test_w3c_position_selector_listed_first(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    data = w3c_record(article)
    data["target"]["selector"].reverse()
    (ann,) = read("w3c", json.dumps(data), corpus)
    assert (ann.start, ann.end) == fx.span(article, "natural gas")


@pytest.mark.parametrize("where", ["start", "end"])
def test_w3c_position_only_target_at_the_edges_of_the_text(corpus, where):
    article = corpus["003_24f7bdae331ea796.txt"]
    n = len(article.text)
    start, end = (0, 5) if where == "start" else (n - 5, n)
    data = w3c_record(article)
    data["target"]["selector"] = [{"type": "TextPositionSelector", "start": start, "end": end}]
    (ann,) = read("w3c", json.dumps(data), corpus)
    assert (ann.start, ann.end, ann.exact) == (start, end, article.text[start:end])


def test_w3c_quote_only_at_offset_zero(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    data = w3c_record(article)
    head = article.text[:12]
    data["target"]["selector"] = {"type": "TextQuoteSelector", "exact": head}
    (ann,) = read("w3c", json.dumps(data), corpus)
    assert (ann.start, ann.end) == (0, 12)


@pytest.mark.parametrize("side", ["prefix", "suffix"])
def test_w3c_quote_search_uses_prefix_and_suffix(side):
    text = "alpha gas beta. gamma gas delta. alpha gas beta."
    corpus = Corpus([article_from_text("q.txt", Path("q.txt"), text)])
    selector = {"type": "TextQuoteSelector", "exact": "gas"}
    selector[side] = "gamma " if side == "prefix" else " delta"
    data = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://example.org/anno/2",
        "type": "Annotation",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "energy"},
        "target": {"source": "q.txt", "selector": selector},
    }
    (ann,) = read("w3c", json.dumps(data), corpus)
    assert ann.start == text.index("gamma gas") + len("gamma ")


def test_w3c_a_non_string_quote_is_a_format_error(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    data = w3c_record(article)
    data["target"]["selector"] = [{"type": "TextQuoteSelector", "exact": 42}]
    with pytest.raises(FormatError, match=r"^in\.txt:1: "):
        read("w3c", json.dumps(data), corpus)
    data["target"]["selector"] = [
        {"type": "TextQuoteSelector", "exact": "natural gas"},
        {"type": "TextPositionSelector", "start": "3", "end": 9},
    ]
    with pytest.raises(FormatError, match=r"^in\.txt:1: TextPositionSelector start must be"):
        read("w3c", json.dumps(data), corpus)


def test_w3c_untagged_annotations_are_skipped_and_counted(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    comment = w3c_record(article, body=[{"type": "TextualBody", "value": "a comment"}])
    warnings: list[str] = []
    lines = [json.dumps(comment), json.dumps(w3c_record(article)), json.dumps(comment)]
    (ann,) = read("w3c", "\n".join(lines), corpus, warnings)
    assert ann.themes == ("energy",)
    assert warnings == ["in.txt: skipped 2 annotation(s) without a theme"]


# -- Hypothesis ----------------------------------------------------------------------------

BARENTS = "Norway opened the Barents Sea to oil drilling. Environmental groups sued the state."


def test_hypothesis_search_results_anchor_by_quote_whatever_the_uri():
    corpus = Corpus(
        [
            article_from_text("other.txt", Path("other.txt"), "The Barents Sea is cold."),
            article_from_text("news/barents.txt", Path("b.txt"), BARENTS),
        ]
    )
    warnings: list[str] = []
    anns = read("hypothesis", fixture("hypothesis_search.json"), corpus, warnings)
    got = sorted((a.article_id, a.exact, a.themes, a.author, a.note) for a in anns)
    assert got == [
        (
            "news/barents.txt",
            "Barents Sea",
            ("Arctic route",),
            "alice@hypothes.is",
            "licensing round 2024",
        ),
        ("news/barents.txt", "oil drilling", ("energy", "Arctic route"), "bob@hypothes.is", ""),
    ]
    assert warnings == ["in.txt: skipped 2 annotation(s) without tags or a quoted passage"]
    assert {a.id for a in anns} == {"Yq6lVu3GEe-bDxs5n0kYyw", "ZaLkGu3GEe-pJ0MFUz2Vdg"}


def test_hypothesis_export_is_the_create_api_payload(corpus):
    article = corpus[fx.UNICODE_ID]
    ann = ann_on(article, "two weeks", ["route", "time"], note="see map")
    (line,) = export("hypothesis", [ann], corpus, uri="https://news.example/{id}").splitlines()
    data = json.loads(line)
    uri = "https://news.example/intl%2F%C3%A9t%C3%A9%202024.txt"
    assert data == {
        "uri": uri,
        "document": {"title": [article.title]},
        "text": "see map",
        "tags": ["route", "time"],
        "target": [
            {
                "source": uri,
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": "two weeks",
                        "prefix": ann.prefix,
                        "suffix": ann.suffix,
                    },
                    {"type": "TextPositionSelector", "start": ann.start, "end": ann.end},
                ],
            }
        ],
    }
    # Without a template: the article URN, which Hypothesis accepts as a document URI.
    (line,) = export("hypothesis", [ann], corpus).splitlines()
    assert json.loads(line)["uri"].startswith("urn:tagline:article:")


# -- --add-articles ------------------------------------------------------------------------


def test_new_article_names_stay_inside_the_folder(tmp_path):
    corpus, add = importing(tmp_path)
    for n, hint in enumerate(
        ("../../etc/passwd", "/abs/path", "..", "", "a\x1b[31mred", "x" * 300)
    ):
        article = add(f"Text number {n}.", hint)
        path = article.path
        assert path.parent == add.folder and not path.name.startswith(".")
        assert len(path.name) <= 84
    assert safe_name("../../etc/passwd") == "etc_passwd.txt"
    assert not any(add.folder.iterdir())  # nothing written before write()
    with pytest.raises(ValueError, match="CR line ends"):
        add("one\r\ntwo", "crlf")
    written = add.write()
    assert sorted(p.name for p in add.folder.iterdir()) == sorted(p.name for p in written)


def test_without_add_articles_the_error_says_how(corpus):
    record = json.dumps({"text": "A text no article has.", "label": [[0, 1, "X"]]})
    with pytest.raises(FormatError, match=r"^in\.txt:1: .*--add-articles DIR"):
        read("doccano", record, corpus)


# -- the conformance checks themselves can fail ----------------------------------------------


def test_the_conformance_checks_reject_broken_files(corpus):
    article = corpus[fx.UNICODE_ID]
    ann = ann_on(article, "two weeks", ["route"])
    line = export("w3c", [ann], corpus)
    with pytest.raises(AssertionError, match="selector"):
        assert_w3c_valid(line.replace('"start": ', '"start": -', 1))
    with pytest.raises(AssertionError, match="created|date"):
        assert_w3c_valid(line.replace(ann.created, "yesterday"))
    data = qdpx([ann], corpus)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("project.qde")
    for broken in (
        xml.replace(b'creationDateTime="2024', b'creationDateTime="yesterday'),
        xml.replace(b"<Sources>", b"<Sources/><X>").replace(b"</Sources>", b"</X>"),
    ):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("project.qde", broken)
            for name in zipfile.ZipFile(io.BytesIO(data)).namelist():
                if name.startswith("sources/"):
                    archive.writestr(name, "x")
        with pytest.raises(AssertionError):
            assert_qdpx_valid(out.getvalue())


# -- W3C: mutants that survived (issue 18) ------------------------------------------------


def _one(text: str, selector, **changes) -> dict:
    data = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://example.org/anno/3",
        "type": "Annotation",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "energy"},
        "target": {"source": "q.txt", "selector": selector},
    }
    return data | changes


def _text_corpus(text: str) -> Corpus:
    return Corpus([article_from_text("q.txt", Path("q.txt"), text)])


def test_w3c_export_bodies_are_textual_and_the_note_plain_text(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    ann = ann_on(article, "natural gas", ["energy", "Arctic route"], note="why")
    (line,) = export("w3c", [ann], corpus).splitlines()
    assert json.loads(line)["body"] == [
        {"type": "TextualBody", "purpose": "tagging", "value": "energy"},
        {"type": "TextualBody", "purpose": "tagging", "value": "Arctic route"},
        {"type": "TextualBody", "purpose": "commenting", "value": "why", "format": "text/plain"},
    ]


@pytest.mark.parametrize(
    ("creator", "author"),
    [
        ({"type": "Person", "name": "", "nickname": "dana"}, "dana"),
        ({"type": "Person", "id": "acct:eve@example.org"}, "acct:eve@example.org"),
        ({"type": "Person", "name": 5, "id": "acct:eve@example.org"}, "acct:eve@example.org"),
        ({"type": "Person"}, "importer"),  # none given: the importing analyst
        (None, "importer"),
    ],
)
def test_w3c_creator_falls_back_from_name_to_nickname_to_id(creator, author):
    text = "alpha gas beta."
    data = _one(text, {"type": "TextQuoteSelector", "exact": "gas"})
    if creator is not None:
        data["creator"] = creator
    (ann,) = read("w3c", json.dumps(data), _text_corpus(text))
    assert ann.author == author


def test_w3c_notes_are_commenting_or_purposeless_bodies_joined():
    text = "alpha gas beta."
    body = [
        {"type": "TextualBody", "purpose": "tagging", "value": "energy"},
        {"type": "TextualBody", "purpose": "commenting", "value": "first"},
        {"type": "TextualBody", "purpose": "describing", "value": "not a note"},
        {"type": "TextualBody", "value": "second"},
    ]
    data = _one(text, {"type": "TextQuoteSelector", "exact": "gas"}, body=body)
    (ann,) = read("w3c", json.dumps(data), _text_corpus(text))
    assert ann.themes == ("energy",) and ann.note == "first\n\nsecond"


def test_w3c_other_selectors_are_ignored():
    text = "alpha gas beta."
    selectors = [
        {"type": "CssSelector", "value": "#p1"},
        {"type": "TextQuoteSelector", "exact": "gas"},
        {"type": "RangeSelector", "startSelector": {}},
    ]
    (ann,) = read("w3c", json.dumps(_one(text, selectors)), _text_corpus(text))
    assert (ann.start, ann.end) == (6, 9)


def test_w3c_a_quote_with_stale_positions_is_found_near_them():
    text = "the gas here. some gas there. more gas again."
    second = text.index("gas", 10)
    selectors = [
        {"type": "TextQuoteSelector", "exact": "gas"},
        {"type": "TextPositionSelector", "start": second + 3, "end": second + 6},  # stale
    ]
    (ann,) = read("w3c", json.dumps(_one(text, selectors)), _text_corpus(text))
    assert (ann.start, ann.end, ann.exact) == (second, second + 3, "gas")


def test_w3c_valid_positions_are_trusted_over_the_quotes_context():
    text = "alpha gas beta. gamma gas delta."
    second = text.index("gamma gas") + len("gamma ")
    selectors = [
        {"type": "TextQuoteSelector", "exact": "gas", "prefix": "alpha ", "suffix": " beta"},
        {"type": "TextPositionSelector", "start": second, "end": second + 3},
    ]
    (ann,) = read("w3c", json.dumps(_one(text, selectors)), _text_corpus(text))
    assert ann.start == second


def test_w3c_a_quote_alone_anchors_at_its_first_copy():
    text = "aaa bbb"
    (ann,) = read(
        "w3c",
        json.dumps(_one(text, {"type": "TextQuoteSelector", "exact": "aa"})),
        _text_corpus(text),
    )
    assert (ann.start, ann.end) == (0, 2)


def test_w3c_a_quote_that_is_the_whole_article():
    text = "all of it"
    (ann,) = read(
        "w3c",
        json.dumps(_one(text, {"type": "TextQuoteSelector", "exact": text})),
        _text_corpus(text),
    )
    assert (ann.start, ann.end) == (0, len(text))


def test_w3c_without_an_id_or_with_odd_dates_still_imports():
    text = "alpha gas beta."
    data = _one(text, {"type": "TextQuoteSelector", "exact": "gas"}, created=5, modified=["x"])
    del data["id"]
    (ann,) = read("w3c", json.dumps(data), _text_corpus(text))
    assert ann.id and isinstance(ann.created, str) and ann.created.endswith("Z")
    assert isinstance(ann.updated, str)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: [d], r"^in\.txt:1: expected a JSON object$"),
        (lambda d: d | {"type": "Note"}, r"^in\.txt:1: type is not Annotation$"),
        (
            lambda d: (
                d
                | {
                    "target": {
                        "source": "q.txt",
                        "selector": {"type": "TextPositionSelector", "start": 0, "end": "9"},
                    }
                }
            ),
            r"^in\.txt:1: TextPositionSelector end must be an integer$",
        ),
        (
            lambda d: (
                d
                | {
                    "target": {
                        "source": "q.txt",
                        "selector": {"type": "TextQuoteSelector", "exact": "zz"},
                    }
                }
            ),
            r"^in\.txt:1: the quote is not in article 'q\.txt'$",
        ),
    ],
)
def test_w3c_errors_say_what_is_wrong(change, message):
    text = "alpha gas beta."
    data = change(_one(text, {"type": "TextQuoteSelector", "exact": "gas"}))
    with pytest.raises(FormatError, match=message):
        read("w3c", json.dumps(data), _text_corpus(text))


def test_w3c_no_warning_when_nothing_was_skipped():
    text = "alpha gas beta."
    warnings: list[str] = []
    read(
        "w3c",
        json.dumps(_one(text, {"type": "TextQuoteSelector", "exact": "gas"})),
        _text_corpus(text),
        warnings,
    )
    assert warnings == []


def test_a_blank_author_or_date_means_not_given(corpus):
    article = corpus["003_24f7bdae331ea796.txt"]
    start, end = fx.span(article, "natural gas")
    record = {"article_id": article.id, "start": start, "end": end, "exact": "natural gas"}
    record |= {"themes": ["energy"], "author": "  ", "created": "", "updated": " "}
    (ann,) = read("jsonl", json.dumps(record), corpus)
    assert ann.author == "importer" and ann.created.endswith("Z") and ann.updated == ann.created


# -- doccano: mutants that survived (issue 18) ------------------------------------------

GAS = "Gas prices rose."


def _doccano(record, text=GAS, **options):
    corpus = Corpus([article_from_text("p.txt", Path("p.txt"), text)])
    return read("doccano", json.dumps(record), corpus, **options)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ([1], r"expected an object with a text$"),
        ({"label": [[0, 3, "energy"]]}, r"expected an object with a text$"),
        ({"text": GAS, "entities": ["x"]}, r"entity 1: expected an object$"),
        (
            {"text": GAS, "entities": [{"start_offset": 0, "end_offset": "3", "label": "e"}]},
            r"entity 1: end_offset must be an integer$",
        ),
        ({"text": GAS, "label": {"x": 1}}, r"label must be a list of \[start, end, label\]$"),
        ({"text": GAS, "label": [["0", 3, "e"]]}, r"label 1: start must be an integer$"),
        ({"text": GAS, "label": [[0, None, "e"]]}, r"label 1: end must be an integer$"),
        ({"text": GAS, "label": [[3, 0, "e"]]}, r"label 1: offsets 3\.\.0 are outside the text"),
        ({"text": GAS, "label": [[0, 99, "e"]]}, r"label 1: offset 99 is outside the text"),
        ({"text": GAS, "label": [[99, 100, "e"]]}, r"label 1: offset 99 is outside the text"),
        ({"text": GAS, "label": [[0, 3, ""]]}, r"label 1: a label must be a non-empty string$"),
        ({"text": GAS, "label": [], "tagline_offsets": "bytes"}, r"unknown offset unit 'bytes'$"),
        ({"text": GAS, "label": [], "tagline": {"a": 1}}, r"tagline must be a list of annotation"),
    ],
)
def test_doccano_errors_say_where_and_what(record, message):
    with pytest.raises(FormatError, match=r"^in\.txt:1: " + message):
        _doccano(record, offsets="codepoints" if "tagline_offsets" not in record else None)


def test_doccano_undetectable_units_say_to_give_offsets():
    text = "🚢 a b c"
    with pytest.raises(FormatError, match=r"grapheme clusters: give --offsets$"):
        _doccano({"text": text, "label": [[3, 4, "X"]]}, text=text)


def test_doccano_a_label_error_after_matching_names_its_label():
    record = {"text": GAS, "label": [[0, 3, "energy"], [4, 10, "price"]]}
    record["tagline"] = [{"id": "a\u0007b", "start": 4, "end": 10, "labels": ["price"]}]
    with pytest.raises(FormatError, match=r"^in\.txt:1: label 2: id 'a\\x07b' holds control"):
        _doccano(record, offsets="codepoints")


def test_doccano_reads_labels_under_either_key_and_the_recorded_unit():
    text = "🚢 gas"
    (a,) = _doccano({"text": text, "labels": [[2, 5, "energy"]]}, text=text, offsets="codepoints")
    assert a.exact == "gas"
    # The file's own record of its unit decides (utf16 would put "gas" at 3..6).
    (b,) = _doccano(
        {"text": text, "label": [[2, 5, "energy"]], "tagline_offsets": "codepoints"}, text=text
    )
    assert b.exact == "gas"


def test_doccano_export_names_the_article_and_counts_widened_spans():
    text = "Cafe\u0301 and cafe\u0301 again."
    corpus = Corpus([article_from_text("g.txt", Path("g.txt"), text)])
    article = corpus["g.txt"]
    # Both end between "e" and its combining accent: widened to the whole cluster.
    anns = [ann_on(article, "Cafe", ["x"]), ann_on(article, "cafe", ["y"])]
    warnings: list[str] = []
    (line,) = export("doccano", anns, corpus, warnings, offsets="graphemes").splitlines()
    data = json.loads(line)
    assert (data["article_id"], data["title"]) == ("g.txt", article.title)
    assert warnings == ["2 span(s) widened to whole grapheme clusters"]


def test_doccano_article_found_by_its_id_when_two_share_a_text():
    one = article_from_text("one.txt", Path("one.txt"), GAS)
    two = article_from_text("two.txt", Path("two.txt"), GAS)
    corpus = Corpus([one, two])
    record = {"text": GAS, "label": [[0, 3, "energy"]], "article_id": "two.txt"}
    (a,) = read("doccano", json.dumps(record), corpus, offsets="codepoints")
    assert a.article_id == "two.txt"


def test_doccano_entries_claim_labels_only_at_their_own_span():
    spans = [[0, 3], [4, 10], [1, 3], [0, 1]]
    record = {"text": GAS, "label": [[s, e, "energy"] for s, e in spans]}
    record["tagline"] = [
        {"id": "first", "start": 0, "end": 3, "labels": ["energy"], "note": "n1"},
        {"id": "far", "start": 99, "end": 3, "labels": ["energy"]},  # outside the text
        {"id": "far2", "start": 0, "end": 99, "labels": ["energy"]},
        {"id": "nolabels", "start": 4, "end": 10, "note": "n2"},  # takes what is there
    ]
    anns = sorted(_doccano(record, offsets="codepoints"), key=lambda a: (a.start, a.end))
    assert [(a.start, a.end, a.themes) for a in anns] == [
        (0, 1, ("energy",)),
        (0, 3, ("energy",)),
        (1, 3, ("energy",)),
        (4, 10, ("energy",)),
    ]
    assert [(a.id, a.note) for a in anns if a.note] == [("first", "n1"), ("nolabels", "n2")]
    assert not {"far", "far2"} & {a.id for a in anns}


def test_doccano_without_labels_imports_nothing_and_derived_ids_differ_by_article():
    assert _doccano({"text": GAS}, offsets="codepoints") == []
    one = article_from_text("one.txt", Path("one.txt"), GAS)
    two = article_from_text("two.txt", Path("two.txt"), "Gas prices fell.")
    corpus = Corpus([one, two])
    lines = [json.dumps({"text": a.text, "label": [[0, 3, "energy"]]}) for a in (one, two)]
    a, b = read("doccano", "\n".join(lines), corpus, offsets="codepoints")
    assert a.id != b.id


def test_doccano_an_entry_keeps_its_labels_when_others_were_added_in_doccano():
    record = {"text": GAS, "label": [[0, 3, "energy"], [0, 3, "price"]]}
    record["tagline"] = [{"id": "mine", "start": 0, "end": 3, "labels": ["energy"]}]
    anns = sorted(_doccano(record, offsets="codepoints"), key=lambda a: a.themes)
    assert [(a.id == "mine", a.themes) for a in anns] == [(True, ("energy",)), (False, ("price",))]


def test_doccano_ids_missing_or_repeated_are_derived_from_the_span():
    record = {"text": GAS, "label": [[0, 3, "energy"], [4, 10, "price"], [11, 15, "up"]]}
    record["tagline"] = [
        {"id": "same", "start": 0, "end": 3, "labels": ["energy"]},
        {"id": "same", "start": 4, "end": 10, "labels": ["price"]},
        {"id": 7, "start": 11, "end": 15, "labels": ["up"]},
    ]
    anns = sorted(_doccano(record, offsets="codepoints"), key=lambda a: a.start)
    assert anns[0].id == "same"
    assert anns[1].id not in {"same", None} and anns[2].id not in {"7", None}
    assert len({a.id for a in anns}) == 3
    again = sorted(_doccano(record, offsets="codepoints"), key=lambda a: a.start)
    assert [a.id for a in again] == [a.id for a in anns]  # derived, so stable


def test_doccano_a_new_text_is_added_under_the_records_name(tmp_path):
    corpus, add = importing(tmp_path)
    record = {"id": "story-7", "article_id": "ignored", "text": GAS, "label": [[0, 3, "e"]]}
    (a,) = read("doccano", json.dumps(record), corpus, add=add, offsets="codepoints")
    assert a.article_id.endswith("story-7.txt")
    del record["id"]
    record["text"] = "Oil prices fell."
    (b,) = read("doccano", json.dumps(record), corpus, add=add, offsets="codepoints")
    assert b.article_id.endswith("ignored.txt")  # no id: the article_id names it
