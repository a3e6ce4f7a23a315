"""`tagline search`: fuzzy, typo-tolerant passage search across the corpus."""

from __future__ import annotations

import argparse
import json
import sys

from annotations.search.engine import SearchIndex, format_result_json
from annotations.text.sanitize import printable
from tui.cli.common import CommandError, open_from_args


def register(sub, common) -> None:
    p = sub.add_parser(
        "search",
        parents=[common()],
        help="fuzzy search across all articles",
        description=(
            "Typo-tolerant search. Filters inside the query: theme:NAME, -theme:NAME, "
            'theme:"two words", article:ID-or-title, note: (search annotation notes).'
        ),
    )
    p.add_argument("query", nargs="+", help="what to look for")
    p.add_argument("--limit", type=int, default=10, help="results to show (default 10)")
    p.add_argument("--json", action="store_true", help="JSON lines with offsets and scores")
    p.add_argument(
        "--theme", action="append", default=[], help="only inside passages with this theme"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    if args.limit < 1:
        raise CommandError("--limit must be at least 1")
    ws = open_from_args(args)
    try:
        for theme in args.theme:
            ws.store.codebook.require(theme)
        query = " ".join(args.query)
        query += "".join(f' theme:"{t}"' for t in args.theme)
        index = SearchIndex.cached(ws.corpus, ws.cache_dir)
        results = index.search(query, limit=args.limit, annotations=ws.store.for_article)
        out = sys.stdout
        for r in results:
            if args.json:
                out.write(json.dumps(format_result_json(r), ensure_ascii=False) + "\n")
            else:
                passage = " ".join(r.text.split())
                head = f"{r.article_id}:{r.start}-{r.end}  {r.article_title}"
                out.write(f"{r.score:5.1f}  {printable(head)}\n")
                out.write(f"       {printable(passage)}\n")
        if not results and not args.json:
            print("No matches.", file=sys.stderr)
    finally:
        ws.close()
    return 0
