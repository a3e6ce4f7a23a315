"""Store backends for the contract tests: each opens stores on one fresh, private data set."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest

from annotations.store.protocol import Store
from annotations.store.tinydb_store import AnnotationStore

Opener = Callable[..., Store]
"""`opener(read_only=False, author="ana")`: a store on the test's data set."""


@contextmanager
def tinydb_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    path = tmp_path / "contract.json"

    def opener(*, read_only: bool = False, author: str = "ana") -> Store:
        return AnnotationStore(path, read_only=read_only, author=author)

    yield opener


@contextmanager
def postgres_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """A fresh schema in the session's test database (fixture `pg_database`)."""
    from annotations.store.postgres import PostgresStore
    from tests.helpers.pg import new_schema_url

    url = new_schema_url(request.getfixturevalue("pg_database"))

    def opener(*, read_only: bool = False, author: str = "ana") -> Store:
        return PostgresStore(url, read_only=read_only, author=author)

    yield opener


BACKENDS: dict[str, Callable[[pytest.FixtureRequest, Path], AbstractContextManager[Opener]]] = {
    "tinydb": tinydb_backend,
    "postgres": postgres_backend,
}
