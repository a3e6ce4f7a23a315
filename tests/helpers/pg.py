"""A private PostgreSQL database for the test session, a fresh schema per test.

`$TAGLINE_TEST_PG` names the server (default: the local one, as on the development and
CI machines); tests that need it skip, saying why, when it cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

ADMIN_URL = os.environ.get("TAGLINE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def with_database(url: str, dbname: str, query: str = "") -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}", query=query))


def create_database() -> tuple[str, str]:
    """(URL of a new empty database, its name); skips the test when there is no server."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'tagline[team]')")
    name = f"tagline_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreachable"
        pytest.skip(f"no PostgreSQL server at {ADMIN_URL} ({first}); set $TAGLINE_TEST_PG")
    return with_database(ADMIN_URL, name), name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def new_schema_url(database_url: str) -> str:
    """A URL naming a fresh schema (created by `team init`) in the test database."""
    from annotations.store.postgres import init_schema

    url = f"{database_url}?schema=t_{uuid.uuid4().hex[:10]}"
    init_schema(url)
    return url
