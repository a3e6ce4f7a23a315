"""Reaching the team database: URLs, connections, one-line errors.

The only module that imports psycopg (lazily: without it Tagline says how to install it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from annotations.store.errors import StoreError

if TYPE_CHECKING:
    import psycopg
DEFAULT_SCHEMA = "tagline"
INSTALL_HINT = "team mode needs the PostgreSQL driver: pip install 'tagline[team]'"
_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,49}$")  # + "_reviewer" within 63


def is_team_url(location: object) -> bool:
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise StoreError(INSTALL_HINT) from None
    return psycopg


@dataclass(frozen=True, slots=True)
class TeamUrl:
    """A team database URL split into what libpq gets and what Tagline uses."""

    conninfo: str
    schema: str
    display: str  # without the password

    @classmethod
    def parse(cls, url: str) -> TeamUrl:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
        schema = DEFAULT_SCHEMA
        rest = []
        for key, value in query:
            if key == "schema":
                schema = value
            else:
                rest.append((key, value))
        if not _SCHEMA_RE.match(schema):
            raise StoreError(f"{url}: schema must be lower-case letters, digits and _")
        conninfo = urlunsplit(parts._replace(query=urlencode(rest)))
        netloc = parts.netloc
        if "@" in netloc:
            user, host = netloc.rsplit("@", 1)
            netloc = f"{user.split(':', 1)[0]}@{host}"
        display = urlunsplit(parts._replace(netloc=netloc))
        return cls(conninfo, schema, display)


def connect(
    url: TeamUrl, *, autocommit: bool = True, timeout: int = 5, name: str = "tagline"
) -> psycopg.Connection:
    """A connection with the schema on its search path; one-line errors."""
    psycopg = _psycopg()
    try:
        conn = psycopg.connect(
            url.conninfo, autocommit=autocommit, connect_timeout=timeout, application_name=name
        )
    except psycopg.Error as exc:
        raise StoreError(f"{url.display}: cannot connect ({_first_line(exc)})") from None
    conn.execute(f"SET search_path TO {url.schema}")
    return conn


def _one(cursor: Any) -> Any:
    """The row of a query that always returns one (psycopg types `fetchone()` as optional)."""
    row = cursor.fetchone()
    if row is None:
        raise StoreError("the database returned no row where one was expected")
    return row


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
