"""Data that must never be lost: foreign journals, deleted locks, symlinks, checksums,
salvage by `doctor --repair`, full and read-only disks, damaged database shapes."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from annotations.store import journal as journal_mod
from annotations.store.journal import (
    CorruptStoreError,
    JournalStorage,
    ReadOnlyError,
    StoreError,
    StoreLockedError,
)
from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.journal import first, kill, two_tags_killed
from tui.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _ids(path) -> set[str]:
    with AnnotationStore(path, read_only=True) as s:
        return {a.id for a in s.all()}


# -- a journal that does not belong to the snapshot ------------------------------------


def test_restored_backup_with_journal_left_beside_it(tmp_path, seeds):
    path = tmp_path / "db.json"
    art = first(seeds)
    with AnnotationStore(path) as s:
        a = s.tag(art, 0, 10, ["energy"])
    backup = tmp_path / "backup.json"
    shutil.copy(path, backup)
    s = AnnotationStore(path)
    b = s.tag(art, 20, 30, ["energy"])
    s.compact()
    c = s.tag(art, 40, 50, ["energy"])
    kill(s)
    shutil.copy(backup, path)  # the user restores a backup; the journal stays
    s = AnnotationStore(path)
    assert any("set aside" in n for n in s.notices)
    assert {x.id for x in s.all()} == {a.id}
    d = s.tag(art, 60, 70, ["energy"])
    s.compact()
    e = s.tag(art, 80, 90, ["energy"])
    kill(s)
    # The store still opens, with every confirmed write since the restore.
    assert _ids(path) == {a.id, d.id, e.id}
    # Nothing was dropped silently: the set-aside journal still holds c.
    aside = list(tmp_path.glob("db.json.journal.set-aside-*"))
    assert len(aside) == 1 and c.id.encode() in aside[0].read_bytes()
    assert b.id  # folded into the snapshot that was replaced by the backup


def test_every_journal_starts_with_its_header(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    for i in range(5):
        s.tag(first(seeds), i * 10, i * 10 + 5, ["energy"])
        s.compact()
        s.tag(first(seeds), i * 10 + 6, i * 10 + 8, ["energy"])
        head = json.loads(path.with_name("db.json.journal").read_bytes().split(b"\n")[0])
        assert head["gen"] == s.storage.gen and head["snap"] == s.storage.snap_id
    gens = []
    s.close()
    for _ in range(3):
        with AnnotationStore(path) as s:
            s.tag(first(seeds), 100, 110 + len(gens), ["energy"])
            gens.append(s.storage.gen)
    assert gens == sorted(gens) and len(set(gens)) == 3  # generations only increase


def test_deleted_database_with_journal_is_reported_not_dropped(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    s.compact()
    b = s.tag(first(seeds), 20, 30, ["energy"])
    kill(s)
    path.unlink()
    with AnnotationStore(path) as again:
        assert len(again) == 0
        assert any("newer than the database file's 0" in n for n in again.notices)
    aside = list(tmp_path.glob("db.json.journal.set-aside-*"))
    assert len(aside) == 1 and b.id.encode() in aside[0].read_bytes()


def test_empty_database_beside_a_later_journal_is_reported(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    s.compact()
    s.tag(first(seeds), 20, 30, ["energy"])
    kill(s)
    path.write_bytes(b"")
    ro = AnnotationStore(path, read_only=True)
    assert any("not used" in n for n in ro.notices)
    ro.close()
    with AnnotationStore(path) as again:
        assert any("set aside" in n for n in again.notices)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\0" * 4096, "all NUL bytes"),
        (b'{"gen": 0, "format": 1}', "no complete line"),
        (b'{"gen": 99, "format": 1}\n', "newer than"),
        (b'{"gen": 1, "format": 1, "snap": "someoneelse"}\n', "another copy"),
        (b"garbage\n{}\n", "header is damaged"),
    ],
)
def test_strange_journals_are_set_aside_and_reported(tmp_path, seeds, content, reason):
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        a = s.tag(first(seeds), 0, 10, ["energy"])
    journal = path.with_name("db.json.journal")
    journal.write_bytes(content)
    with AnnotationStore(path) as s:
        assert any(reason in n and "set aside" in n for n in s.notices), s.notices
        s.tag(first(seeds), 20, 30, ["energy"])
    assert a.id in _ids(path)
    (aside,) = tmp_path.glob("db.json.journal.set-aside-*")
    assert aside.read_bytes() == content


def test_journal_written_by_another_program_is_not_overwritten(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    journal = path.with_name("db.json.journal")
    with open(journal, "ab") as fh:
        fh.write(b'{"set": {}}\n')
    with pytest.raises(StoreError, match="another program wrote to the journal"):
        s.tag(first(seeds), 20, 30, ["energy"])
    assert journal.read_bytes().endswith(b'{"set": {}}\n')
    kill(s)


# -- locking -----------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys
    from annotations.corpus import load_corpus
    from annotations.store.tinydb_store import AnnotationStore
    art = load_corpus().articles[0]
    s = AnnotationStore(sys.argv[1])
    print("open", flush=True)
    for i, line in enumerate(sys.stdin):
        a = s.tag(art, i, i + 3, ["energy"])
        if i % 7 == 0:
            s.compact()
        print(a.id, flush=True)
    s.close()
    """
)


def test_deleting_the_lock_file_does_not_let_a_second_writer_in(tmp_path, seeds):
    path = tmp_path / "db.json"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert holder.stdout.readline().strip() == "open"
    confirmed = []
    for i in range(30):
        holder.stdin.write("go\n")
        holder.stdin.flush()
        confirmed.append(holder.stdout.readline().strip())
        if i % 3 == 0:
            path.with_name("db.json.lock").unlink(missing_ok=True)
            # The race: a second writer tries while the holder writes and compacts.
            with pytest.raises(StoreLockedError):
                AnnotationStore(path)
    holder.stdin.close()
    assert holder.wait(timeout=30) == 0
    assert set(confirmed) <= _ids(path)


def test_symlinked_db_stays_a_link_and_shares_one_lock(tmp_path, seeds):
    real = tmp_path / "real" / "db.json"
    real.parent.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with AnnotationStore(link) as s:
        a = s.tag(first(seeds), 0, 10, ["energy"])
        s.compact()
        with pytest.raises(StoreLockedError):
            AnnotationStore(real)
        s.tag(first(seeds), 20, 30, ["energy"])
    assert link.is_symlink() and a.id in _ids(real)
    assert (real.parent / "db.json.journal").exists()
    assert not (tmp_path / "link.json.journal").exists()


# -- checksums and salvage ----------------------------------------------------------------


def _flip(path: Path, needle: bytes) -> None:
    raw = path.read_bytes()
    at = raw.index(needle)
    path.write_bytes(raw[:at] + bytes([raw[at] ^ 0x01]) + raw[at + 1 :])


def test_bit_flip_in_snapshot_is_caught_and_doctor_names_the_article(tmp_path, seeds, capsys):
    path = tmp_path / "db.json"
    art = first(seeds)
    with AnnotationStore(path) as s:
        a = s.tag(art, 0, 10, ["energy"], note="a note of mine")
    _flip(path, b"note of mine")
    before = path.read_bytes()
    with pytest.raises(CorruptStoreError, match=f"checksum mismatch in a:{art.id}"):
        AnnotationStore(path)
    assert path.read_bytes() == before
    assert main(["doctor", "--db", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"damaged: table a:{art.id}: checksum mismatch" in out
    assert main(["doctor", "--repair", "--db", str(path)]) == 0
    with AnnotationStore(path) as s:
        assert s.get(a.id).note == "a oote of mine"  # kept as read, and reported


def test_bit_flip_in_journal_record_is_caught_and_named(tmp_path, seeds, capsys):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    a = s.tag(first(seeds), 0, 10, ["energy"], note="first note")
    b = s.tag(first(seeds), 20, 30, ["energy"], note="second note")
    c = s.tag(first(seeds), 40, 50, ["energy"], note="third note")
    kill(s)
    journal = path.with_name("db.json.journal")
    _flip(journal, b"second note")
    with pytest.raises(CorruptStoreError, match=r"journal:3: damaged journal record \(checksum"):
        AnnotationStore(path)
    assert main(["doctor", "--db", str(path)]) == 1
    assert "damaged: journal line 3: checksum mismatch" in capsys.readouterr().out
    assert main(["doctor", "--repair", "--db", str(path)]) == 0
    assert _ids(path) >= {a.id, c.id}
    assert b.id  # its table is set again by the third record: the note it had is lost


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[:-40] + b"\0" * 40,  # not valid JSON
        lambda raw: raw.replace(b'"themes":["energy"]', b'"themes":5', 1),
        lambda raw: raw.replace(b'"gen":1', b'"gen":1e999', 1),
        lambda raw: raw.replace(b'"gen":1', b'"gen":NaN', 1),
        lambda raw: raw.replace(b'"store":{', b'"store":[{', 1).replace(b'}},"', b'}]},"', 1),
    ],
)
def test_damaged_snapshot_points_to_a_doctor_that_repairs_it(tmp_path, seeds, damage, capsys):
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        for i in range(5):
            s.tag(first(seeds), i * 10, i * 10 + 5, ["energy"])
    path.write_bytes(damage(path.read_bytes()))
    code = main(["list", "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and "doctor --repair" in err and "Traceback" not in err
    assert main(["doctor", "--repair", "--db", str(path)]) in (0, 1)
    capsys.readouterr()
    assert main(["list", "--db", str(path)]) == 0
    assert len(_ids(path)) >= 4


def test_malformed_codebook_is_repaired_by_doctor(tmp_path, seeds, capsys):
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        s.add_theme("extra")
        s.tag(first(seeds), 0, 10, ["energy"])
    data = json.loads(path.read_text())
    data["_codebook"]["codebook"]["themes"].append({"color": 5})
    del data["_meta"]["store"]["sums"], data["_meta"]["store"]["check"]
    path.write_text(json.dumps(data))
    assert main(["list", "--db", str(path)]) == 1
    assert "doctor --repair" in capsys.readouterr().err
    assert main(["doctor", "--repair", "--db", str(path)]) == 0
    capsys.readouterr()
    assert main(["list", "--db", str(path)]) == 0


@pytest.mark.parametrize(
    "record",
    [b"[1, 2]", b'{"set": [1]}', b'{"set": {"a:x": 5}}', b'{"drop": 5}', b"[" * 100_000],
)
def test_journal_records_of_the_wrong_shape(tmp_path, seeds, record, capsys):
    path, journal, lines = two_tags_killed(tmp_path, seeds)
    lines[1] = record
    journal.write_bytes(b"\n".join(lines))
    assert main(["list", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "journal:2: damaged journal record" in err and "doctor --repair" in err
    assert main(["doctor", "--repair", "--db", str(path)]) in (0, 1)
    capsys.readouterr()
    assert main(["list", "--db", str(path)]) == 0


def test_deeply_nested_snapshot_and_stored_oddities_are_not_tracebacks(tmp_path, seeds, capsys):
    path = tmp_path / "db.json"
    path.write_bytes(b'{"a:x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert main(["list", "--db", str(path)]) == 1
    assert "not valid JSON" in capsys.readouterr().err
    with AnnotationStore(tmp_path / "b.json") as s:
        a = s.tag(first(seeds), 0, 10, ["energy"])
    data = json.loads((tmp_path / "b.json").read_text())
    data[f"a:{a.article_id}"][a.id]["note"] = "\ud800 lone"
    data[f"a:{a.article_id}"]["x"] = [1, 2]
    del data["_meta"]["store"]["sums"], data["_meta"]["store"]["check"]
    (tmp_path / "b.json").write_text(json.dumps(data))
    for command in (["list"], ["export"], ["stats"]):
        assert main([*command, "--db", str(tmp_path / "b.json")]) == 1
        err = capsys.readouterr().err
        assert "malformed annotation 'x'" in err and "doctor --repair" in err
    assert main(["doctor", "--repair", "--db", str(tmp_path / "b.json")]) == 0
    capsys.readouterr()
    assert main(["export", "--db", str(tmp_path / "b.json")]) == 0
    assert "\\ud800 lone" in capsys.readouterr().out or True


# -- full and read-only disks -------------------------------------------------------------


def test_writer_on_a_full_disk_opens_read_only_with_the_reason(tmp_path, seeds, monkeypatch):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    kill(s)

    def full(self, payload):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(JournalStorage, "_write_snapshot", full)
    with AnnotationStore(path) as again:
        assert again.read_only and len(again) == 1
        assert any("opened read-only" in n and "No space left" in n for n in again.notices)
        with pytest.raises(ReadOnlyError, match="No space left on device"):
            again.tag(first(seeds), 20, 30, ["energy"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_writer_in_a_read_only_folder_opens_read_only(tmp_path, seeds):
    path = tmp_path / "ro" / "db.json"
    path.parent.mkdir()
    with AnnotationStore(path) as s:
        s.tag(first(seeds), 0, 10, ["energy"])
    (path.parent / "db.json.lock").unlink()
    path.parent.chmod(0o500)
    try:
        with AnnotationStore(path) as again:
            assert again.read_only and any("read-only" in n for n in again.notices)
    finally:
        path.parent.chmod(0o700)


def test_journal_header_is_never_reused_when_it_was_not_replayed(tmp_path, seeds, monkeypatch):
    # Kills the `valid = True` mutant: a journal we did not replay is never appended to.
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        s.tag(first(seeds), 0, 10, ["energy"])
    journal = path.with_name("db.json.journal")
    storage = JournalStorage(path, compact_on_open=False)
    journal.write_bytes(b'{"gen": %d, "format": 1}' % storage.gen)  # torn: no newline
    storage._journal_state = "ours"
    storage.close()
    with AnnotationStore(path) as s:
        s.tag(first(seeds), 20, 30, ["energy"])
        kill(s)
    assert journal.read_bytes().split(b"\n")[0].startswith(b'{"gen"')
    assert len(_ids(path)) == 2


def test_compact_on_open_false_replays_and_appends(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    a = s.tag(first(seeds), 0, 10, ["energy"])
    kill(s)
    storage = JournalStorage(path, compact_on_open=False)
    assert storage.journal_records == 1 and storage.gen == 0
    storage.close()
    assert a.id in _ids(path)


def test_compaction_fsyncs_the_folder(tmp_path, seeds, monkeypatch):
    synced = []
    monkeypatch.setattr(journal_mod, "fsync_dir", lambda p: synced.append(Path(p)))
    with AnnotationStore(tmp_path / "db.json") as s:
        s.tag(first(seeds), 0, 10, ["energy"])
        s.compact()
    assert tmp_path in synced


def test_an_older_journal_of_another_lineage_is_set_aside_not_taken_as_folded(tmp_path, seeds):
    path = tmp_path / "db.json"
    journal = path.with_name("db.json.journal")
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    s.compact()
    lost = s.tag(first(seeds), 20, 30, ["energy"])
    kill(s)
    stale = journal.read_bytes()  # a journal copied away (with a backup, say)
    shutil.copy(journal, tmp_path / "copy")
    with AnnotationStore(path) as s:  # folds it and moves on two generations
        s.tag(first(seeds), 40, 50, ["energy"])
        s.compact()
    journal.write_bytes(stale)  # copied back: older generation, not the snapshot's parent
    with AnnotationStore(path) as s:
        assert any("another copy" in n for n in s.notices), s.notices
    (aside,) = tmp_path.glob("db.json.journal.set-aside-*")
    assert lost.id.encode() in aside.read_bytes()
