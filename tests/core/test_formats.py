"""Every interchange format: what it writes, and for readers, exact round trips and clean failures."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from xml.etree import ElementTree as ET

import pytest

from annotations.formats import FORMATS, ExportContext, FormatError, ImportContext, get_format
from annotations.store.tinydb_store import AnnotationStore
from annotations.themes import Codebook
from tests.helpers import formats_fixtures as fx
from tests.helpers.conformance import assert_qdpx_valid, assert_w3c_valid
from tests.helpers.paths import ROOT, SHARED

VALIDATOR = SHARED / "conformance" / "w3c" / "validate.py"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
QDA = "{urn:QDA-XML:project:1.0}"


@pytest.fixture(scope="module")
def corpus():
    return fx.corpus()


@pytest.fixture(scope="module")
def anns(corpus):
    return fx.annotations(corpus)


def export(name: str, anns, corpus, **options) -> str:
    out = io.StringIO()
    count = get_format(name).writer(iter(anns), out, ExportContext(corpus, Codebook(), options))
    assert count == len(anns)
    if name == "w3c":
        assert_w3c_valid(out.getvalue())
    return out.getvalue()


def read(name: str, text: str, corpus, file: str = "in.txt"):
    return get_format(name).reader(io.StringIO(text), ImportContext(corpus, "importer", file))


def by_id(items):
    return sorted((a.to_dict() for a in items), key=lambda d: d["id"])


def test_registry_lists_every_format():
    assert {"jsonl", "w3c", "spacy", "doccano", "labelstudio", "csv", "qdpx"} <= set(FORMATS)
    for name in ("jsonl", "w3c", "spacy", "doccano", "labelstudio"):
        assert FORMATS[name].reader is not None, name


@pytest.mark.parametrize("name", ["jsonl", "w3c", "spacy", "doccano", "labelstudio"])
def test_round_trip_is_exact(name, corpus, anns):
    """Ids, offsets, themes, notes, authors and both times survive export then import."""
    text = export(name, anns, corpus)
    back = read(name, text, corpus)
    assert by_id(back) == by_id(anns)


# -- W3C ---------------------------------------------------------------------------------


def test_w3c_shape(corpus, anns):
    lines = [json.loads(line) for line in export("w3c", anns, corpus).splitlines()]
    assert len(lines) == len(anns)
    first, two_themes = lines[0], lines[1]
    assert first["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert first["id"] == f"urn:uuid:{anns[0].id}"
    assert first["type"] == "Annotation" and first["motivation"] == "tagging"
    assert first["created"] == anns[0].created and first["modified"] == anns[0].updated
    assert first["creator"] == {"type": "Person", "name": "alice"}
    assert first["target"]["source"] == "urn:tagline:article:000_eead7ac999ac4f1f.txt"
    quote, position = first["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": anns[0].exact,
        "prefix": anns[0].prefix,
        "suffix": anns[0].suffix,
    }
    assert position == {"type": "TextPositionSelector", "start": anns[0].start, "end": anns[0].end}
    assert [b["value"] for b in two_themes["body"] if b["purpose"] == "tagging"] == [
        "digital economy",
        "energy",
    ]
    assert [b["value"] for b in two_themes["body"] if b["purpose"] == "commenting"] == [
        "two themes"
    ]
    # The article URN is the percent-encoded id: stable across edits, and a valid URI.
    assert lines[4]["target"]["source"] == "urn:tagline:article:intl%2F%C3%A9t%C3%A9%202024.txt"


@pytest.mark.skipif(importlib.util.find_spec("jsonschema") is None, reason="needs jsonschema")
@pytest.mark.skipif(
    not VALIDATOR.exists(),
    reason=f"W3C conformance kit not found at {VALIDATOR} (../shared absent)",
)
def test_w3c_export_passes_the_conformance_kit(corpus, anns, tmp_path):
    orphan = replace(anns[0], id="not-a-uuid/1", start=0, end=4, status="orphaned")
    path = tmp_path / "export.jsonl"
    path.write_text(export("w3c", [*anns, orphan], corpus), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(anns) + 1} passed, 0 failed" in result.stdout


def test_w3c_orphan_is_written_with_its_quote_only(corpus, anns):
    orphan = replace(anns[3], start=0, end=4, status="orphaned")
    (line,) = export("w3c", [orphan], corpus).splitlines()
    selectors = json.loads(line)["target"]["selector"]
    assert [s["type"] for s in selectors] == ["TextQuoteSelector"]
    # ... and on import the quote is found again, by its context.
    (back,) = read("w3c", line, corpus)
    assert (back.start, back.end) == (anns[3].start, anns[3].end)


def test_w3c_reads_foreign_annotations(corpus):
    """A creator as a string, no positions, tags only: as Hypothesis-like tools write them."""
    article = corpus["003_24f7bdae331ea796.txt"]
    start, end = fx.span(article, "natural gas")
    data = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://example.org/anno/7",
        "type": "Annotation",
        "creator": "acct:dana@example.org",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "energy"}],
        "target": {
            "source": article.id,
            "selector": {"type": "TextQuoteSelector", "exact": "natural gas"},
        },
    }
    (ann,) = read("w3c", json.dumps(data), corpus)
    assert (ann.start, ann.end, ann.themes) == (start, end, ("energy",))
    assert ann.author == "acct:dana@example.org" and ann.id == "https://example.org/anno/7"


def test_cli_w3c_pipe_reproduces_the_store(tmp_path):
    """`tagline export -f w3c | tagline import -f w3c --db NEW` gives the same annotations."""
    c = fx.corpus()
    seeds = [a for a in fx.annotations(c) if a.article_id != fx.UNICODE_ID]
    with AnnotationStore(tmp_path / "a.json") as store:
        store.put_many(seeds)
    cmd = [sys.executable, "-m", "tui"]
    exported = subprocess.run(
        [*cmd, "export", "-f", "w3c", "--db", str(tmp_path / "a.json")],
        capture_output=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    assert_w3c_valid(exported.stdout.decode("utf-8"))
    imported = subprocess.run(
        [*cmd, "import", "-f", "w3c", "--db", str(tmp_path / "b.json"), "-"],
        input=exported.stdout,
        capture_output=True,
        cwd=ROOT,
        timeout=60,
    )
    assert imported.returncode == 0, imported.stderr
    with AnnotationStore(tmp_path / "b.json", read_only=True) as store:
        assert by_id(store.all()) == by_id(seeds)


# -- spaCy / doccano / Label Studio ------------------------------------------------------


def test_spacy_lines_are_articles_with_one_span_per_theme(corpus, anns):
    lines = [json.loads(line) for line in export("spacy", anns, corpus).splitlines()]
    assert [line["meta"]["id"] for line in lines] == [
        "000_eead7ac999ac4f1f.txt",
        "003_24f7bdae331ea796.txt",
        fx.UNICODE_ID,
    ]
    spans = [s for line in lines for s in line["spans"]]
    assert len(spans) == sum(len(a.themes) for a in anns)
    for line in lines:
        for s in line["spans"]:
            assert set(s) >= {"start", "end", "label"}
            ann = next(a for a in anns if a.id == s["id"])
            assert line["text"][s["start"] : s["end"]] == ann.exact
            assert s["label"] in ann.themes
    if importlib.util.find_spec("spacy"):
        import spacy

        nlp = spacy.blank("xx")
        for line in lines:
            doc = nlp(line["text"])
            for s in line["spans"]:
                assert doc.char_span(s["start"], s["end"], s["label"], alignment_mode="expand")


def test_foreign_spacy_spans_without_ids_merge_per_offsets(corpus):
    article = corpus["000_eead7ac999ac4f1f.txt"]
    start, end = fx.span(article, "smart cities")
    line = {
        "text": article.text,
        "spans": [
            {"start": start, "end": end, "label": "digital economy"},
            {"start": start, "end": end, "label": "cities"},
        ],
    }
    (ann,) = read("spacy", json.dumps(line), corpus)
    assert ann.themes == ("digital economy", "cities") and ann.author == "importer"
    # Matched by text (no meta.id); a stable id, so importing again updates instead of duplicating.
    (again,) = read("spacy", json.dumps(line), corpus)
    assert again.id == ann.id


def test_doccano_labels_and_new_style_entities(corpus, anns):
    lines = [json.loads(line) for line in export("doccano", anns, corpus).splitlines()]
    assert lines[0]["label"][0] == [anns[0].start, anns[0].end, "digital economy"]
    for line in lines:
        for start, end, _ in line["label"]:
            assert line["text"][start:end]
    article = corpus["003_24f7bdae331ea796.txt"]
    start, end = fx.span(article, "natural gas")
    entity = {"start_offset": start, "end_offset": end, "label": "energy"}
    (ann,) = read("doccano", json.dumps({"text": article.text, "entities": [entity]}), corpus)
    assert (ann.article_id, ann.exact, ann.themes) == (article.id, "natural gas", ("energy",))


def test_labelstudio_tasks(corpus, anns):
    tasks = json.loads(export("labelstudio", anns, corpus))
    assert len(tasks) == 3
    first = tasks[0]
    assert first["data"]["text"] == corpus["000_eead7ac999ac4f1f.txt"].text
    assert {e["created_username"] for e in first["annotations"]} == {"alice", "bob"}
    region = first["annotations"][0]["result"][1]
    assert region["value"] == {
        "start": anns[1].start,
        "end": anns[1].end,
        "text": anns[1].exact,
        "labels": ["digital economy", "energy"],
    }
    assert region["type"] == "labels" and region["meta"] == {"text": ["two themes"]}


def test_labelstudio_accepts_utf16_offsets_from_old_versions(corpus):
    article = corpus[fx.UNICODE_ID]
    start, end = fx.span(article, "two weeks")
    astral = sum(1 for ch in article.text[:start] if ord(ch) > 0xFFFF)
    region = {
        "from_name": "label",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": start + astral,
            "end": end + astral,
            "text": "two weeks",
            "labels": ["x"],
        },
    }
    task = [{"data": {"text": article.text}, "annotations": [{"result": [region]}]}]
    (ann,) = read("labelstudio", json.dumps(task), corpus)
    assert (ann.start, ann.end) == (start, end)


# -- failures: one line naming file and line, nothing returned -----------------------------


@pytest.mark.parametrize(
    ("name", "text", "where", "reason"),
    [
        ("w3c", '{"type": "Annotation"}\n{oops\n', "in.txt:1:", "target"),
        ("w3c", "\n\n{oops\n", "in.txt:3:", "invalid JSON"),
        (
            "w3c",
            json.dumps(
                {
                    "type": "Annotation",
                    "body": {"purpose": "tagging", "value": "x", "type": "TextualBody"},
                    "target": {"source": "urn:tagline:article:nope.txt"},
                }
            ),
            "in.txt:1:",
            "unknown article 'nope.txt'",
        ),
        ("spacy", '{"text": "not in the corpus", "spans": []}', "in.txt:1:", "no article"),
        (
            "spacy",
            json.dumps(
                {"text": fx.UNICODE_TEXT, "spans": [{"start": 5, "end": 999, "label": "x"}]}
            ),
            "in.txt:1: span 1:",
            "outside the text",
        ),
        (
            "doccano",
            json.dumps({"text": fx.UNICODE_TEXT, "label": [[0, 5]]}),
            "in.txt:1: label 1:",
            "expected [start, end, label]",
        ),
        ("labelstudio", '[\n  {"data": {"text": "zzz"}}\n]', "in.txt:2:", "no article"),
        ("labelstudio", '[\n  {"data": {}},\n', "in.txt:2:", "no data.text"),
        ("labelstudio", '{"data": 1}', "in.txt:1:", "JSON list"),
    ],
)
def test_bad_input_names_file_and_line(name, text, where, reason, corpus):
    with pytest.raises(FormatError) as err:
        read(name, text, corpus)
    message = str(err.value)
    assert message.startswith(where) and reason in message and "\n" not in message


def test_cli_import_is_all_or_nothing(tmp_path, corpus, anns):
    good = export("w3c", [a for a in anns if a.article_id != fx.UNICODE_ID], corpus).splitlines()
    bad = "\n".join([*good[:2], '{"type": "Annotation"}', *good[2:]]) + "\n"
    path = tmp_path / "in.jsonl"
    path.write_text(bad, encoding="utf-8")
    db = tmp_path / "db.json"
    result = subprocess.run(
        [sys.executable, "-m", "tui", "import", "-f", "w3c", "--db", str(db), str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"tagline: error: {path}:3: the target needs a source (the article)"
    )
    with AnnotationStore(db, read_only=True) as store:
        assert len(store) == 0


def test_offset_formats_skip_orphans_with_a_warning(corpus, anns):
    orphan = replace(anns[0], start=0, end=4, status="orphaned")
    warnings: list[str] = []
    ctx = ExportContext(corpus, Codebook(), {}, warnings.append)
    for name in ("spacy", "doccano", "labelstudio", "csv"):
        warnings.clear()
        out = io.StringIO()
        assert FORMATS[name].writer(iter([orphan, anns[1]]), out, ctx) == 1
        assert len(warnings) == 1 and orphan.id in warnings[0]


# -- CSV ---------------------------------------------------------------------------------


def test_csv_rows_per_annotation_and_theme(corpus, anns):
    text = export("csv", anns, corpus)
    assert not text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "article_id",
        "title",
        "theme",
        "start",
        "end",
        "passage",
        "note",
        "author",
        "created",
    ]
    assert len(rows) == sum(len(a.themes) for a in anns)
    assert [r["theme"] for r in rows[1:3]] == ["digital economy", "energy"]
    row = rows[0]
    assert (row["passage"], int(row["start"]), int(row["end"])) == (
        anns[0].exact,
        anns[0].start,
        anns[0].end,
    )
    # Formula-looking cells are inert; multi-line notes stay in one cell.
    assert rows[3]["note"] == '\'=HYPERLINK("x")\nsecond line'
    assert rows[4]["note"] == "'+1 — gas, naïve café ☃"
    assert rows[5]["passage"] == "« Force de Sibérie » 🚢" and rows[5]["author"] == "zoë"


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_formula_cells_are_escaped(value):
    from annotations.formats.csvfile import cell

    assert cell(value) == "'" + value
    assert cell("plain " + value) == "plain " + value


def test_csv_bom_option(corpus, anns, tmp_path):
    assert export("csv", anns, corpus, bom=True).startswith("\ufeffarticle_id,")
    with AnnotationStore(tmp_path / "db.json") as store:
        store.put_many([a for a in anns if a.article_id != fx.UNICODE_ID])
    out = tmp_path / "out.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "export",
            "-f",
            "csv",
            "--bom",
            "-o",
            str(out),
            "--db",
            str(tmp_path / "db.json"),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert out.read_bytes().startswith(b"\xef\xbb\xbfarticle_id,")


# -- QDPX --------------------------------------------------------------------------------


def qdpx(anns, corpus) -> zipfile.ZipFile:
    out = io.BytesIO()
    assert FORMATS["qdpx"].writer(iter(anns), out, ExportContext(corpus, Codebook())) == len(anns)
    assert_qdpx_valid(out.getvalue())
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def test_qdpx_project_structure(corpus, anns):
    archive = qdpx(anns, corpus)
    project = ET.fromstring(archive.read("project.qde"))
    assert project.tag == f"{QDA}Project"
    assert project.get("name") and project.get("origin") and project.get("creationDateTime")
    assert [child.tag for child in project] == [f"{QDA}Users", f"{QDA}CodeBook", f"{QDA}Sources"]
    users = {u.get("name"): u.get("guid") for u in project.iter(f"{QDA}User")}
    assert set(users) == {"alice", "bob", "zoë"}
    codes = {c.get("name"): c for c in project.iter(f"{QDA}Code")}
    assert {"energy", "digital economy", "Arctic route", "énergie ☃"} <= set(codes)
    assert codes["energy"].get("color") == Codebook().get("energy").color
    assert all(c.get("isCodable") == "true" for c in codes.values())
    guids = [e.get("guid") for e in project.iter() if e.get("guid")]
    assert all(GUID.match(g) for g in guids) and len(guids) == len(set(guids))
    code_guids = {c.get("guid") for c in codes.values()}
    for ref in project.iter(f"{QDA}CodeRef"):
        assert ref.get("targetGUID") in code_guids


def test_qdpx_selections_slice_the_source_text(corpus, anns):
    archive = qdpx(anns, corpus)
    project = ET.fromstring(archive.read("project.qde"))
    users = {u.get("guid"): u.get("name") for u in project.iter(f"{QDA}User")}
    codes = {c.get("guid"): c.get("name") for c in project.iter(f"{QDA}Code")}
    expected = {a.id: a for a in anns}
    seen = 0
    for source in project.iter(f"{QDA}TextSource"):
        path = source.get("plainTextPath")
        assert path == f"internal://{source.get('guid')}.txt"
        text = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
        assert text == corpus[source.get("name")].text
        for sel in source.iter(f"{QDA}PlainTextSelection"):
            ann = expected[sel.get("guid")]
            # Positions are code points: Python indices into the same text.
            assert text[int(sel.get("startPosition")) : int(sel.get("endPosition"))] == ann.exact
            assert users[sel.get("creatingUser")] == ann.author
            assert sel.get("creationDateTime") == ann.created
            description = sel.find(f"{QDA}Description")
            assert (description.text if description is not None else "") == ann.note
            themes = [
                codes[c.find(f"{QDA}CodeRef").get("targetGUID")] for c in sel.iter(f"{QDA}Coding")
            ]
            assert tuple(themes) == ann.themes
            seen += 1
    assert seen == len(anns)
