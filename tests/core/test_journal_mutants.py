"""Tests written to kill surviving `store/journal.py` mutants (issue 18): salvage of a
damaged snapshot, journal record errors, set-aside names, and the snapshot write."""

from __future__ import annotations

import errno
import json
import os
import stat

import pytest

from annotations.store import journal as journal_mod
from annotations.store.journal import (
    CorruptStoreError,
    JournalStorage,
    ReadOnlyError,
    StoreLockedError,
    StoreWriteError,
)
from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.journal import first, kill, two_tags_killed


def _record(ann_id: str, article_id: object = "art") -> str:
    doc = {"id": ann_id, "article_id": article_id, "start": 0, "end": 1}
    return f'"{ann_id}":' + json.dumps(doc, separators=(",", ":"))


def _salvaged(tmp_path, raw: bytes) -> JournalStorage:
    path = tmp_path / "db.json"
    path.write_bytes(raw)
    return JournalStorage(path, read_only=True, salvage=True)


# -- salvage of a snapshot that is not valid JSON ---------------------------------------


def test_salvage_counts_each_damaged_record_and_keeps_the_good_ones(tmp_path):
    good = _record("good")
    no_article = _record("noart", article_id=5)  # an id but no usable article: dropped
    wrong_key = '"other":' + json.dumps({"id": "mismatch", "article_id": "art"})
    broken = '"cut":{"id":"cut","article_id":'  # the record is cut short
    raw = "{" + ",".join([good, no_article, wrong_key, broken]) + "\0\0"
    storage = _salvaged(tmp_path, raw.encode())
    data = storage.read()
    assert set(data) == {"a:art"} and set(data["a:art"]) == {"good"}
    assert storage.damage == [
        "snapshot: not valid JSON; kept 1 readable annotation record(s), dropped 3 damaged one(s)"
    ]


def test_salvage_reads_past_bytes_that_are_not_utf8(tmp_path):
    raw = ("{" + _record("good") + ',"bad":{"id":"bad","note":"').encode() + b"\xff\xfe" + b"\0"
    data = _salvaged(tmp_path, raw).read()
    assert set(data["a:art"]) == {"good"}


def test_salvage_keeps_the_codebook_and_the_rejections(tmp_path):
    codebook = {"codebook": {"themes": [{"name": "energy"}]}}
    rejections = {"k1": {"key": "k1"}}
    raw = (
        '"_codebook":'
        + json.dumps(codebook, separators=(",", ":"))
        + ',"_rejections":'
        + json.dumps(rejections, separators=(",", ":"))
        + ","
        + _record("good")
        + "\0"
    )
    data = _salvaged(tmp_path, raw.encode()).read()
    assert data["_codebook"] == codebook and data["_rejections"] == rejections
    assert set(data["a:art"]) == {"good"}


def test_salvage_reports_an_unreadable_codebook(tmp_path):
    raw = "{" + _record("good") + ',"_codebook":{"codebook": [1, 2,' + "\0"
    storage = _salvaged(tmp_path, raw.encode())
    assert "_codebook" not in storage.read()
    assert "table _codebook: unreadable, dropped" in storage.damage


# -- journal records that are the wrong shape -------------------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"[1, 2]", "not a JSON object"),
        (b'{"set": {"a:x": 5}}', "its tables are not JSON objects"),
        (b'{"set": {}, "drop": [1]}', "its dropped tables are not a list of names"),
        (b'{"set": {}, "drop": "a:x"}', "its dropped tables are not a list of names"),
    ],
)
def test_a_journal_record_of_the_wrong_shape_says_what_is_wrong(tmp_path, seeds, line, reason):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    kill(s)
    journal = path.with_name("db.json.journal")
    journal.write_bytes(journal.read_bytes() + line + b"\n")
    with pytest.raises(CorruptStoreError, match=rf"journal:3: damaged journal record \({reason}\)"):
        JournalStorage(path)


# -- journals set aside -----------------------------------------------------------------


def test_journals_set_aside_in_the_same_second_get_numbered_names(tmp_path, seeds, monkeypatch):
    monkeypatch.setattr(journal_mod.time, "strftime", lambda fmt: "20260102T030405")
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        s.tag(first(seeds), 0, 10, ["energy"])
    journal = path.with_name("db.json.journal")
    for content in (b'{"gen": 99, "format": 1}\n', b'{"gen": 98, "format": 1}\n'):
        journal.write_bytes(content)
        with AnnotationStore(path) as s:
            assert any("set aside" in n for n in s.notices)
    names = sorted(p.name for p in tmp_path.glob("db.json.journal.set-aside-*"))
    assert names == [
        "db.json.journal.set-aside-20260102T030405",
        "db.json.journal.set-aside-20260102T030405-2",
    ]


def test_the_set_aside_name_carries_the_date_and_time(tmp_path, seeds):
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        s.tag(first(seeds), 0, 10, ["energy"])
    path.with_name("db.json.journal").write_bytes(b'{"gen": 99, "format": 1}\n')
    with AnnotationStore(path):
        pass
    (aside,) = tmp_path.glob("db.json.journal.set-aside-*")
    stamp = aside.name.removeprefix("db.json.journal.set-aside-")
    assert len(stamp) == 15 and stamp[8] == "T" and (stamp[:8] + stamp[9:]).isdigit()


def test_a_journal_that_cannot_be_set_aside_opens_read_only_saying_why(
    tmp_path, seeds, monkeypatch
):
    path = tmp_path / "db.json"
    with AnnotationStore(path) as s:
        a = s.tag(first(seeds), 0, 10, ["energy"])
    path.with_name("db.json.journal").write_bytes(b'{"gen": 99, "format": 1}\n')

    def refuse(src, dst):
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(journal_mod.os, "rename", refuse)
    with AnnotationStore(path) as s:
        assert s.read_only and s.get(a.id) is not None
        assert "could not set aside db.json.journal" in s.storage.read_only_reason
    monkeypatch.undo()
    # Falling back released the writer's lock: the next writer gets in.
    with AnnotationStore(path) as s:
        assert not s.read_only


def test_falling_back_to_read_only_releases_the_lock(tmp_path, seeds, monkeypatch):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    kill(s)

    def full(self, payload):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(JournalStorage, "_write_snapshot", full)
    with AnnotationStore(path) as ro:
        assert ro.read_only
        monkeypatch.undo()
        with AnnotationStore(path) as writer:  # while the first is still open
            assert not writer.read_only and len(writer) == 1


# -- the snapshot write -----------------------------------------------------------------


def test_compacting_over_a_replaced_database_refuses_and_says_why(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    other = tmp_path / "other.json"
    other.write_text('{"_meta": {"store": {"format": 1, "gen": 7}}}')
    os.replace(other, path)
    with pytest.raises(StoreWriteError, match="was replaced by another program; not overwriting"):
        s.storage.compact()
    kill(s)


def test_a_failed_snapshot_write_leaves_no_temp_file(tmp_path, seeds, monkeypatch):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    temps = []

    def fail(src, dst):
        temps.append(os.path.basename(src))
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(journal_mod.os, "replace", fail)
    with pytest.raises(StoreWriteError, match="could not save"):
        s.storage.compact()
    monkeypatch.undo()
    # Hidden and named after the database while written, and removed on failure.
    assert len(temps) == 1 and temps[0].startswith(".db.json.") and temps[0].endswith(".tmp")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
    kill(s)


# -- the TinyDB storage interface: batches, drops, journal reuse -------------------------


def _fresh(tmp_path, **kwargs) -> JournalStorage:
    return JournalStorage(tmp_path / "db.json", **kwargs)


def test_the_lock_file_is_private(tmp_path, seeds):
    with AnnotationStore(tmp_path / "db.json") as s:
        s.tag(first(seeds), 0, 10, ["energy"])
        assert stat.S_IMODE((tmp_path / "db.json.lock").stat().st_mode) == 0o600


def test_a_write_outside_a_batch_is_one_durable_record(tmp_path):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}})  # TinyDB may hand back a new dict
    storage.write({"t": {"1": {"x": 1}}, "u": {"1": {"y": 2}}})
    assert storage.journal_records == 2
    storage.close()  # no compaction: the journal alone holds them
    again = _fresh(tmp_path, compact_on_open=False)
    assert again.read() == {"t": {"1": {"x": 1}}, "u": {"1": {"y": 2}}}
    again.close()


def test_a_table_left_out_of_a_write_is_dropped_for_good(tmp_path):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}, "u": {"1": {"y": 2}}})
    storage.write({"u": {"1": {"y": 2}}})
    assert storage.journal_records == 2
    storage.close()
    again = _fresh(tmp_path, compact_on_open=False)
    assert again.read() == {"u": {"1": {"y": 2}}}
    again.close()


def test_a_batch_is_one_journal_record_and_a_table_made_and_dropped_in_it_leaves_none(
    tmp_path,
):
    storage = _fresh(tmp_path)
    with storage.batch():
        storage.write({"t": {"1": {"x": 1}}})
        storage.write({"t": {"1": {"x": 1}}, "tmp": {"1": {}}})
        storage.write({"t": {"1": {"x": 1}}})
    assert storage.journal_records == 1
    journal = (tmp_path / "db.json.journal").read_bytes().split(b"\n")
    assert b'"drop"' not in journal[1] and journal[2:] == [b""]
    storage.close()


def test_assigning_a_table_its_own_value_writes_nothing(tmp_path):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}})
    data = storage.read()
    data["t"] = data["t"]  # dirty, but the same table
    storage.write(data)
    assert storage.journal_records == 1
    storage.close()


def test_compaction_resets_the_journal_count(tmp_path):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}})
    storage.compact()
    assert storage.journal_records == 0
    storage.write({"t": {"1": {"x": 2}}})
    assert storage.journal_records == 1
    storage.close()


def test_a_replayed_journal_is_appended_to_not_restarted(tmp_path, seeds):
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    a = s.tag(first(seeds), 0, 10, ["energy"])
    kill(s)
    storage = JournalStorage(path, compact_on_open=False)
    assert storage.journal_records == 1
    data = storage.read()
    storage.write({**data, "extra": {"1": {"y": 2}}})
    assert storage.journal_records == 2
    storage.close()
    lines = path.with_name("db.json.journal").read_bytes().split(b"\n")
    assert len(lines) == 4 and lines[3] == b""  # header, two records
    with AnnotationStore(path, read_only=True) as again:
        assert again.get(a.id) == a


# -- the lock, the encoding, checksums --------------------------------------------------


def test_a_second_writer_is_told_the_holders_pid(tmp_path, seeds):
    path = tmp_path / "db.json"
    with AnnotationStore(path):
        with pytest.raises(StoreLockedError) as err:
            AnnotationStore(path)
        assert str(err.value) == f"{path}: in use by another Tagline (pid {os.getpid()})"
        # A lock file holding junk: no pid named, and no crash decoding it.
        (tmp_path / "db.json.lock").write_bytes(b"\xff\xfe junk")
        with pytest.raises(StoreLockedError) as err:
            AnnotationStore(path)
        assert str(err.value) == f"{path}: in use by another Tagline"


def test_a_database_file_renamed_over_while_locking_is_locked_again(tmp_path, monkeypatch):
    path = tmp_path / "db.json"
    real = os.stat
    swapped = []

    def stat_once_swapped(p, *args, **kwargs):
        st = real(p, *args, **kwargs)
        if os.fspath(p) == os.fspath(path) and not swapped:
            swapped.append(p)  # as if a compaction renamed a new file in just now
            return os.stat_result((st.st_mode, st.st_ino + 1, *tuple(st)[2:10]))
        return st

    monkeypatch.setattr(journal_mod.os, "stat", stat_once_swapped)
    storage = JournalStorage(path)
    monkeypatch.undo()
    assert swapped and not storage.read_only
    storage.write({"t": {"1": {"x": 1}}})
    storage.close()


def test_text_is_stored_as_utf8_and_a_lone_surrogate_survives(tmp_path):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"note": "a note ✓"}, "2": {"note": "half \ud800 pair"}}})
    storage.compact()
    storage.close()
    raw = (tmp_path / "db.json").read_bytes()
    raw.decode("utf-8")  # valid UTF-8 whatever went in
    again = _fresh(tmp_path)
    assert again.read()["t"] == {"1": {"note": "a note ✓"}, "2": {"note": "half \ud800 pair"}}
    again.close()
    # Without the surrogate the file is plain UTF-8, not \\u escapes.
    plain = _fresh(tmp_path / "plain")
    plain.write({"t": {"1": {"note": "a note ✓"}}})
    plain.compact()
    plain.close()
    assert "a note ✓".encode() in (tmp_path / "plain" / "db.json").read_bytes()


def test_a_snapshot_nested_too_deeply_is_reported_not_a_crash(tmp_path):
    path = tmp_path / "db.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(CorruptStoreError, match="not valid JSON: nested too deeply"):
        JournalStorage(path)


def test_a_snapshot_whose_checksum_list_is_gone_is_caught(tmp_path):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}})
    storage.compact()
    storage.close()
    path = tmp_path / "db.json"
    data = json.loads(path.read_bytes())
    del data["_meta"]["store"]["sums"]  # "check" left: the meta record was damaged
    path.write_text(json.dumps(data))
    with pytest.raises(CorruptStoreError, match="checksum mismatch in _meta"):
        JournalStorage(path)


def test_an_unreadable_journal_is_reported(tmp_path):
    path = tmp_path / "db.json"
    (tmp_path / "db.json.journal").mkdir()
    with pytest.raises(CorruptStoreError, match=r"db\.json\.journal: cannot read: "):
        JournalStorage(path)


def test_a_journal_already_folded_is_replaced_on_opening(tmp_path):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}})
    storage.compact()
    storage.write({"t": {"1": {"x": 2}}})
    journal = tmp_path / "db.json.journal"
    old = journal.read_bytes()
    storage.compact()  # the crash comes after the rename, before the fresh journal
    storage.close()
    journal.write_bytes(old)
    again = _fresh(tmp_path)
    assert again.read()["t"] == {"1": {"x": 2}} and not again.notices
    head = json.loads(journal.read_bytes().split(b"\n")[0])
    assert head["gen"] == again.gen and head["snap"] == again.snap_id
    again.close()


def test_a_reader_refuses_writes_with_a_plain_message(tmp_path):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}})
    storage.close()
    reader = _fresh(tmp_path, read_only=True)
    with pytest.raises(ReadOnlyError) as err:
        reader.write({"t": {"1": {"x": 2}}})
    assert str(err.value) == f"{tmp_path / 'db.json'}: opened read-only, the change was not saved"
    assert reader.read() == {"t": {"1": {"x": 1}}}


# -- opening: read-only disks, readers racing a compaction, odd snapshots ----------------


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES, errno.ENOSPC])
def test_a_folder_that_cannot_be_written_opens_read_only(tmp_path, monkeypatch, code):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}})
    storage.close()

    def refuse(path):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(journal_mod, "ensure_private_dir", refuse)
    again = _fresh(tmp_path)
    assert again.read_only and again.read() == {"t": {"1": {"x": 1}}}
    assert "cannot write beside it" in again.read_only_reason
    again.close()


def test_any_other_error_making_the_folder_is_raised(tmp_path, monkeypatch):
    def broken(path):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(journal_mod, "ensure_private_dir", broken)
    with pytest.raises(OSError, match="Input/output error"):
        _fresh(tmp_path)


def test_a_reader_racing_a_compaction_tries_again(tmp_path, monkeypatch):
    path = tmp_path / "db.json"
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}})
    storage.compact()
    storage.write({"t": {"1": {"x": 2}}})  # journal of generation 1
    storage.close()
    new = path.read_bytes()
    path.write_bytes(b"")  # the reader sees the old (generation 0) snapshot first...
    naps = []

    def nap(seconds):
        naps.append(seconds)
        path.write_bytes(new)  # ...and the writer's rename lands while it waits

    monkeypatch.setattr(journal_mod.time, "sleep", nap)
    reader = _fresh(tmp_path, read_only=True)
    assert naps and reader.read()["t"] == {"1": {"x": 2}} and not reader.notices
    reader.close()


def test_an_unreadable_database_file_is_reported(tmp_path):
    (tmp_path / "db.json").mkdir()
    with pytest.raises(CorruptStoreError, match=r"db\.json: cannot read the database: "):
        _fresh(tmp_path, read_only=True)


def test_salvage_drops_tables_that_are_not_objects(tmp_path):
    storage = _salvaged(tmp_path, b'{"t": 5, "u": {"1": {"x": 1}}}')
    assert storage.read() == {"u": {"1": {"x": 1}}}
    assert storage.damage == ["table t: not a JSON object, dropped"]
    with pytest.raises(CorruptStoreError, match="not a Tagline database"):
        _salvaged(tmp_path, b"[1, 2]")


def test_a_meta_table_without_a_store_record_opens(tmp_path):
    path = tmp_path / "db.json"
    path.write_text('{"_meta": {}, "t": {"1": {"x": 1}}}')
    storage = JournalStorage(path, read_only=True)
    assert storage.gen == 0 and storage.read()["t"] == {"1": {"x": 1}}


def test_a_newer_database_format_is_refused(tmp_path):
    path = tmp_path / "db.json"
    path.write_text('{"_meta": {"store": {"format": 2, "gen": 1}}}')
    with pytest.raises(CorruptStoreError, match="database format 2 is not supported"):
        JournalStorage(path, read_only=True)


def test_a_journal_of_another_copy_is_set_aside_without_rewriting_the_database(tmp_path):
    storage = _fresh(tmp_path)
    storage.write({"t": {"1": {"x": 1}}})
    storage.compact()
    storage.close()
    journal = tmp_path / "db.json.journal"
    journal.write_bytes(b'{"gen": 1, "format": 1, "snap": "someoneelse"}\n')
    again = _fresh(tmp_path)
    assert again.gen == 1  # set aside, nothing to fold: no new generation
    (notice,) = again.notices
    assert notice.startswith(
        f"{journal}: it belongs to another copy of the database file; set aside as "
    )
    again.close()


def test_an_empty_line_inside_the_journal_is_damage(tmp_path, seeds):
    path, journal, lines = two_tags_killed(tmp_path, seeds)
    journal.write_bytes(b"\n".join([lines[0], lines[1], b"", *lines[2:]]))
    with pytest.raises(
        CorruptStoreError, match=r"journal:3: damaged journal record \(empty record\)"
    ):
        JournalStorage(path)


@pytest.mark.parametrize("meta", ['{"format": 1, "gen": 1, "prev": 5}', '{"format": 1, "gen": -1}'])
def test_a_damaged_meta_record_is_refused_and_salvage_resets_it(tmp_path, meta):
    path = tmp_path / "db.json"
    path.write_text('{"_meta": {"store": ' + meta + '}, "t": {"1": {"x": 1}}}')
    with pytest.raises(CorruptStoreError, match="its `_meta` record is damaged"):
        JournalStorage(path, read_only=True)
    storage = JournalStorage(path, read_only=True, salvage=True)
    assert storage.read() == {"t": {"1": {"x": 1}}} and storage.gen == 0
    assert storage.damage == ["`_meta`: damaged; generation reset"]


def test_a_generation_zero_snapshot_opens(tmp_path):
    path = tmp_path / "db.json"
    path.write_text('{"_meta": {"store": {"format": 1, "gen": 0}}, "t": {"1": {"x": 1}}}')
    assert JournalStorage(path, read_only=True).read()["t"] == {"1": {"x": 1}}


@pytest.mark.parametrize(
    ("tables", "named"),
    [(5, r"(t\d, ){4}t\d; "), (7, r"(t\d, ){4}t\d and 2 more; ")],
)
def test_checksum_errors_name_five_tables_and_count_the_rest(tmp_path, tables, named):
    storage = _fresh(tmp_path)
    storage.write({f"t{i}": {"1": {"x": "aaaa"}} for i in range(tables)})
    storage.compact()
    storage.close()
    path = tmp_path / "db.json"
    path.write_bytes(path.read_bytes().replace(b'"aaaa"', b'"bbbb"'))
    with pytest.raises(CorruptStoreError, match=f"checksum mismatch in {named}"):
        JournalStorage(path, read_only=True)
