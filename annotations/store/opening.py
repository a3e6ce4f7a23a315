"""Open the store a location names: a PostgreSQL URL (team mode) or a TinyDB file."""

from __future__ import annotations

import os
from pathlib import Path

from annotations.store.postgres import is_team_url
from annotations.store.protocol import Store
from annotations.store.tinydb_store import AnnotationStore, default_db_path


def resolve_location(db: str | Path | None) -> str | Path:
    """`db`, else `$TAGLINE_DB`, else the default file; URLs stay strings."""
    if db is None or db == "":
        env = os.environ.get("TAGLINE_DB", "")
        if is_team_url(env):
            return env
        return default_db_path()
    if is_team_url(db):
        return str(db)
    return Path(db).expanduser()


def open_store(
    location: str | Path,
    *,
    read_only: bool = False,
    wait: float = 0.0,
    author: str | None = None,
) -> Store:
    if is_team_url(location):
        from annotations.store.postgres import PostgresStore  # the team backend, on demand

        return PostgresStore(str(location), read_only=read_only, author=author)
    return AnnotationStore(location, read_only=read_only, wait=wait, author=author)
