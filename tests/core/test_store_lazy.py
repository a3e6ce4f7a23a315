"""Opening without parsing: tables stay unparsed until read, the snapshot's index answers
counts, ids and hashes, and nothing about safety changes (checksums at opening, exact
copies at compaction, older snapshots still read and then indexed)."""

from __future__ import annotations

import json

import pytest

from annotations.store.journal import INDEX, CorruptStoreError, _crc, _encode, snapshot_bytes
from annotations.store.tinydb_store import ARTICLE_PREFIX, AnnotationStore


def _filled(path, seeds):
    arts = seeds.articles[:3]
    with AnnotationStore(path, author="ana") as s:
        tagged = [s.tag(a, 0, 10 + i, ["energy"]) for i, a in enumerate(arts)]
        tagged.append(s.tag(arts[0], 20, 40, ["Arctic route"], note="a note"))
    return arts, tagged


def _by_hand(tables: dict, meta: dict) -> bytes:
    """A checksummed snapshot laid out as `snapshot_bytes` does, every table as given."""
    parts, sums = [], []
    for name, table in tables.items():
        part = _encode(name) + b":" + _encode(table)
        parts.append(part)
        sums.append([name, len(part), _crc(part)])
    meta = {**meta, "sums": sums}
    meta["check"] = _crc(_encode(meta))
    return b",".join([b'{"_meta":{"store":' + _encode(meta) + b"}", *parts]) + b"}"


def _unparsed(store: AnnotationStore) -> set[str]:
    tables = store.storage.read()
    return {n for n in list(tables) if tables.unparsed(n) is not None}


def test_opening_parses_no_article_table_and_still_knows_every_annotation(tmp_path, seeds):
    arts, tagged = _filled(tmp_path / "db.json", seeds)
    with AnnotationStore(tmp_path / "db.json", read_only=True) as s:
        names = {ARTICLE_PREFIX + a.id for a in arts}
        assert names <= _unparsed(s)
        assert len(s) == 4 and s.annotation_count(arts[0].id) == 2
        assert s.article_ids() == sorted(a.id for a in arts)
        assert s.article_hashes() == {a.id: {a.sha256} for a in arts}
        assert names <= _unparsed(s)  # none of that parsed a table
        assert s.get(tagged[3].id) == tagged[3] and tagged[1].id in s
        assert ARTICLE_PREFIX + arts[0].id not in _unparsed(s)  # read on demand
        assert s.theme_counts(arts[1].id) == {"energy": 1}
        assert s.article_ids() == sorted(a.id for a in arts)


def test_changes_on_a_lazily_opened_store_are_kept(tmp_path, seeds):
    arts, tagged = _filled(tmp_path / "db.json", seeds)
    with AnnotationStore(tmp_path / "db.json") as s:
        s.delete(tagged[1].id)
        added = s.tag(arts[2], 30, 50, ["energy"])
        assert len(s) == 4
        s.undo()
        s.redo()
    with AnnotationStore(tmp_path / "db.json") as s:
        assert len(s) == 4 and tagged[1].id not in s and s.get(added.id) == added
        assert s.annotation_count(arts[1].id) == 0 and s.annotation_count(arts[2].id) == 2


def test_compaction_copies_unread_tables_exactly(tmp_path, seeds):
    arts, _ = _filled(tmp_path / "db.json", seeds)
    before = json.loads((tmp_path / "db.json").read_bytes())
    with AnnotationStore(tmp_path / "db.json") as s:
        s.compact()  # nothing read: every table copied as bytes
        assert {ARTICLE_PREFIX + a.id for a in arts} <= _unparsed(s)
    after = json.loads((tmp_path / "db.json").read_bytes())
    for name in before:
        if name not in ("_meta", INDEX):
            assert after[name] == before[name]
    assert after[INDEX]["snap"] == after["_meta"]["store"]["id"] != before[INDEX]["snap"]


def test_a_flipped_bit_in_an_unread_table_is_still_refused_at_opening(tmp_path, seeds):
    _filled(tmp_path / "db.json", seeds)
    path = tmp_path / "db.json"
    raw = path.read_bytes()
    at = raw.index(b"a note")
    path.write_bytes(raw[:at] + b"A" + raw[at + 1 :])
    with pytest.raises(CorruptStoreError, match="checksum mismatch"):
        AnnotationStore(path)


def test_a_snapshot_without_an_index_is_read_then_indexed_once(tmp_path, seeds):
    arts, tagged = _filled(tmp_path / "db.json", seeds)
    path = tmp_path / "db.json"
    data = json.loads(path.read_bytes())
    meta = data.pop("_meta")["store"]
    data.pop(INDEX)
    old = snapshot_bytes(data, {k: meta[k] for k in ("format", "gen", "id", "prev")})
    path.write_bytes(old)  # as the previous release wrote it: checksums, no index
    with AnnotationStore(path, read_only=True) as s:
        assert len(s) == 4 and s.get(tagged[0].id) == tagged[0]
    assert path.read_bytes() == old  # a reader never writes
    with AnnotationStore(path) as s:
        assert len(s) == 4
    assert INDEX in json.loads(path.read_bytes())
    with AnnotationStore(path, read_only=True) as s:
        assert {ARTICLE_PREFIX + a.id for a in arts} <= _unparsed(s)


def test_an_index_of_another_snapshot_is_not_trusted(tmp_path, seeds):
    arts, tagged = _filled(tmp_path / "db.json", seeds)
    path = tmp_path / "db.json"
    data = json.loads(path.read_bytes())
    meta = data.pop("_meta")["store"]
    stale = data[INDEX]
    stale["tables"][ARTICLE_PREFIX + arts[0].id] = [["ghost"], ["0" * 64]]
    stale["snap"] = "another"
    base = {k: meta[k] for k in ("format", "gen", "id", "prev")}
    path.write_bytes(_by_hand({INDEX: stale, **data}, base))
    with AnnotationStore(path, read_only=True) as s:
        assert "ghost" not in s and len(s) == 4
        assert s.article_hashes()[arts[0].id] == {arts[0].sha256}
