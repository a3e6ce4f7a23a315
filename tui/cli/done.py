"""`tagline done`: mark articles done (coverage), or show each analyst's progress."""

from __future__ import annotations

import argparse
import json
import sys

from annotations.coverage import progress
from annotations.text.sanitize import printable
from tui.cli.common import CommandError, open_from_args


def register(sub, common) -> None:
    p = sub.add_parser(
        "done",
        parents=[common()],
        help="mark articles done for --author (agreement reads coverage); no ARTICLE: progress",
    )
    p.add_argument("articles", nargs="*", metavar="ARTICLE", help="article ids")
    p.add_argument("--not", dest="undone", action="store_true", help="unmark instead")
    p.add_argument("--json", action="store_true", help="progress as one JSON object")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    ws = open_from_args(args, write=bool(args.articles))
    try:
        unknown = [a for a in args.articles if a not in ws.corpus]
        if unknown:
            raise CommandError(f"unknown article(s): {printable(', '.join(unknown))}")
        for article_id in dict.fromkeys(args.articles):
            ws.store.set_done(article_id, not args.undone)
        if args.articles:
            state = "not done" if args.undone else "done"
            print(f"{ws.store.author}: {len(set(args.articles))} article(s) marked {state}")
            return 0
        authors = [a for a in ws.store.authors() if a]
        rows = progress(ws.store.coverage(), [a.id for a in ws.corpus], authors)
        if args.json:
            data = {"articles": len(ws.corpus), "progress": {p.author: p.done for p in rows}}
            json.dump(data, sys.stdout, ensure_ascii=False)
            sys.stdout.write("\n")
        else:
            for row in rows:
                print(printable(row.describe()))
    finally:
        ws.close()
    return 0
