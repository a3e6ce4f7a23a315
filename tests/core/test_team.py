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
    # alice's older version is stale now, not news: an unchanged re-run reports nothing
    assert report["conflicts"] == [] and report["stale"] == 1


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


def _store_state(db: Path) -> tuple:
    with AnnotationStore(db) as store:
        return (
            sorted(json.dumps(a.to_dict(), sort_keys=True) for a in store.all()),
            store.codebook.names(),
            [d.to_dict() for d in store.coverage()],
        )


def test_merge_three_times_is_idempotent_with_idless_records_and_respelled_themes(
    tmp_path, tmp_db, capsys
):
    def line(start, end, *themes, **extra):
        data = {"article_id": ART.id, "start": start, "end": end, "exact": ART.text[start:end]}
        return json.dumps({**data, "themes": list(themes), **extra}) + "\n"

    alice = tmp_path / "alice.jsonl"
    alice.write_text(line(0, 84, "Energy", "sanctions") + line(95, 259, "DIGITAL  economy"))
    bob = tmp_path / "bob.jsonl"
    bob.write_text(
        line(0, 84, "ENERGY")
        + line(95, 259, "digital economy", "Sanctions")
        + json.dumps({"record": "done", "article_id": ART.id, "at": "2024-01-01T00:00:00Z"})
        + "\n"
    )
    states, reports = [], []
    for _ in range(3):
        assert main(["merge", str(alice), str(bob), "--db", str(tmp_db), "--json"]) == 0
        reports.append(json.loads(capsys.readouterr().out))
        states.append(_store_state(tmp_db))
    assert states[0] == states[1] == states[2]
    anns, names, coverage = states[0]
    # the codebook's spelling, else the first in sorted order
    assert len(anns) == 4 and {E, D, "Sanctions"} <= set(names) and "sanctions" not in names
    assert {t for a in anns for t in json.loads(a)["themes"]} == {E, D, "Sanctions"}
    assert coverage == [
        {"article_id": ART.id, "author": "bob", "done": True, "at": "2024-01-01T00:00:00Z"}
    ]
    assert reports[0]["added"] == 4
    for report in reports[1:]:
        assert (report["added"], report["updated"], report["unchanged"]) == (0, 0, 4)
        assert report["conflicts"] == [] and report["duplicates"] == []


def test_conflict_names_the_final_winner_of_three_versions(tmp_path, tmp_db, capsys):
    v1 = ann(ART, 0, 84, E, author="alice", id="x", updated="2024-03-01T00:00:00.000Z")
    v2 = replace(v1, note="second", updated="2024-03-02T00:00:00.000Z")
    v3 = replace(v1, note="third", updated="2024-03-03T00:00:00.000Z")
    files = [export(tmp_path / f"v{i}.jsonl", [v]) for i, v in enumerate([v1, v2, v3], 1)]
    assert main(["merge", *map(str, files), "--db", str(tmp_db)]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("conflict")]
    assert len(lines) == 2 and all("kept v3.jsonl" in x for x in lines)
    assert sorted(x.split("dropped ")[1].split(" ")[0] for x in lines) == ["v1.jsonl", "v2.jsonl"]


def test_equal_update_times_resolve_the_same_whatever_the_file_order(tmp_path):
    stamp = "2024-03-01T00:00:00.000Z"
    a = replace(ann(ART, 0, 84, E, author="alice", id="x", updated=stamp), note="from a")
    b = replace(a, note="from b")
    fa, fb = export(tmp_path / "a.jsonl", [a]), export(tmp_path / "b.jsonl", [b])
    notes = set()
    for i, order in enumerate([[fa, fb], [fb, fa]]):
        db = tmp_path / f"team{i}.json"
        assert main(["merge", *map(str, order), "--db", str(db)]) == 0
        with AnnotationStore(db) as store:
            notes.add(store.get("x").note)
    assert notes == {"from b"}  # equal times: the content that sorts last (README)


def test_same_passage_twice_by_one_analyst_is_folded_and_reported(tmp_path, tmp_db, capsys):
    first = ann(ART, 0, 84, E, author="alice", id="a1", updated="2024-01-01T00:00:00.000Z")
    second = ann(ART, 0, 84, D, author="alice", id="a2", updated="2024-01-02T00:00:00.000Z")
    other = ann(ART, 0, 84, E, author="bob", id="b1")
    path = export(tmp_path / "team.jsonl", [first, second, other])
    assert main(["merge", str(path), "--db", str(tmp_db)]) == 0
    out = capsys.readouterr().out
    assert "duplicate: alice coded" in out and "merged a2 into a1" in out
    with AnnotationStore(tmp_db) as store:
        assert sorted(a.id for a in store.all()) == ["a1", "b1"]
        assert store.get("a1").themes == (E, D)
    before = _store_state(tmp_db)
    assert main(["merge", str(path), "--db", str(tmp_db)]) == 0
    out = capsys.readouterr().out
    assert "duplicate:" not in out and "conflict:" not in out and "0 new, 0 updated" in out
    assert _store_state(tmp_db) == before


def test_coverage_travels_through_jsonl_export_import_and_merge(tmp_path, tmp_db, capsys):
    with AnnotationStore(tmp_db, author="alice") as store:
        store.put_many([ann(ART, 0, 84, E, author="alice")])
        store.set_done(ART.id)
        store.set_done(CORPUS.articles[1].id)
        store.set_done(CORPUS.articles[1].id, False)  # unmarked later
    out = tmp_path / "alice.jsonl"
    assert main(["export", "--db", str(tmp_db), "-o", str(out)]) == 0
    records = [json.loads(x) for x in out.read_text().splitlines()]
    done = [r for r in records if r.get("record") == "done"]
    assert [(r["article_id"], r["done"]) for r in done] == [
        (ART.id, True),
        (CORPUS.articles[1].id, False),
    ]
    team = tmp_path / "team.json"
    assert main(["merge", str(out), "--db", str(team)]) == 0
    imported = tmp_path / "imported.json"
    assert main(["import", str(out), "--db", str(imported)]) == 0
    for db in (team, imported):
        with AnnotationStore(db, author="bob") as store:
            assert store.done_articles("alice") == {ART.id}
            assert store.done_articles() == set()
    capsys.readouterr()
    assert main(["done", "--db", str(team)]) == 0
    assert capsys.readouterr().out == f"alice 1/{len(CORPUS)} done\n"


def test_a_later_unmark_wins_over_an_older_mark_in_merge(tmp_path, tmp_db):
    def mark(path, done, at):
        rec = {"record": "done", "article_id": ART.id, "author": "alice", "done": done, "at": at}
        path.write_text(json.dumps(rec) + "\n")
        return str(path)

    old = mark(tmp_path / "old.jsonl", True, "2024-01-01T00:00:00Z")
    new = mark(tmp_path / "new.jsonl", False, "2024-02-01T00:00:00Z")
    for order in ([old, new], [new, old]):
        db = tmp_path / f"t{order[0][-9:]}.json"
        assert main(["merge", *order, "--db", str(db)]) == 0
        with AnnotationStore(db) as store:
            assert store.done_articles("alice") == set()


def test_done_command_marks_and_rejects_unknown_articles(tmp_db, capsys):
    assert main(["done", ART.id, "--db", str(tmp_db), "--author", "alice"]) == 0
    with AnnotationStore(tmp_db) as store:
        assert store.is_done(ART.id, "alice") and not store.is_done(ART.id, "bob")
    assert main(["done", "nope.txt", "--db", str(tmp_db)]) == 1
    assert "unknown article(s): nope.txt" in capsys.readouterr().err
    assert main(["done", ART.id, "--not", "--db", str(tmp_db), "--author", "alice"]) == 0
    with AnnotationStore(tmp_db) as store:
        assert not store.is_done(ART.id, "alice")


def test_marking_done_is_undoable_and_durable(tmp_db):
    with AnnotationStore(tmp_db, author="alice") as store:
        store.set_done(ART.id)
        assert store.is_done(ART.id)
        assert store.undo() is not None and not store.is_done(ART.id)
        assert store.redo() is not None and store.is_done(ART.id)
    with AnnotationStore(tmp_db, author="alice") as store:
        assert store.is_done(ART.id)
