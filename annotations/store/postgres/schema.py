"""The team schema: versioned migrations (roles and row-level security included), run by `tagline team init`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotations.store.errors import StoreError
from annotations.store.postgres.connection import TeamUrl, _first_line, _psycopg, connect

if TYPE_CHECKING:
    import psycopg
# -- migrations ----------------------------------------------------------------------------

# Each entry runs once, in its own transaction, in order; `schema_version` records the last.
# Never edit a released migration: add a new one.
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "tables",
        """
        CREATE TABLE articles (
            id text PRIMARY KEY,
            sha256 text NOT NULL,
            title text NOT NULL,
            source text,
            date text,
            city text,
            meta jsonb NOT NULL DEFAULT '{}',
            text text NOT NULL
        );
        CREATE TABLE annotations (
            id text PRIMARY KEY,
            article_id text NOT NULL,
            article_sha256 text NOT NULL,
            start_offset integer NOT NULL CHECK (start_offset >= 0),
            end_offset integer NOT NULL CHECK (end_offset > start_offset),
            exact text NOT NULL,
            prefix text NOT NULL,
            suffix text NOT NULL,
            themes text[] NOT NULL CHECK (cardinality(themes) > 0),
            note text NOT NULL DEFAULT '',
            author text NOT NULL,
            created text NOT NULL,
            updated text NOT NULL,
            status text NOT NULL CHECK (status IN ('anchored', 'reanchored', 'orphaned')),
            version bigint NOT NULL DEFAULT 1
        );
        CREATE INDEX annotations_article ON annotations (article_id);
        CREATE TABLE codebook (
            id integer PRIMARY KEY CHECK (id = 1),
            themes jsonb,
            version bigint NOT NULL DEFAULT 1
        );
        INSERT INTO codebook (id, themes) VALUES (1, NULL);
        CREATE TABLE rejections (
            key text PRIMARY KEY,
            info jsonb NOT NULL DEFAULT '{}'
        );
        CREATE TABLE authors (
            db_user text PRIMARY KEY,
            author text NOT NULL
        );
        -- The name recorded on annotations: the admin's mapping, else the database user.
        CREATE FUNCTION current_author() RETURNS text
            LANGUAGE sql STABLE SET search_path FROM CURRENT
            AS $$ SELECT coalesce(
                (SELECT author FROM authors WHERE db_user = current_user), current_user::text) $$;
        """,
    ),
]
MIGRATIONS.append(
    (
        2,
        "roles and row-level security",
        # Group roles per schema (roles are server-wide): grant them to login roles.
        # analyst: read everything, change own annotations; reviewer: anyone's;
        # admin: also the codebook, the articles and the author mapping.
        """
        DO $$ BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '@schema@_analyst') THEN
                CREATE ROLE @schema@_analyst NOLOGIN;
            END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '@schema@_reviewer') THEN
                CREATE ROLE @schema@_reviewer NOLOGIN IN ROLE @schema@_analyst;
            END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '@schema@_admin') THEN
                CREATE ROLE @schema@_admin NOLOGIN IN ROLE @schema@_reviewer;
            END IF;
        END $$;
        GRANT USAGE ON SCHEMA @schema@ TO @schema@_analyst;
        GRANT SELECT ON ALL TABLES IN SCHEMA @schema@ TO @schema@_analyst;
        GRANT INSERT, UPDATE, DELETE ON annotations TO @schema@_analyst;
        GRANT INSERT, UPDATE ON rejections TO @schema@_analyst;
        GRANT UPDATE ON codebook TO @schema@_admin;
        GRANT INSERT, UPDATE, DELETE ON articles, authors TO @schema@_admin;

        CREATE FUNCTION may_review() RETURNS boolean
            LANGUAGE sql STABLE SET search_path FROM CURRENT
            AS $$ SELECT pg_has_role('@schema@_reviewer', 'MEMBER') $$;
        ALTER TABLE annotations ENABLE ROW LEVEL SECURITY;
        CREATE POLICY everyone_reads ON annotations FOR SELECT USING (true);
        CREATE POLICY own_or_reviewer_adds ON annotations FOR INSERT
            WITH CHECK (author = current_author() OR may_review());
        CREATE POLICY own_or_reviewer_changes ON annotations FOR UPDATE
            USING (author = current_author() OR may_review())
            WITH CHECK (author = current_author() OR may_review());
        CREATE POLICY own_or_reviewer_deletes ON annotations FOR DELETE
            USING (author = current_author() OR may_review());
        """,
    )
)
MIGRATIONS.append(
    (
        3,
        "status needs_review (a placement re-anchoring is not sure of)",
        """
        ALTER TABLE annotations DROP CONSTRAINT IF EXISTS annotations_status_check;
        ALTER TABLE annotations ADD CONSTRAINT annotations_status_check
            CHECK (status IN ('anchored', 'reanchored', 'needs_review', 'orphaned'));
        """,
    )
)
MIGRATIONS.append(
    (
        4,
        "coverage",
        # Articles each analyst marked done (agreement's coverage): an analyst marks their
        # own, a reviewer anyone's (a merge of exports), like annotations.
        """
        CREATE TABLE coverage (
            author text NOT NULL,
            article_id text NOT NULL,
            done boolean NOT NULL,
            at text NOT NULL,
            PRIMARY KEY (author, article_id)
        );
        GRANT SELECT, INSERT, UPDATE, DELETE ON coverage TO @schema@_analyst;
        ALTER TABLE coverage ENABLE ROW LEVEL SECURITY;
        CREATE POLICY everyone_reads ON coverage FOR SELECT USING (true);
        CREATE POLICY own_or_reviewer_adds ON coverage FOR INSERT
            WITH CHECK (author = current_author() OR may_review());
        CREATE POLICY own_or_reviewer_changes ON coverage FOR UPDATE
            USING (author = current_author() OR may_review())
            WITH CHECK (author = current_author() OR may_review());
        CREATE POLICY own_or_reviewer_deletes ON coverage FOR DELETE
            USING (author = current_author() OR may_review());
        """,
    )
)
MIGRATIONS.append(
    (
        5,
        "identity (what told a passage apart when tagged, for re-anchoring)",
        """
        ALTER TABLE annotations ADD COLUMN identity jsonb;
        """,
    )
)
LATEST = MIGRATIONS[-1][0]


def schema_version(conn: psycopg.Connection, schema: str) -> int:
    """The schema's applied migration, 0 if it has none."""
    row = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{schema}.schema_version",)
    ).fetchone()
    if not row or not row[0]:
        return 0
    got = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(got[0] or 0) if got else 0


def init_schema(url: str) -> tuple[int, int]:
    """Create or upgrade the schema; safe to run again. Returns (version before, after)."""
    team = TeamUrl.parse(url)
    psycopg = _psycopg()
    with connect(team) as conn:
        try:
            with conn.transaction():
                # One initialiser at a time; the others wait and then find nothing to do.
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (team.schema,))
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {team.schema}")
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                    "version integer PRIMARY KEY, name text NOT NULL, "
                    "applied timestamptz NOT NULL DEFAULT now())"
                )
                before = schema_version(conn, team.schema)
                for version, name, script in MIGRATIONS:
                    if version > before:
                        conn.execute(script.replace("@schema@", team.schema))
                        conn.execute(
                            "INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                            (version, name),
                        )
        except psycopg.Error as exc:
            raise StoreError(f"{team.display}: {_first_line(exc)}") from None
    return before, max(before, LATEST)
