"""`tagline import` of real tools' projects: --add-articles, --offsets, dates, warnings."""

from __future__ import annotations

import json
import os

from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.paths import ROOT
from tui.cli.main import main

DATA = ROOT / "tests" / "data" / "interchange"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def stored(db):
    with AnnotationStore(db, read_only=True) as store:
        return sorted((a.article_id, a.exact, a.themes, a.author) for a in store.all())


def test_add_articles_brings_the_texts_along(capsys, tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "db.json"
    corpus.mkdir()
    new = corpus / "from-ls"
    fixture = DATA / "labelstudio_reused_region_ids.json"
    code, _, err = run(
        capsys, "import", fixture, "-f", "labelstudio", "--db", db, "--corpus", corpus
    )
    assert code == 1
    assert err.count("\n") == 1 and "--add-articles DIR" in err
    assert not db.exists() or stored(db) == []
    code, _, err = run(
        capsys, "import", fixture, "-f", "labelstudio", "--db", db, "--corpus", corpus,
        "--add-articles", new,
    )  # fmt: skip
    assert code == 0, err
    assert "Added 2 article(s)" in err and "Imported 4 annotation(s): 4 new" in err
    assert sorted(p.name for p in new.iterdir()) == ["101.txt", "102.txt"]
    first = stored(db)
    assert {a for a, *_ in first} == {"from-ls/101.txt", "from-ls/102.txt"}
    # Next time the texts are in the corpus: nothing added, nothing duplicated.
    code, _, err = run(
        capsys, "import", fixture, "-f", "labelstudio", "--db", db, "--corpus", corpus,
        "--add-articles", new,
    )  # fmt: skip
    assert code == 0 and "Added" not in err and "4 updated" in err
    assert stored(db) == first and len(list(new.iterdir())) == 2


def test_add_articles_outside_the_corpus_is_refused(capsys, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    code, _, err = run(
        capsys, "import", DATA / "prodigy_db_out.jsonl", "-f", "spacy", "--db",
        tmp_path / "db.json", "--corpus", corpus, "--add-articles", tmp_path / "elsewhere",
    )  # fmt: skip
    assert code == 1 and "inside the corpus" in err
    assert not (tmp_path / "elsewhere").exists()


def test_a_failed_import_adds_no_article(capsys, tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "db.json"
    corpus.mkdir()
    lines = (DATA / "doccano_emoji_utf16.jsonl").read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["label"].append([0, 999, "X"])
    path = tmp_path / "in.jsonl"
    path.write_text(lines[0] + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    code, _, err = run(
        capsys, "import", path, "-f", "doccano", "--db", db, "--corpus", corpus,
        "--add-articles", corpus,
    )  # fmt: skip
    assert code == 1 and f"{path}:2: label 4:" in err
    assert os.listdir(corpus) == []


def test_doccano_offsets_flag(capsys, tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "db.json"
    corpus.mkdir()
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": 7, "text": "🚢 a b c", "label": [[3, 4, "X"]]}) + "\n")
    args = [
        "import",
        path,
        "-f",
        "doccano",
        "--db",
        db,
        "--corpus",
        corpus,
        "--add-articles",
        corpus,
    ]
    code, _, err = run(capsys, *args)
    assert code == 1 and "give --offsets" in err
    code, _, err = run(capsys, *args, "--offsets", "utf16")
    assert code == 0, err
    assert [exact for _, exact, *_ in stored(db)] == ["a"]
    assert (corpus / "7.txt").read_text(encoding="utf-8") == "🚢 a b c"


def test_bad_date_exits_1_naming_file_and_line(capsys, tmp_path, seeds):
    art = seeds.articles[0]
    record = {"article_id": art.id, "start": 0, "end": 7, "exact": art.text[:7], "themes": ["x"]}
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps(record) + "\n" + json.dumps(record | {"created": "yesterday"}) + "\n"
    )
    code, _, err = run(capsys, "import", path, "--db", tmp_path / "db.json")
    assert code == 1
    assert f"{path}:2: created 'yesterday' is not an ISO 8601 date" in err


def test_export_flags_reach_the_formats(capsys, tmp_path, seeds):
    art = seeds.articles[0]
    start = art.text.index("economy") + 2  # inside a word
    record = {
        "article_id": art.id,
        "start": start,
        "end": start + 3,
        "exact": art.text[start : start + 3],
        "themes": ["x"],
    }
    path, db = tmp_path / "in.jsonl", tmp_path / "db.json"
    path.write_text(json.dumps(record) + "\n")
    assert run(capsys, "import", path, "--db", db)[0] == 0
    code, out, err = run(capsys, "export", "-f", "spacy", "--db", db)
    assert code == 0 and "1 span(s) start or end inside a word" in err
    code, out, err = run(capsys, "export", "-f", "spacy", "--align", "strict", "--db", db)
    assert json.loads(out)["spans"] == []
    code, out, _ = run(
        capsys, "export", "-f", "hypothesis", "--uri", "https://x.org/{id}", "--db", db
    )
    assert json.loads(out)["uri"] == f"https://x.org/{art.id}"
    code, out, _ = run(capsys, "export", "-f", "doccano", "--offsets", "codepoints", "--db", db)
    assert json.loads(out)["tagline_offsets"] == "codepoints"
