"""Roles and row-level security in the team database, enforced by PostgreSQL itself.

Each person logs in as their own role: an analyst changes only their own annotations,
a reviewer anyone's, only an admin the codebook. The hand-written SQL below goes through
the analyst's own connection, as someone bypassing Tagline would.
"""

from __future__ import annotations

import uuid

import pytest

from annotations.corpus import load_corpus
from annotations.store.errors import NotAllowedError
from annotations.store.postgres import PostgresStore, TeamUrl
from tests.helpers.pg import create_login, new_schema_url

E, D = "energy", "digital economy"
ART = load_corpus().articles[0]


@pytest.fixture
def team(pg_database):
    """Owner URL and login URLs for alice and bob (analysts), rita (reviewer), ada (admin)."""
    url = new_schema_url(pg_database)
    tag = uuid.uuid4().hex[:6]
    logins = {
        who: create_login(url, f"u{tag}_{who}", group)
        for who, group in (
            ("alice", "analyst"),
            ("bob", "analyst"),
            ("rita", "reviewer"),
            ("ada", "admin"),
            ("nobody", None),
        )
    }
    with PostgresStore(url) as owner:
        # The admin maps database users to the names recorded on annotations.
        owner._sql(
            "INSERT INTO authors (db_user, author) VALUES (%s, 'alice'), (%s, 'bob')",
            (f"u{tag}_alice", f"u{tag}_bob"),
        )
    return url, logins, tag


def sql_as(login_url: str):
    import psycopg

    conn = psycopg.connect(TeamUrl.parse(login_url).conninfo, autocommit=True)
    conn.execute(f"SET search_path TO {TeamUrl.parse(login_url).schema}")
    return conn


def test_author_is_the_database_user_unless_mapped(team):
    url, logins, tag = team
    with PostgresStore(logins["alice"]) as alice, PostgresStore(logins["rita"]) as rita:
        assert alice.author == "alice"  # mapped by the admin
        assert rita.author == f"u{tag}_rita"  # not mapped: the login name
        assert alice.tag(ART, 0, 20, [E]).author == "alice"


def test_analyst_changes_only_their_own_through_tagline(team):
    url, logins, _ = team
    with PostgresStore(logins["alice"]) as alice, PostgresStore(logins["bob"]) as bob:
        mine = alice.tag(ART, 0, 20, [E])
        theirs = bob.tag(ART, 30, 60, [D])
        alice.set_note(mine.id, "mine to change")
        with pytest.raises(NotAllowedError, match="only your own"):
            alice.set_note(theirs.id, "not mine")
        with pytest.raises(NotAllowedError):
            alice.delete(theirs.id)
        with pytest.raises(NotAllowedError):  # a record claiming another author
            alice.put_many([theirs.touched(note="sneaky")])
        assert bob.get(theirs.id) == theirs


def test_analyst_cannot_change_anothers_annotation_with_hand_written_sql(team):
    import psycopg

    url, logins, tag = team
    with PostgresStore(logins["bob"]) as bob:
        theirs = bob.tag(ART, 30, 60, [D])
    with PostgresStore(logins["alice"]) as alice:
        mine = alice.tag(ART, 0, 20, [E])
    conn = sql_as(logins["alice"])
    try:
        # Row-level security hides bob's row from alice's UPDATE and DELETE.
        for statement in (
            "UPDATE annotations SET note = 'hacked' WHERE id = %s",
            "UPDATE annotations SET author = 'alice' WHERE id = %s",
            "DELETE FROM annotations WHERE id = %s",
        ):
            assert conn.execute(statement, (theirs.id,)).rowcount == 0
        refused = (
            # Inserting under another's name, or giving one's own row away.
            (
                "INSERT INTO annotations (id, article_id, article_sha256, start_offset, "
                "end_offset, exact, prefix, suffix, themes, author, created, updated, status) "
                "VALUES ('forged', 'a', 's', 0, 1, 'x', '', '', '{energy}', 'bob', '', '', "
                "'anchored')"
            ),
            f"UPDATE annotations SET author = 'bob' WHERE id = '{mine.id}'",
            # Mapping oneself to another author, changing the codebook, lifting the policy.
            "INSERT INTO authors (db_user, author) VALUES (current_user, 'bob')",
            "UPDATE authors SET author = 'alice' WHERE author = 'bob'",
            "UPDATE codebook SET themes = NULL",
            "DELETE FROM articles",
            "ALTER TABLE annotations DISABLE ROW LEVEL SECURITY",
            "DROP POLICY own_or_reviewer_changes ON annotations",
        )
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    finally:
        conn.close()
    with PostgresStore(url) as owner:
        assert owner.get(theirs.id) == theirs and owner.get(mine.id).author == "alice"
        assert "forged" not in owner and owner.author != "bob"


def test_reviewer_may_change_anyones(team):
    url, logins, _ = team
    with PostgresStore(logins["bob"]) as bob:
        theirs = bob.tag(ART, 30, 60, [D])
    with PostgresStore(logins["rita"]) as rita:
        assert rita.set_note(theirs.id, "reviewed").note == "reviewed"
        with pytest.raises(NotAllowedError, match="only an admin"):
            rita.add_theme("new theme")
    conn = sql_as(logins["rita"])
    try:
        assert conn.execute("DELETE FROM annotations WHERE id = %s", (theirs.id,)).rowcount == 1
    finally:
        conn.close()


def test_only_an_admin_changes_the_codebook(team):
    url, logins, _ = team
    with PostgresStore(logins["alice"]) as alice:
        with pytest.raises(NotAllowedError, match="only an admin may change the codebook"):
            alice.add_theme("sea ice")
        assert alice.codebook.get("sea ice") is None
        with PostgresStore(logins["ada"]) as ada:
            ada.add_theme("sea ice")
        alice.reload_codebook()
        assert alice.codebook.get("sea ice") is not None


def test_a_user_without_a_tagline_role_reads_nothing(team):
    url, logins, _ = team
    with pytest.raises(NotAllowedError):
        PostgresStore(logins["nobody"])
