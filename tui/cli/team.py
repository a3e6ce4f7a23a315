"""`tagline team`: set up a PostgreSQL team database and move texts and coding into it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotations.anchoring import reanchor_store
from annotations.corpus import load_corpus
from annotations.store.postgres import PostgresStore, init_schema, is_team_url
from annotations.store.tinydb_store import AnnotationStore
from annotations.themes import Codebook, ThemeError
from tui.cli.common import CommandError, warn


def register(sub, common) -> None:
    p = sub.add_parser("team", help="team mode: a shared PostgreSQL database")
    actions = p.add_subparsers(dest="team_command", metavar="ACTION", required=True)

    init = actions.add_parser("init", help="create or upgrade the schema (safe to re-run)")
    init.add_argument("url", metavar="URL", help="postgresql://host/dbname[?schema=NAME]")
    init.set_defaults(handler=run_init)

    publish = actions.add_parser(
        "publish", parents=[common(author=False)], help="store the corpus's articles"
    )
    publish.add_argument("url", metavar="URL")
    publish.set_defaults(handler=run_publish)

    push = actions.add_parser(
        "push",
        parents=[common(author=False)],
        help="copy a local store (--db FILE) into the team database (ids kept; re-runnable)",
    )
    push.add_argument("url", metavar="URL")
    push.set_defaults(handler=run_push)


def _url(args: argparse.Namespace) -> str:
    if not is_team_url(args.url):
        raise CommandError(f"{args.url}: not a team database URL (postgresql://host/dbname)")
    return args.url


def run_init(args: argparse.Namespace) -> int:
    before, after = init_schema(_url(args))
    if before == after:
        print(f"Schema already at version {after}; nothing to do")
    else:
        print(f"Schema upgraded from version {before} to {after}")
    return 0


def run_publish(args: argparse.Namespace) -> int:
    url = _url(args)
    if not getattr(args, "corpus", None):
        raise CommandError("name the articles to publish with --corpus DIR")
    corpus = load_corpus(args.corpus, warn=warn)
    with PostgresStore(url) as store:
        report = store.publish(corpus)
        # Texts that changed move their annotations: re-anchor once, here, for everyone.
        anchoring = reanchor_store(store, store.load_corpus())
    print(f"Published {len(corpus)} article(s): {report.message()}")
    if anchoring:
        print(f"tagline: {anchoring.message()}", file=sys.stderr)
    return 0


def run_push(args: argparse.Namespace) -> int:
    url = _url(args)
    db = getattr(args, "db", None)
    if not isinstance(db, Path):
        raise CommandError("name the local store to push with --db FILE")
    if not db.exists():
        raise CommandError(f"{db}: no such file")
    with AnnotationStore(db, read_only=True) as local, PostgresStore(url) as team:
        codebook = _merged_codebook(team.codebook, local.codebook)
        if codebook is not team.codebook:
            team.set_codebook(codebook, label="push codebook")
        anns = list(local.all())
        existing = {a.id: a for a in team.current([a.id for a in anns])}
        unchanged = sum(1 for a in anns if existing.get(a.id) == a)
        team.put_many(anns, label=f"push {db.name}", undoable=False)
        rejected = local.rejections() - team.rejections()
        for key in sorted(rejected):
            team.reject(key, pushed_from=db.name)
    added = len(anns) - len(existing)
    print(
        f"Pushed {len(anns)} annotation(s) from {db}: {added} added, "
        f"{len(existing) - unchanged} updated, {unchanged} unchanged"
    )
    return 0


def _merged_codebook(team: Codebook, local: Codebook) -> Codebook:
    """The local codebook for a fresh team database; else the team's plus local themes."""
    if team.to_list() == Codebook().to_list():
        return local
    merged = team
    for theme in local:
        if merged.get(theme.name) is not None:
            continue
        try:
            merged, _ = merged.add(theme.name, theme.color, theme.hotkey, theme.cues)
        except ThemeError:  # its hotkey is taken in the team's codebook
            merged, _ = merged.add(theme.name, theme.color, None, theme.cues)
    return merged
