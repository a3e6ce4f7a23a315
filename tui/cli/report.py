"""`tagline report`: the codebook, every coded segment and the figures, as one document."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotations import report
from annotations.atomic import atomic_write
from annotations.formats import select
from tui.cli.common import CommandError, open_from_args


def register(sub, common) -> None:
    p = sub.add_parser(
        "report",
        parents=[common(author=False)],
        help="write a report: codebook, coded segments, figures (Markdown or HTML)",
        description="Write the codebook with every coded segment, counts per theme and "
        "article and the dashboard's figures as one document. HTML is self-contained "
        "(charts as inline SVG, no network).",
    )
    p.add_argument("--theme", action="append", default=[], help="only these themes (repeatable)")
    p.add_argument("--author", dest="only_author", help="only this author's annotations")
    p.add_argument(
        "-f", "--format", default="md", choices=report.FORMATS, help="md or html (default: md)"
    )
    p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    ws = open_from_args(args)
    try:
        for theme in args.theme:
            ws.store.codebook.require(theme)
        authors = [args.only_author] if args.only_author else []
        anns = list(select(ws.annotations(), themes=args.theme, authors=authors))
        doc, count = report.render(
            anns,
            ws.corpus,
            ws.store.codebook,
            args.format,
            themes=args.theme,
            author=args.only_author,
        )
    finally:
        ws.close()
    if args.output is None:
        sys.stdout.write(doc)
        sys.stdout.flush()
    else:
        atomic_write(args.output, lambda fh: fh.write(doc))
        print(f"Wrote a report of {count} coded segment(s) to {args.output}", file=sys.stderr)
    if count == 0 and (args.theme or args.only_author):
        raise CommandError("no coded segments match these filters (the report lists none)")
    return 0
