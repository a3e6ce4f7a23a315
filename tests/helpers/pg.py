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


# Roles are server-wide, not per database: those made by tests are dropped at the end.
_roles: list[str] = []


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        # The database held every grant to these roles, so they can go now.
        while _roles:
            conn.execute(f"DROP ROLE IF EXISTS {_roles.pop()}")


def schema_url(database_url: str, schema: str) -> str:
    """The URL of `schema` in the test database; its group roles are dropped at the end."""
    _roles.extend(f"{schema}_{group}" for group in ("analyst", "reviewer", "admin"))
    return f"{database_url}?schema={schema}"


def new_schema_url(database_url: str) -> str:
    """A URL naming a fresh schema (created by `team init`) in the test database."""
    from annotations.store.postgres import init_schema

    url = schema_url(database_url, f"t_{uuid.uuid4().hex[:10]}")
    init_schema(url)
    return url


def create_login(url: str, name: str, group: str | None) -> str:
    """A login role (in the schema's `group`, if any); returns `url` connecting as it."""
    import psycopg

    from annotations.store.postgres import TeamUrl

    schema = TeamUrl.parse(url).schema
    _roles.append(name)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")
        if group:
            conn.execute(f"GRANT {schema}_{group} TO {name}")
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{name}@{host}"))
