"""Stores left as a crash leaves them, for the journal's damage tests."""

from __future__ import annotations

from pathlib import Path

from annotations.corpus import Article, Corpus
from annotations.store.tinydb_store import AnnotationStore


def first(seeds: Corpus) -> Article:
    return seeds.articles[0]


def kill(store: AnnotationStore) -> None:
    """Leave the files as a SIGKILL would: no compaction, lock released."""
    store.storage.close()


def two_tags_killed(tmp_path: Path, seeds: Corpus) -> tuple[Path, Path, list[bytes]]:
    """A store with two tags in its journal, killed: (store path, journal, its lines)."""
    path = tmp_path / "db.json"
    s = AnnotationStore(path)
    s.tag(first(seeds), 0, 10, ["energy"])
    s.tag(first(seeds), 20, 30, ["energy"])
    kill(s)
    journal = path.with_name("db.json.journal")
    return path, journal, journal.read_bytes().split(b"\n")
