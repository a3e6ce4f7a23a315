"""`tagline doctor`: check the store against the corpus; `--repair` fixes what is safe."""

from __future__ import annotations

import argparse
import sys

from annotations.doctor import check, repair
from annotations.store.tinydb_store import AnnotationStore
from annotations.text.sanitize import printable
from tui.cli.common import CommandError, open_from_args


def register(sub, common) -> None:
    p = sub.add_parser("doctor", parents=[common()], help="check (and repair) the database")
    p.add_argument("--repair", action="store_true", help="fix what is safe to fix, after a backup")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    # Examine the records as they are: re-anchoring would need them well-formed.
    ws = open_from_args(args, write=args.repair, reanchor=False, salvage=True)
    if not isinstance(ws.store, AnnotationStore):
        ws.close()
        raise CommandError(
            f"{ws.store.location}: doctor checks Tagline's own files; "
            "a team database keeps its integrity by its constraints"
        )
    try:
        problems = check(ws.store, ws.corpus)
        total = len({article_id for article_id, _, _ in ws.store.raw_records()})
        for p in problems:
            print(p.line())
        if not problems:
            print(f"{ws.store.path}: OK ({len(ws.store)} annotations, {len(ws.corpus)} articles)")
            return 0
        print(
            f"{len(problems)} problem(s) in {ws.store.path} ({total} annotated articles)",
            file=sys.stderr,
        )
        if not args.repair:
            if any(p.repair for p in problems):
                print(
                    "Run `tagline doctor --repair` to fix those marked [repair: …].",
                    file=sys.stderr,
                )
            return 1
        saved = repair(ws.store, ws.corpus, problems)
        if saved:
            print(f"Backup written to {printable(str(saved))}", file=sys.stderr)
    finally:
        ws.close()
    with AnnotationStore(ws.store.path, read_only=True) as again:
        left = [p for p in check(again, ws.corpus)]
    print(f"Repaired; {len(left)} problem(s) left (left alone on purpose)", file=sys.stderr)
    return 0 if not left else 1
