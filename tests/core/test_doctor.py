"""`tagline doctor` on a hand-edited store: every problem named, safe ones repaired after a backup."""

from __future__ import annotations

import json

from annotations.store.tinydb_store import AnnotationStore
from tui.cli.main import main


def test_doctor_reports_and_repairs_hand_edited_store(tmp_path, seeds, capsys):
    db = tmp_path / "db.json"
    a0, a1 = seeds.articles[0], seeds.articles[1]
    with AnnotationStore(db) as s:
        good = s.tag(a0, 0, 7, ["energy"])
        dup = s.tag(a1, 0, 7, ["energy"])
        bad_offsets = s.tag(a1, 10, 20, ["energy"])
    data = json.loads(db.read_text())
    data[f"a:{a0.id}"]["broken"] = {"id": "broken", "start": "x"}
    data[f"a:{a0.id}"][dup.id] = {
        **data[f"a:{a1.id}"][dup.id],
        "article_id": a0.id,
        "updated": "2000-01-01T00:00:00Z",
    }
    data[f"a:{a1.id}"][bad_offsets.id]["end"] = 10**6
    data[f"a:{a1.id}"][dup.id]["themes"] = ["mystery"]
    data["a:gone.txt"] = {
        "g1": {**data[f"a:{a0.id}"][good.id], "id": "g1", "article_id": "gone.txt"}
    }
    # Edited as a program that does not know the checksums would (see test_integrity.py).
    del data["_meta"]["store"]["sums"], data["_meta"]["store"]["check"]
    db.write_text(json.dumps(data))

    # The normal path refuses the malformed record with a clear message, not a traceback.
    code = main(["export", "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1 and "malformed annotation 'broken'" in err and "doctor" in err

    code = main(["doctor", "--db", str(db)])
    out, err = capsys.readouterr()
    assert code == 1
    kinds = sorted(line.split(":")[0] for line in out.splitlines())
    # The stale duplicate also sits on text it does not quote: a mismatch too.
    assert kinds == ["dangling", "duplicate", "malformed", "mismatch", "outside", "unknown-theme"]
    assert "--repair" in err

    before = db.read_bytes()
    code = main(["doctor", "--repair", "--db", str(db)])
    out, err = capsys.readouterr()
    backups = list(tmp_path.glob("db.json.backup-*"))
    assert len(backups) == 1 and (backups[0] / "db.json").read_bytes() == before
    assert "1 problem(s) left" in err and code == 1  # the dangling one is left alone

    with AnnotationStore(db) as s:
        assert s.get("broken") is None
        assert s.get(dup.id).article_id == a1.id  # the later edit won
        assert s.get(bad_offsets.id).status == "orphaned"
        assert s.codebook.get("mystery") is not None
        assert s.get(good.id) == good


def test_doctor_ok_store(tmp_path, seeds, capsys):
    db = tmp_path / "db.json"
    with AnnotationStore(db) as s:
        s.tag(seeds.articles[0], 0, 7, ["energy"])
    assert main(["doctor", "--db", str(db)]) == 0
    assert "OK (1 annotations, 5 articles)" in capsys.readouterr().out
