"""The `tagline` command: listing, export/import, themes, and clean one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tui.cli.main import main

SEED0 = "000_eead7ac999ac4f1f.txt"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path):
    return tmp_path / "db.json"


def test_list_shows_seed_titles(capsys, db):
    code, out, _ = run(capsys, "list", "--db", db)
    assert code == 0
    assert "Chinese premier says China ready to join Russia" in out
    assert "Physical Address" not in out and len(out.splitlines()) == 5


def test_list_json_has_metadata_and_counts(capsys, db, seeds):
    art = seeds.articles[0]
    line = json.dumps(
        {"article_id": art.id, "start": 0, "end": 7, "exact": art.text[:7], "themes": ["energy"]}
    )
    (db.parent / "in.jsonl").write_text(line + "\n")
    assert run(capsys, "import", db.parent / "in.jsonl", "--db", db)[0] == 0
    code, out, _ = run(capsys, "list", "--json", "--db", db)
    rows = [json.loads(x) for x in out.splitlines()]
    row = next(r for r in rows if r["id"] == art.id)
    assert row["sha256"] == art.sha256 and row["source"] == "Xinhua"
    assert row["themes"] == {"energy": 1} and row["annotations"] == 1


def test_import_then_export_round_trip_with_offsets(capsys, db, seeds, tmp_path):
    lines = []
    for art in seeds.articles:
        lines.append(
            {
                "article_id": art.id,
                "start": 3,
                "end": 25,
                "exact": art.text[3:25],
                "themes": ["energy"],
                "note": "n",
            }
        )
    lines.append({**lines[0], "themes": ["Arctic route"], "id": "fixed-id", "author": "bob"})
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(x) + "\n" for x in lines))
    code, _, err = run(capsys, "import", src, "--db", db)
    assert code == 0 and "6 new" in err
    code, out, _ = run(capsys, "export", "--db", db)
    rows = [json.loads(x) for x in out.splitlines()]
    assert len(rows) == 6
    for row in rows:
        text = seeds.get(row["article_id"]).text
        assert text[row["start"] : row["end"]] == row["exact"]
        assert set(row) == {
            "id",
            "article_id",
            "article_sha256",
            "start",
            "end",
            "exact",
            "prefix",
            "suffix",
            "themes",
            "note",
            "author",
            "created",
            "updated",
            "status",
            "article_title",
        }
    fixed = next(r for r in rows if r["id"] == "fixed-id")
    assert fixed["author"] == "bob" and fixed["themes"] == ["Arctic route"]
    # Re-importing the export updates in place: no duplicates.
    out_file = tmp_path / "out.jsonl"
    out_file.write_text(out)
    code, _, err = run(capsys, "import", out_file, "--db", db)
    assert "0 new, 6 updated" in err
    code, out, _ = run(capsys, "export", "--theme", "arctic route", "--db", db)
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["fixed-id"]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "invalid JSON"),
        (
            '{"article_id": "nope.txt", "start": 0, "end": 3, "exact": "abc", "themes": ["energy"]}',
            "unknown article 'nope.txt'",
        ),
        (
            f'{{"article_id": "{SEED0}", "start": 0, "end": 999999, "exact": "x", "themes": ["energy"]}}',
            "outside the text",
        ),
        (
            f'{{"article_id": "{SEED0}", "start": 0, "end": 3, "exact": "xyz", "themes": ["energy"]}}',
            "exact does not match",
        ),
        (
            f'{{"article_id": "{SEED0}", "start": 0, "end": 3, "exact": "Chi", "themes": []}}',
            "themes must be",
        ),
        (
            f'{{"article_id": "{SEED0}", "start": "0", "end": 3, "exact": "Chi", "themes": ["x"]}}',
            "start must be an integer",
        ),
    ],
)
def test_bad_import_line_fails_whole_import(capsys, db, tmp_path, line, reason):
    good = f'{{"article_id": "{SEED0}", "start": 0, "end": 7, "exact": "Chinese", "themes": ["energy"]}}'
    src = tmp_path / "bad.jsonl"
    src.write_text(good + "\n\n" + line + "\n" + good + "\n")
    code, out, err = run(capsys, "import", src, "--db", db)
    assert code == 1
    assert err.startswith(f"tagline: error: {src}:3: ") and reason in err
    assert len(err.strip().splitlines()) == 1
    assert run(capsys, "export", "--db", db)[1] == ""  # nothing written


def test_themes_add_rename_recolor_remove(capsys, db, tmp_path):
    assert run(capsys, "themes", "add", "sanctions", "--color", "#112233", "--db", db)[0] == 0
    code, out, _ = run(capsys, "themes", "list", "--json", "--db", db)
    themes = {json.loads(x)["name"]: json.loads(x) for x in out.splitlines()}
    assert themes["sanctions"] == {
        "name": "sanctions",
        "color": "#112233",
        "hotkey": "4",
        "cues": [],
        "annotations": 0,
    }
    src = tmp_path / "in.jsonl"
    src.write_text(
        f'{{"article_id": "{SEED0}", "start": 0, "end": 7, "exact": "Chinese", "themes": ["sanctions"]}}\n'
    )
    run(capsys, "import", src, "--db", db)
    code, _, err = run(capsys, "themes", "remove", "sanctions", "--db", db)
    assert code == 1 and "--force" in err
    assert run(capsys, "themes", "rename", "sanctions", "embargo", "--db", db)[0] == 0
    assert json.loads(run(capsys, "export", "--db", db)[1])["themes"] == ["embargo"]
    assert run(capsys, "themes", "recolor", "embargo", "blue", "--db", db)[0] == 0
    code, _, err = run(capsys, "themes", "recolor", "embargo", "notacolour", "--db", db)
    assert code == 1 and "not a colour" in err
    assert run(capsys, "themes", "remove", "embargo", "--force", "--db", db)[0] == 0
    assert run(capsys, "export", "--db", db)[1] == ""


def test_export_to_file_is_atomic_and_reports(capsys, db, tmp_path):
    out = tmp_path / "sub" / "x.jsonl"
    code, _, err = run(capsys, "export", "-o", out, "--db", db)
    assert code == 1 and "No such file or directory" in err
    (tmp_path / "sub").mkdir()
    code, _, err = run(capsys, "export", "-o", out, "--db", db)
    assert code == 0 and "Wrote 0 annotation(s)" in err and out.read_text() == ""
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["x.jsonl"]


def test_errors_are_one_line_without_traceback(capsys, db, tmp_path):
    code, _, err = run(capsys, "list", "--corpus", tmp_path / "missing", "--db", db)
    assert code == 1 and err == f"tagline: error: {tmp_path / 'missing'}: no such file or folder\n"
    (tmp_path / "corrupt.json").write_text("{{{")
    code, _, err = run(capsys, "list", "--db", tmp_path / "corrupt.json")
    assert code == 1 and "corrupt.json: the database is corrupt" in err and "Traceback" not in err
    code, _, err = run(capsys, "import", tmp_path / "none.jsonl", "--db", db)
    assert code == 1 and "none.jsonl" in err and len(err.splitlines()) == 1
    code, _, err = run(capsys, "export", "--theme", "nosuch", "--db", db)
    assert code == 1 and "no theme named 'nosuch'" in err


def test_binary_and_empty_files_warn_and_are_skipped(capsys, db, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text("A headline here for you\n\nBody text. More text.\n")
    (corpus / "pic.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    (corpus / "empty.md").write_text("")
    code, out, err = run(capsys, "list", "--corpus", corpus, "--db", db)
    assert code == 0 and out.startswith("good.txt\t")
    assert f"{corpus / 'pic.txt'}: skipped, binary file" in err
    assert f"{corpus / 'empty.md'}: skipped, empty file" in err


def test_second_writer_waits_then_fails_clearly(db, tmp_path):
    from annotations.store.tinydb_store import AnnotationStore

    with AnnotationStore(db):
        src = tmp_path / "in.jsonl"
        src.write_text("")
        proc = subprocess.run(
            [sys.executable, "-m", "tui", "import", str(src), "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 1
    assert "in use by another Tagline (pid" in proc.stderr and "Traceback" not in proc.stderr


def test_search_cli_finds_typo_passage_and_respects_theme(capsys, db, tmp_path, monkeypatch, seeds):
    monkeypatch.setenv("TAGLINE_CACHE", str(tmp_path / "cache"))
    code, out, _ = run(capsys, "search", "silk rode on ise", "--json", "--db", db)
    first_hit = json.loads(out.splitlines()[0])
    text = seeds.get(first_hit["article_id"]).text
    assert first_hit["article_id"] == SEED0 and first_hit["text"].lower() == "silk road on ice"
    assert text[first_hit["start"] : first_hit["end"]] == first_hit["text"]
    assert set(first_hit) >= {
        "article_id",
        "article_title",
        "start",
        "end",
        "text",
        "context",
        "score",
    }
    assert any((tmp_path / "cache").rglob("*")), "the index is cached on disk"
    # Only inside passages tagged energy: none yet, so nothing.
    code, out, err = run(capsys, "search", "silk rode on ise", "--theme", "energy", "--db", db)
    assert code == 0 and out == "" and "No matches." in err
    code, out, err = run(capsys, "search", "zzqx qqzv", "--db", db)
    assert out == ""


def test_report_writes_html_with_every_segment(capsys, db, seeds, tmp_path):
    art = seeds.articles[0]
    line = json.dumps(
        {"article_id": art.id, "start": 0, "end": 7, "exact": art.text[:7], "themes": ["energy"]}
    )
    src = tmp_path / "in.jsonl"
    src.write_text(line + "\n")
    assert run(capsys, "import", src, "--db", db)[0] == 0
    out = tmp_path / "report.html"
    code, _, err = run(capsys, "report", "-f", "html", "-o", out, "--theme", "energy", "--db", db)
    assert code == 0 and "1 coded segment" in err
    doc = out.read_text()
    assert doc.startswith("<!DOCTYPE html>") and art.text[:7] in doc
    code, _, err = run(capsys, "report", "--author", "nobody", "--db", db)
    assert code == 1 and "no coded segments" in err


def test_every_subcommand_has_a_description_and_formats_show_their_default(capsys):
    import argparse

    from tui.cli.main import build_parser

    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, command in sub.choices.items():
        assert command.description, f"tagline {name} -h has no description"
    assert "(default: jsonl)" in sub.choices["export"].format_help()
    assert "(default: jsonl)" in sub.choices["import"].format_help()
    assert "(default: md)" in sub.choices["report"].format_help()
    themes = [
        a for a in sub.choices["themes"]._actions if isinstance(a, argparse._SubParsersAction)
    ]
    assert "replace" in themes[0].choices["cues"].description.lower()


def test_qdpx_refuses_to_write_a_zip_to_a_terminal(capsys, db, monkeypatch):
    class Terminal:
        def isatty(self):
            return True

        buffer = None

    monkeypatch.setattr("sys.stdout", Terminal())
    code = main(["export", "-f", "qdpx", "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1 and "use -o FILE" in err
