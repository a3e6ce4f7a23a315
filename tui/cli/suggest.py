"""`tagline suggest`: sentences matching the themes' cue phrases, corpus-wide, for triage."""

from __future__ import annotations

import argparse
import json
import sys

from annotations.analysis.suggest import suggest_corpus
from tui.cli.common import CommandError, open_from_args
from tui.cli.tables import render


def register(sub, common) -> None:
    p = sub.add_parser(
        "suggest", parents=[common()], help="suggested passages from the themes' cue phrases"
    )
    p.add_argument("--theme", action="append", default=[], help="only this theme (repeatable)")
    p.add_argument("--article", action="append", default=[], help="only this article id")
    p.add_argument("--limit", type=int, default=0, metavar="N", help="show the N best")
    p.add_argument("--json", action="store_true", help="JSON lines, one suggestion each")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    ws = open_from_args(args)
    try:
        store, corpus = ws.store, ws.corpus
        themes = [store.codebook.require(t).name for t in args.theme] or None
        articles = list(corpus)
        if args.article:
            missing = [a for a in args.article if a not in corpus]
            if missing:
                raise CommandError(f"unknown article {missing[0]!r}")
            articles = [corpus[a] for a in args.article]
        found = suggest_corpus(
            articles, store.codebook, store.for_article, store.rejections(), themes=themes
        )
    finally:
        ws.close()
    if args.limit > 0:
        found = found[: args.limit]
    out = sys.stdout
    if args.json:
        for s in found:
            text = corpus[s.article_id].text
            row = {
                "article_id": s.article_id,
                "start": s.start,
                "end": s.end,
                "exact": text[s.start : s.end],
                "theme": s.theme,
                "score": s.score,
                "cue": s.cue,
                "key": s.key(text),
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        return 0
    rows = [
        [
            s.score,
            s.theme,
            s.cue,
            s.article_id,
            f"{s.start}-{s.end}",
            corpus[s.article_id].text[s.start : s.end],
        ]
        for s in found
    ]
    out.write(render(["score", "theme", "cue", "article", "span", "sentence"], rows, max_width=60))
    out.write(f"\n{len(found)} suggestion(s)\n")
    return 0
