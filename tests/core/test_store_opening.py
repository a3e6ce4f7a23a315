"""Which store a location opens (`annotations.store.opening`): a file or a PostgreSQL URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.store import opening, postgres
from annotations.store.opening import open_store, resolve_location
from annotations.store.tinydb_store import AnnotationStore, default_db_path

URL = "postgresql://team@db.example/coding"


@pytest.mark.parametrize("db", [None, ""])
def test_no_location_is_the_environment_url_else_the_default_file(monkeypatch, tmp_path, db):
    monkeypatch.delenv("TAGLINE_DB", raising=False)
    assert resolve_location(db) == default_db_path()
    monkeypatch.setenv("TAGLINE_DB", str(tmp_path / "env.json"))
    assert resolve_location(db) == tmp_path / "env.json"
    monkeypatch.setenv("TAGLINE_DB", URL)
    assert resolve_location(db) == URL


def test_a_given_location_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("TAGLINE_DB", URL)
    assert resolve_location("postgres://other/db") == "postgres://other/db"
    assert resolve_location("~/coding.json") == Path.home() / "coding.json"
    assert resolve_location(Path("rel.json")) == Path("rel.json")


def recorder(calls: list):
    def make(name):
        def store(*args, **kwargs):
            calls.append((name, args, kwargs))
            return name

        return store

    return make


def test_open_store_passes_the_options_to_the_store_the_location_names(monkeypatch, tmp_path):
    calls: list = []
    make = recorder(calls)
    monkeypatch.setattr(postgres, "PostgresStore", make("postgres"))  # loaded on demand
    monkeypatch.setattr(opening, "AnnotationStore", make("tinydb"))
    assert open_store(URL, read_only=True, wait=2.0, author="ann") == "postgres"
    path = tmp_path / "db.json"
    assert open_store(path, read_only=True, wait=2.0, author="ann") == "tinydb"
    assert open_store(path) == "tinydb"
    assert calls == [
        ("postgres", (URL,), {"read_only": True, "author": "ann"}),
        ("tinydb", (path,), {"read_only": True, "wait": 2.0, "author": "ann"}),
        ("tinydb", (path,), {"read_only": False, "wait": 0.0, "author": None}),
    ]


def test_open_store_on_a_file_is_a_tinydb_store(tmp_path):
    store = open_store(tmp_path / "db.json", author="ann")
    try:
        assert isinstance(store, AnnotationStore)
        assert (store.path, store.author, store.read_only) == (tmp_path / "db.json", "ann", False)
    finally:
        store.close()


def test_a_tinydb_start_does_not_load_the_team_backend():
    """The team store, its network thread and COPY code load only for a postgresql:// URL."""
    import subprocess
    import sys

    code = (
        "import sys, tui.cli.main, annotations.workspace;"
        "print(sorted(m for m in sys.modules if m.startswith('annotations.store.postgres')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['annotations.store.postgres', 'annotations.store.postgres.connection']"
