"""`tagline list`: the articles of the corpus."""

from __future__ import annotations

import argparse
import json
import sys

from annotations.text.sanitize import printable
from tui.cli.common import open_from_args


def register(sub, common) -> None:
    p = sub.add_parser("list", parents=[common()], help="list the articles of the corpus")
    p.add_argument("--json", action="store_true", help="JSON lines with metadata and counts")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    ws = open_from_args(args)
    try:
        summary = ws.store.summary()
        done = ws.store.done_articles()
        out = sys.stdout
        for article in ws.corpus:
            counts = summary.get(article.id, {})
            if args.json:
                row = {
                    "id": article.id,
                    "title": article.title,
                    "path": printable(str(article.path)),
                    "sha256": article.sha256,
                    **article.metadata(),
                    "annotations": ws.store.annotation_count(article.id),
                    "themes": dict(sorted(counts.items())),
                    "done": article.id in done,
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                meta = " · ".join(v for v in (article.source, article.date) if v)
                marks = ", ".join(f"{t} {n}" for t, n in sorted(counts.items()))
                # Names come from the corpus folder: no byte of them reaches the terminal raw.
                line = f"{printable(article.id)}\t{printable(article.title)}"
                if meta:
                    line += f"\t({printable(meta)})"
                if marks:
                    line += f"\t[{printable(marks)}]"
                if article.id in done:
                    line += "\tdone"
                out.write(line + "\n")
    finally:
        ws.close()
    return 0
