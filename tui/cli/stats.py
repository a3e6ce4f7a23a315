"""`tagline stats`: where each theme stands across the corpus."""

from __future__ import annotations

import argparse
import json
import sys
from itertools import combinations

from annotations.analysis.stats import compute
from tui.cli.common import open_from_args
from tui.cli.tables import render


def register(sub, common) -> None:
    p = sub.add_parser(
        "stats", parents=[common(author=False)], help="per-theme figures, co-occurrence, timeline"
    )
    p.add_argument(
        "--across-authors",
        action="store_true",
        help="co-occurrence across analysts (default: within each analyst's annotations)",
    )
    p.add_argument("--json", action="store_true", help="the same figures as one JSON object")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    ws = open_from_args(args)
    try:
        stats = compute(
            ws.store.all(),
            ws.corpus,
            ws.store.codebook.names(),
            across_authors=args.across_authors,
        )
    finally:
        ws.close()
    out = sys.stdout
    if args.json:
        json.dump(stats.to_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    names = stats.theme_names
    out.write(
        f"{stats.annotations} annotation(s) in {len(stats.articles)} of {len(ws.corpus)} "
        f"article(s); {stats.corpus_characters} characters in the corpus\n\n"
    )
    out.write("Themes\n")
    out.write(
        render(
            ["theme", "annotations", "articles", "characters", "share %", "first", "last"],
            [
                [
                    t.theme,
                    t.annotations,
                    t.articles,
                    t.characters,
                    round(100 * t.share, 2),
                    t.first_date,
                    t.last_date,
                ]
                for t in stats.themes
            ],
        )
        + "\n\n"
    )
    if stats.articles:
        out.write("Articles × themes\n")
        out.write(
            render(
                ["article", "date", *names, "theme uses", "annotations"],
                [
                    [
                        r.article_id,
                        r.date,
                        *(r.counts.get(n, 0) for n in names),
                        r.total,
                        r.annotations,
                    ]
                    for r in stats.articles
                ],
            )
            + "\n\n"
        )
    if len(names) > 1:
        scope = "across analysts" if stats.across_authors else "within each analyst"
        out.write(f"Co-occurrence ({scope})\n")
        out.write(
            render(
                ["theme", "with", "overlapping", "same article"],
                [
                    [a, b, stats.overlap.get((a, b), 0), stats.same_article.get((a, b), 0)]
                    for a, b in combinations(names, 2)
                ],
            )
            + "\n\n"
        )
    if stats.months:
        out.write("Over time (annotations per month)\n")
        out.write(
            render(
                ["month", *names],
                [[m, *(stats.by_month.get(n, {}).get(m, 0) for n in names)] for m in stats.months],
            )
            + "\n"
        )
    return 0
