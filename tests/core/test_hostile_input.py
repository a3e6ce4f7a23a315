"""Hostile and careless input: escape sequences, odd file names and folders, wrong values
in imports. Nothing reaches the terminal raw, nothing hangs, nothing is a traceback."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotations.corpus import load_corpus
from annotations.store.tinydb_store import AnnotationStore
from annotations.text.sanitize import clean_line, clean_text, has_unsafe, printable, printable_text
from tests.helpers.factories import ann, make_article
from tui.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
OSC = "\x1b]0;pwned\x07"
BLINK = "\x1b[5m"
C1_CSI = "\x9b31m"


def test_sanitiser_strips_for_storage_and_escapes_for_display():
    assert clean_text(f"a{OSC}b\nc\td{C1_CSI}\ud800") == "a]0;pwnedb\nc\td31m\ufffd"
    assert clean_line(f" {BLINK}ana\nbob\u202e ") == "[5mana bob"
    assert printable(f"x{OSC}\n") == "x\\x1b]0;pwned\\x07\\x0a"
    assert printable("caf\udce9.txt") == "caf\\xe9.txt"  # an undecodable file-name byte
    assert printable_text("a\nb\tc\x1b") == "a\nb\tc\\x1b"
    for s in (OSC, BLINK, C1_CSI, "\u2028", "\u202e", "\x7f", "\ud800"):
        assert not has_unsafe(printable(s)) and not has_unsafe(clean_text(s))


# -- import side -----------------------------------------------------------------------------


def _record(article, **extra):
    return {
        "article_id": article.id,
        "start": 0,
        "end": 10,
        "exact": article.text[0:10],
        "themes": ["energy"],
        **extra,
    }


def _import(tmp_path, lines, *extra_args, fmt="jsonl", raw: bytes | None = None):
    src = tmp_path / "in.jsonl"
    if raw is None:
        raw = "".join(
            (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines
        ).encode("utf-8", "surrogatepass")
    src.write_bytes(raw)
    db = tmp_path / "db.json"
    return main(["import", str(src), "-f", fmt, "--db", str(db), *extra_args]), db


def _stored(db):
    with AnnotationStore(db, read_only=True) as s:
        return list(s.all()), s.codebook


def test_import_strips_escape_sequences_from_notes_authors_and_themes(tmp_path, seeds, capsys):
    art = seeds.articles[0]
    rec = _record(
        art, note=f"see {OSC}here\nnext", author=f"{BLINK}mallory", themes=[f"pol{BLINK}itics"]
    )
    code, db = _import(tmp_path, [rec])
    assert code == 0, capsys.readouterr().err
    (a,), codebook = _stored(db)
    assert a.note == "see ]0;pwnedhere\nnext"
    assert a.author == "[5mmallory"
    assert a.themes == ("pol[5mitics",) and codebook.get("pol[5mitics") is not None


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"note": {"a": 1}}, "note must be a string, not an object"),
        ({"note": float("nan")}, "note must be a string, not a number"),
        ({"author": ["x"]}, "author must be a string, not a list"),
        ({"status": "lost"}, "status must be one of"),
        ({"themes": ["x" * 80]}, "theme name 'xxxxxxxxxxxxxxxxxxxx'… is longer than 60"),
        ({"id": "a\x1bb"}, "id 'a\\x1bb' holds control characters"),
        ({"id": 5}, "id must be a string"),
    ],
)
def test_import_refuses_wrong_values_with_file_and_line(tmp_path, seeds, capsys, extra, reason):
    art = seeds.articles[0]
    lines = [_record(art, start=20, end=25, exact=art.text[20:25]), _record(art, **extra)]
    code, db = _import(tmp_path, lines)
    err = capsys.readouterr().err
    assert code == 1 and f"in.jsonl:2: {reason}" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not db.exists() or _stored(db)[0] == []


def test_duplicate_ids_in_one_file_are_refused(tmp_path, seeds, capsys):
    art = seeds.articles[0]
    lines = [
        _record(art, id="same"),
        _record(art, id="same", start=20, end=25, exact=art.text[20:25]),
    ]
    code, _ = _import(tmp_path, lines)
    assert code == 1
    assert "in.jsonl:2: duplicate id 'same' (first at" in capsys.readouterr().err


def test_orphaned_status_and_wrong_prefix_are_corrected_with_a_warning(tmp_path, seeds, capsys):
    art = seeds.articles[0]
    rec = _record(art, start=20, end=25, exact=art.text[20:25], status="orphaned", prefix="nope")
    code, db = _import(tmp_path, [rec])
    err = capsys.readouterr().err
    assert code == 0
    assert "in.jsonl:1: status 'orphaned' corrected" in err
    assert "in.jsonl:1: prefix does not match" in err
    (a,), _ = _stored(db)
    assert a.status == "anchored" and a.prefix == art.text[:20]


def test_invalid_utf8_is_refused_with_its_line(tmp_path, seeds, capsys):
    art = seeds.articles[0]
    good = json.dumps(_record(art)).encode()
    code, _ = _import(tmp_path, [], raw=good + b"\n" + good.replace(b"energy", b"ener\xffgy"))
    err = capsys.readouterr().err
    assert code == 1 and "in.jsonl:2: not valid UTF-8 (byte 0xff)" in err


def test_stdin_with_a_bom_imports_like_the_file(tmp_path, seeds, monkeypatch, capsys):
    art = seeds.articles[0]
    data = b"\xef\xbb\xbf" + json.dumps(_record(art)).encode() + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["import", "-", "--db", str(tmp_path / "db.json")]) == 0, capsys.readouterr()
    assert len(_stored(tmp_path / "db.json")[0]) == 1


def test_lone_surrogates_and_theme_controls_are_no_traceback(tmp_path, seeds, capsys):
    art = seeds.articles[0]
    line = json.dumps(_record(art, note="a \\ud800 b", themes=["t\\u0007x", "\\udfff"]))
    line = line.replace("\\\\u", "\\u")
    code, db = _import(tmp_path, [line])
    assert code == 0, capsys.readouterr().err
    (a,), _ = _stored(db)
    assert a.note == "a \ufffd b" and a.themes == ("tx", "\ufffd")
    line = json.dumps(_record(art, start=30, end=35, exact=art.text[30:35], id="x\\ud800"))
    code, _ = _import(tmp_path, [line.replace("\\\\u", "\\u")])
    assert code == 1 and "in.jsonl:1: id" in capsys.readouterr().err


def test_author_with_invalid_utf8_is_no_traceback(tmp_path, seeds, capsys):
    art = seeds.articles[0]
    author = os.fsdecode(b"ana\xff")  # how Python hands invalid bytes from argv
    code, db = _import(tmp_path, [_record(art)], "--author", author)
    assert code == 0, capsys.readouterr().err
    (a,), _ = _stored(db)
    assert a.author == "ana\ufffd"


def test_tagline_author_with_invalid_utf8_is_no_traceback(tmp_path, seeds, capsys, monkeypatch):
    monkeypatch.setenv("TAGLINE_AUTHOR", os.fsdecode(b"bo\xffb"))
    code, db = _import(tmp_path, [_record(seeds.articles[0])])
    assert code == 0, capsys.readouterr().err
    (a,), _ = _stored(db)
    assert a.author == "bo\ufffdb"


def test_json_nested_very_deep_is_one_line(tmp_path, seeds, capsys):
    for fmt in ("jsonl", "w3c", "labelstudio", "doccano", "spacy"):
        code, _ = _import(tmp_path, [], fmt=fmt, raw=b"\n" + b"[" * 100_000 + b"\n")
        err = capsys.readouterr().err
        assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, fmt
        assert "in.jsonl:" in err


def _w3c(start):
    return {
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "energy"}],
        "target": {
            "source": _ART.id,
            "selector": [
                {"type": "TextQuoteSelector", "exact": _ART.text[:4]},
                {"type": "TextPositionSelector", "start": start, "end": 4},
            ],
        },
    }


_ART = load_corpus().articles[0]
_TASK = {"text": _ART.text, "article_id": _ART.id}


@pytest.mark.parametrize(
    ("fmt", "payload"),
    [
        ("w3c", _w3c("0")),
        ("w3c", _w3c(0.0)),
        ("w3c", _w3c([0])),
        ("doccano", {**_TASK, "label": [[0, 4, "energy"]], "tagline": 5}),
        ("labelstudio", [{"data": _TASK, "annotations": 5}]),
        ("labelstudio", [{"data": _TASK, "annotations": [{"result": 5}]}]),
    ],
)
def test_importer_shapes_are_one_line_errors(tmp_path, seeds, capsys, fmt, payload):
    code, db = _import(tmp_path, [payload], fmt=fmt)
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "in.jsonl:1" in err  # FILE:LINE


# -- display side ------------------------------------------------------------------------------


def test_list_escapes_file_names_any_bytes(tmp_path, capsys):
    folder = tmp_path / "c"
    folder.mkdir()
    body = "Headline here\n\nSome article text that is long enough to read.\n"
    names = [b"plain.txt", b"new\nline.txt", b"esc\x1b]0;x\x07.txt", b"latin\xe9.txt"]
    for name in names:
        with open(os.path.join(os.fsencode(folder), name), "wb") as fh:
            fh.write(body.encode())
    assert main(["list", "--corpus", str(folder), "--db", str(tmp_path / "db.json")]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert len(lines) == 4 and "\x1b" not in out and "\x07" not in out
    assert any(line.startswith("new\\x0aline.txt\t") for line in lines)
    assert any(line.startswith("latin\\xe9.txt\t") for line in lines)
    assert main(["list", "--json", "--corpus", str(folder), "--db", str(tmp_path / "d.json")]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4


def test_agreement_escapes_author_names(tmp_path, capsys):
    text = "Oil and gas. The pipeline opened. Trade grew fast. Energy prices fell."
    article = make_article("a.txt", text)
    corpus_dir = tmp_path / "c"
    corpus_dir.mkdir()
    (corpus_dir / "a.txt").write_text(text)
    db = tmp_path / "db.json"
    with AnnotationStore(db) as s:
        # Written past the importer (an older Tagline, a hand edit): the display escapes.
        s.put_many(
            [
                ann(article, 0, 12, "energy", author=f"{BLINK}ana"),
                ann(article, 0, 12, "energy", author=f"bob{OSC}"),
            ]
        )
    code = main(["agreement", "--corpus", str(corpus_dir), "--db", str(db)])
    out = capsys.readouterr().out
    assert code == 0 and "\x1b" not in out and "\\x1b[5mana" in out


# -- the corpus folder --------------------------------------------------------------------------


def test_fifo_in_the_corpus_is_skipped_not_waited_on(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("Headline here\n\nText of the article.\n")
    os.mkfifo(folder / "pipe.txt")
    result = subprocess.run(
        [sys.executable, "-m", "tui", "list", "--corpus", str(folder), "--db", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout.startswith("a.txt\t")
    assert "pipe.txt: skipped, not a regular file" in result.stderr


def test_corpus_nested_1200_deep_loads(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    fd = os.open(folder, os.O_RDONLY)
    for _ in range(1200):  # one level at a time: pathlib's mkdir(parents=True) recurses
        os.mkdir("d", dir_fd=fd)
        fd, old = os.open("d", os.O_RDONLY, dir_fd=fd), fd
        os.close(old)
    out = os.open("x.txt", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd)
    os.write(out, b"Headline here\n\nText of the article.\n")
    os.close(out)
    os.close(fd)
    warnings: list[str] = []
    try:
        corpus = load_corpus([folder], warn=warnings.append)
        assert [a.id for a in corpus] == ["d/" * 1200 + "x.txt"] and warnings == []
    finally:
        _remove_deep(folder, 1200)


def _remove_deep(folder: Path, depth: int) -> None:
    """Unwind the tree one level at a time (pytest's own cleanup would recurse too deep)."""
    here = os.getcwd()
    try:
        os.chdir(folder)
        for _ in range(depth):
            os.chdir("d")
        os.unlink("x.txt")
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(here)


def test_non_utf8_names_survive_the_corpus_cache(tmp_path):
    folder = tmp_path / os.fsdecode(b"corp\xffus")
    folder.mkdir()
    (folder / os.fsdecode(b"f\xe9.txt")).write_text("Headline here\n\nText.\n")
    cache = tmp_path / "cache" / "corpus.json"
    for _ in range(2):  # the second run reads the cache it wrote
        corpus = load_corpus([folder], cache=cache)
        assert [a.id for a in corpus] == ["f\\xe9.txt"]
        assert corpus.articles[0].text.startswith("Headline")


def test_label_studio_text_matching_neither_offset_unit_is_refused(tmp_path, seeds, capsys):
    art = seeds.articles[0]
    task = {
        "data": {"text": art.text, "article_id": art.id},
        "annotations": [
            {
                "result": [
                    {
                        "value": {"start": 0, "end": 5, "text": "nope!", "labels": ["energy"]},
                        "from_name": "label",
                        "type": "labels",
                    }
                ]
            }
        ],
    }
    code, db = _import(tmp_path, [], fmt="labelstudio", raw=json.dumps([task]).encode())
    err = capsys.readouterr().err
    assert code == 1 and "region 1: text 'nope!' is not at 0..5" in err


def test_merge_refuses_invalid_utf8_like_import(tmp_path, seeds, capsys):
    art = seeds.articles[0]
    src = tmp_path / "ana.jsonl"
    src.write_bytes(json.dumps(_record(art, note="caf")).encode().replace(b"caf", b"caf\xe9"))
    code = main(["merge", str(src), "--db", str(tmp_path / "team.json")])
    assert code == 1 and "ana.jsonl:1: not valid UTF-8 (byte 0xe9)" in capsys.readouterr().err
