"""Shared fixtures: the bundled seed corpus and a fresh store per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from annotations.corpus import Corpus, load_corpus
from annotations.store.tinydb_store import AnnotationStore
from tests.helpers.factories import make_article

# CI runs the property tests on a fixed sequence of examples, so a build never fails by
# luck; on a developer's machine they explore new examples on every run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """Never touch the developer's real database, cache or author name."""
    monkeypatch.setenv("TAGLINE_DB", str(tmp_path / "default-db" / "tagline.json"))
    monkeypatch.setenv("TAGLINE_AUTHOR", "tester")
    monkeypatch.setenv("TAGLINE_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def seeds() -> Corpus:
    return load_corpus()


@pytest.fixture
def store(tmp_path):
    s = AnnotationStore(tmp_path / "db.json", author="tester")
    yield s
    s.close()


@pytest.fixture
def small_corpus() -> Corpus:
    return Corpus(
        [
            make_article("a.txt", "x" * 100, "2023-01-15"),
            make_article("b.txt", "y" * 200, "2023-03-02"),
            make_article("c.txt", "z" * 100, None),
        ]
    )


@pytest.fixture
def tmp_db(tmp_path) -> Path:
    return tmp_path / "tagline.json"


@pytest.fixture(scope="session")
def pg_database():
    """URL of a private PostgreSQL database for this test session (skips without a server)."""
    from tests.helpers.pg import create_database, drop_database

    url, name = create_database()
    yield url
    drop_database(name)
