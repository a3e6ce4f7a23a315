"""Team mode on PostgreSQL: `tagline team init/publish/push`, `--db URL`, versions, undo.

Runs against the machine's PostgreSQL server (see `tests/helpers/pg.py`); skips, saying
why, where none is reachable.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
import zipfile

import pytest

from annotations.corpus import load_corpus, seeds_path
from annotations.formats import FORMATS
from annotations.store.errors import StaleEditError, StoreError
from annotations.store.postgres import PostgresStore
from annotations.store.protocol import Change
from annotations.store.tinydb_store import AnnotationStore
from annotations.workspace import open_workspace
from tests.helpers.pg import new_schema_url, schema_url
from tui.cli.main import main

E, D = "energy", "digital economy"


@pytest.fixture
def url(pg_database) -> str:
    return new_schema_url(pg_database)


@pytest.fixture
def seeds_corpus():
    return load_corpus()


def make_local(path, corpus):
    """A local TinyDB store with two authors, a note, a custom theme and a rejection."""
    a, b = corpus.articles[0], corpus.articles[1]
    with AnnotationStore(path, author="alice") as s:
        s.add_theme("sea ice", "#336699", cues=("ice",))
        s.tag(a, 0, 40, [E, "sea ice"], note='first ✓ "quoted"')
        s.tag(a, 50, 90, [D])
        s.tag(b, 10, 30, ["sea ice"])
        s.reject("some-key", theme=E, article_id=a.id)
    with AnnotationStore(path, author="bob") as s:
        s.tag(b, 10, 60, [E])
    return path


def test_init_is_rerunnable(pg_database, capsys):
    url = schema_url(pg_database, f"t_twice_{os.getpid()}")
    assert main(["team", "init", url]) == 0
    assert "upgraded from version 0" in capsys.readouterr().out
    assert main(["team", "init", url]) == 0
    assert "nothing to do" in capsys.readouterr().out


def test_opening_an_uninitialised_schema_says_what_to_run(pg_database, capsys):
    url = schema_url(pg_database, "t_never_made")
    assert main(["list", "--db", url]) == 1
    err = capsys.readouterr().err
    assert "tagline team init" in err and err.count("\n") == 1


def test_unreachable_server_is_one_line(capsys):
    url = "postgresql://nobody@127.0.0.1:1/none"
    assert main(["list", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tagline: error: postgresql://nobody@127.0.0.1:1/none: cannot connect")
    assert err.count("\n") == 1


def test_missing_driver_says_how_to_install(monkeypatch, url, capsys):
    real_import = builtins.__import__

    def no_psycopg(name, *args, **kwargs):
        if name == "psycopg" or name.startswith("psycopg."):
            raise ImportError("No module named 'psycopg'")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "psycopg", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_psycopg)
    assert main(["list", "--db", url]) == 1
    assert "pip install 'tagline[team]'" in capsys.readouterr().err


def test_publish_push_and_export_equal_the_tinydb_export(tmp_path, url, seeds_corpus, capsys):
    local = make_local(tmp_path / "local.json", seeds_corpus)
    seeds = str(seeds_path())
    assert main(["team", "publish", "--corpus", seeds, url]) == 0
    assert "5 added" in capsys.readouterr().out
    assert main(["team", "publish", "--corpus", seeds, url]) == 0
    assert "0 added, 0 updated, 5 unchanged" in capsys.readouterr().out
    assert main(["team", "push", "--db", str(local), url]) == 0
    assert "4 added, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert main(["team", "push", "--db", str(local), url]) == 0  # idempotent
    assert "0 added, 0 updated, 4 unchanged" in capsys.readouterr().out
    with PostgresStore(url) as team, AnnotationStore(local, read_only=True) as mine:
        assert list(team.all()) == list(mine.all())  # ids, authors, timestamps kept
        assert team.codebook.to_list() == mine.codebook.to_list()
        assert team.rejections() == {"some-key"}
    for name, fmt in sorted(FORMATS.items()):
        if fmt.writer is None:
            continue
        mine_out, team_out = tmp_path / f"mine.{name}", tmp_path / f"team.{name}"
        args = ["export", "-f", name, "-o"]
        assert main([*args, str(mine_out), "--db", str(local), "--corpus", seeds]) == 0
        assert main([*args, str(team_out), "--db", url]) == 0
        if name == "qdpx":  # a zip stamped with the export's time: compare what it holds
            assert _unstamped(team_out) == _unstamped(mine_out)
        else:
            assert team_out.read_bytes() == mine_out.read_bytes(), name


def _unstamped(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {
            n: re.sub(rb'creationDateTime="[^"]*"', b"", z.read(n)) for n in sorted(z.namelist())
        }


def test_tagline_db_environment_variable_selects_team_mode(url, seeds_corpus, monkeypatch):
    assert main(["team", "publish", "--corpus", str(seeds_path()), url]) == 0
    monkeypatch.setenv("TAGLINE_DB", url)
    ws = open_workspace()
    try:
        assert isinstance(ws.store, PostgresStore)
        assert [a.id for a in ws.corpus] == [a.id for a in seeds_corpus]
        first = ws.corpus.articles[0]
        assert first.text == seeds_corpus.articles[0].text  # fetched from the database
        assert first.sha256 == seeds_corpus.articles[0].sha256
    finally:
        ws.close()


def test_a_stale_edit_is_refused_and_the_fresh_state_read(url, seeds_corpus):
    art = seeds_corpus.articles[0]
    with PostgresStore(url, author="alice") as alice, PostgresStore(url, author="bob") as bob:
        a = alice.tag(art, 0, 40, [E])
        seen_by_bob = bob.for_article(art.id)[0]
        alice.set_note(a.id, "alice's note")
        with pytest.raises(StaleEditError, match="changed by someone else"):
            bob.set_themes(seen_by_bob.id, [D])
        # Nothing was overwritten, and bob now reads alice's version.
        assert bob.for_article(art.id)[0].note == "alice's note"
        assert alice.get(a.id).themes == (E,)
        bob.set_themes(a.id, [D])  # on the fresh version it goes through
        # Alice's reader keeps what it shows until the notification comes (live);
        # whatever she edits on that older version is refused like bob's was.
        assert alice.get(a.id).themes == (E,)
        with pytest.raises(StaleEditError):
            alice.set_note(a.id, "on an old version")
        assert alice.get(a.id).themes == (D,) and alice.get(a.id).note == "alice's note"


def test_undo_is_of_ones_own_changes_and_refused_when_overtaken(url, seeds_corpus):
    art = seeds_corpus.articles[0]
    with PostgresStore(url, author="alice") as alice, PostgresStore(url, author="bob") as bob:
        a = alice.tag(art, 0, 40, [E])
        b = bob.tag(art, 50, 90, [D])
        assert bob.undo() == f"tag {D}"  # bob's undo takes back bob's tag only
        assert b.id not in alice and a.id in alice
        assert not bob.can_undo
        bob.set_note(a.id, "bob was here")
        with pytest.raises(StaleEditError):
            alice.undo()  # alice's tag was changed by bob since: not silently deleted
        assert bob.get(a.id).note == "bob was here"


def test_client_generated_ids_make_a_retry_idempotent(url, seeds_corpus):
    art = seeds_corpus.articles[0]
    with PostgresStore(url) as one, PostgresStore(url) as two:
        first = one.tag(art, 0, 40, [E], id="client-id-1")
        # The same change sent again (as after a lost reply): applied once, no error.
        two.put_many([first], undoable=False)
        assert len(one) == 1 and one.get("client-id-1") == first
        # A different annotation claiming that id is a conflict, not an overwrite.
        other = first.touched(themes=(D,))
        with pytest.raises(StaleEditError, match="already exists"):
            two._write(Change("tag", [], [other]))  # an insert, as `tag` sends it
        assert one.get("client-id-1") == first


def test_doctor_refuses_a_team_database(url, capsys):
    assert main(["doctor", "--db", url]) == 1
    assert "team database" in capsys.readouterr().err


def test_push_needs_a_local_file(url, capsys):
    assert main(["team", "push", url]) == 1
    assert "--db FILE" in capsys.readouterr().err


def test_store_error_type_for_bad_schema_name(pg_database):
    with pytest.raises(StoreError, match="schema must be"):
        PostgresStore(f"{pg_database}?schema=Bad-Name")


def test_an_edit_starts_from_the_version_the_caller_read(url, seeds_corpus):
    """Read, someone else changes it, then edit: refused (no lost update on read-modify-write)."""
    art = seeds_corpus.articles[0]
    with PostgresStore(url, author="alice") as alice, PostgresStore(url, author="bob") as bob:
        a = bob.tag(art, 0, 40, [E])
        seen = alice.get(a.id)  # one annotation, not its whole article
        bob.set_note(a.id, "bob's")
        with pytest.raises(StaleEditError):
            alice.set_note(a.id, seen.note + " alice's")
        assert bob.get(a.id).note == "bob's"


def test_the_search_index_reads_team_texts_a_batch_per_query(url, seeds_corpus, monkeypatch):
    """Building the index over published articles: one text query per batch, not per
    article (100,000 round trips at scale), with progress as before."""
    import psycopg

    from annotations.search import engine

    assert main(["team", "publish", "--corpus", str(seeds_path()), url]) == 0
    monkeypatch.setattr(engine, "TEXT_BATCH", 2)
    queries: list[str] = []
    real = psycopg.Connection.execute

    def execute(self, query, *args, **kwargs):
        queries.append(str(query))
        return real(self, query, *args, **kwargs)

    with PostgresStore(url, author="alice") as store:
        corpus = store.load_corpus()
        monkeypatch.setattr(psycopg.Connection, "execute", execute)
        seen: list[tuple[int, int]] = []
        index = engine.SearchIndex.build(corpus.articles, lambda d, t: seen.append((d, t)))
        monkeypatch.setattr(psycopg.Connection, "execute", real)
    texts = [q for q in queries if "text FROM articles" in q]
    assert len(corpus) == 5 and len(texts) == 3  # batches of 2, 2 and 1
    assert all("ANY" in q for q in texts)
    assert seen[-1] == (5, 5)
    assert [a.text for a in corpus] == [a.text for a in seeds_corpus]
    word = seeds_corpus.articles[0].text.split()[5]
    local = engine.SearchIndex.build(seeds_corpus.articles)
    assert [h.article_id for h in index.search(word)] == [h.article_id for h in local.search(word)]
