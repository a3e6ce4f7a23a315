"""Shared fixtures: the bundled seed corpus and a fresh store per test."""

from __future__ import annotations

import pytest

from annotations.corpus import Corpus, load_corpus
from annotations.store import AnnotationStore


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch, tmp_path):
    """Never touch the developer's real database or author name."""
    monkeypatch.setenv("TAGLINE_DB", str(tmp_path / "default-db" / "tagline.json"))
    monkeypatch.setenv("TAGLINE_AUTHOR", "tester")


@pytest.fixture(scope="session")
def seeds() -> Corpus:
    return load_corpus()


@pytest.fixture
def store(tmp_path):
    s = AnnotationStore(tmp_path / "db.json", author="tester")
    yield s
    s.close()
