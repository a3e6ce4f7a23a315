from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from annotations.corpus import load_corpus
from annotations.formats import ExportContext
from annotations.formats.jsonl import write as write_jsonl
from annotations.store.tinydb_store import AnnotationStore
from annotations.themes import Codebook
from tests.helpers.factories import ann
from tui.cli.main import main

E, D = "energy", "digital economy"
CORPUS = load_corpus()
ART = CORPUS.articles[0]


def export(path: Path, annotations) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        write_jsonl(annotations, out, ExportContext(CORPUS, Codebook()))
    return path


def test_merge_two_analysts_without_duplicates_and_with_a_conflict(tmp_path, tmp_db, capsys):
    shared = ann(ART, 0, 84, E, author="alice", id="shared", updated="2024-01-01T10:00:00.000Z")
    both = ann(ART, 95, 259, D, author="alice", id="same", updated="2024-01-01T10:00:00.000Z")
    # bob re-tagged the shared annotation later: his version must win and be reported
    bob_edit = replace(shared, themes=(E, D), updated="2024-01-02T09:00:00.000Z")
    a = export(tmp_path / "alice.jsonl", [shared, both, ann(ART, 300, 400, E, author="alice")])
    b = export(tmp_path / "bob.jsonl", [bob_edit, both, ann(ART, 300, 400, E, author="bob")])

    assert main(["merge", str(a), str(b), "--db", str(tmp_db)]) == 0
    out = capsys.readouterr().out
    # 6 read; ids: shared, same, alice's 300-400, bob's 300-400 -> 4 new; 1 conflict
    assert "6 annotation(s) read, 4 new, 0 updated, 0 already there; 1 conflict(s)" in out
    assert "conflict: shared" in out and "kept bob.jsonl" in out and "differs in themes" in out
    with AnnotationStore(tmp_db) as store:
        assert len(store) == 4
        assert store.get("shared").themes == (E, D)
        assert sorted(a.author for a in store.all()) == ["alice", "alice", "alice", "bob"]

    # merging the same files again changes nothing
    assert main(["merge", str(a), str(b), "--db", str(tmp_db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 4)
    assert report["conflicts"][0]["dropped"]["source"] == "alice.jsonl"


def test_order_of_files_does_not_change_the_winner(tmp_path, tmp_db):
    old = ann(ART, 0, 84, E, author="alice", id="x", updated="2024-03-01T00:00:00.000Z")
    new = replace(old, note="later note", updated="2024-03-05T00:00:00.000Z")
    a = export(tmp_path / "a.jsonl", [new])
    b = export(tmp_path / "b.jsonl", [old])
    assert main(["merge", str(a), str(b), "--db", str(tmp_db)]) == 0
    with AnnotationStore(tmp_db) as store:
        assert store.get("x").note == "later note"


def test_newer_export_updates_the_team_store(tmp_path, tmp_db):
    v1 = ann(ART, 0, 84, E, author="alice", id="x", updated="2024-03-01T00:00:00.000Z")
    v2 = replace(v1, themes=(D,), updated="2024-04-01T00:00:00.000Z")
    assert main(["merge", str(export(tmp_path / "v1.jsonl", [v1])), "--db", str(tmp_db)]) == 0
    assert main(["merge", str(export(tmp_path / "v2.jsonl", [v2])), "--db", str(tmp_db)]) == 0
    with AnnotationStore(tmp_db) as store:
        assert store.get("x").themes == (D,)


def test_bad_file_writes_nothing(tmp_path, tmp_db, capsys):
    good = export(tmp_path / "good.jsonl", [ann(ART, 0, 84, E, author="alice")])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"article_id": "nope.txt", "start": 0, "end": 1, "exact": "x", "themes": ["e"]}\n'
    )
    assert main(["merge", str(good), str(bad), "--db", str(tmp_db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tagline: error: ") and "bad.jsonl:1" in err and err.count("\n") == 1
    with AnnotationStore(tmp_db) as store:
        assert len(store) == 0


def test_missing_author_defaults_to_file_stem(tmp_path, tmp_db):
    path = tmp_path / "carol.jsonl"
    text = ART.text[0:10]
    path.write_text(
        json.dumps({"article_id": ART.id, "start": 0, "end": 10, "exact": text, "themes": [E]})
        + "\n"
    )
    assert main(["merge", str(path), "--db", str(tmp_db)]) == 0
    with AnnotationStore(tmp_db) as store:
        assert [a.author for a in store.all()] == ["carol"]
