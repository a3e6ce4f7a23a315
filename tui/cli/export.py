"""`tagline export`: annotations out, in any registered format, to stdout or a file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotations.export import ExportFilters, prepare_export
from annotations.formats import FORMATS
from tui.cli.common import CommandError, open_from_args, warn


def register(sub, common) -> None:
    # Here --author filters by author; export creates nothing, so no author of its own.
    p = sub.add_parser("export", parents=[common(author=False)], help="export annotations")
    p.add_argument(
        "-f",
        "--format",
        default="jsonl",
        choices=sorted(FORMATS),
        metavar="FORMAT",
        help=f"output format: {', '.join(sorted(FORMATS))} (default: jsonl)",
    )
    p.add_argument("--theme", action="append", default=[], help="only these themes (repeatable)")
    p.add_argument("--article", action="append", default=[], help="only these article ids")
    p.add_argument(
        "--author", dest="only_author", action="append", default=[], help="only these authors"
    )
    p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    p.add_argument("--bom", action="store_true", help="csv: start with a UTF-8 BOM (for Excel)")
    p.add_argument(
        "--offsets",
        choices=("utf16", "codepoints", "graphemes"),
        help="doccano: the unit offsets count (default utf16, as doccano counts)",
    )
    p.add_argument(
        "--uri",
        metavar="TEMPLATE",
        help="hypothesis: the page address of each article; {id} is the article id",
    )
    p.add_argument(
        "--align",
        choices=("expand", "contract", "strict"),
        help="spacy: make spans that cut a word token-aligned (as Doc.char_span's modes)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    filters = ExportFilters.of(args.theme, args.article, args.only_author)
    ws = open_from_args(args)
    try:
        options = {"bom": args.bom, "offsets": args.offsets, "align": args.align, "uri": args.uri}
        job = prepare_export(ws, args.format, filters, options=options, warn=warn)
        if args.output is None:
            if job.format.binary:
                if sys.stdout.isatty():
                    raise CommandError(f"format {job.format.name} is binary: use -o FILE")
                job.write_stream(sys.stdout.buffer)
            else:
                job.write_stream(sys.stdout)
            sys.stdout.flush()
        else:
            count = job.write_to(args.output)
            print(f"Wrote {count} annotation(s) to {args.output}", file=sys.stderr)
    finally:
        ws.close()
    return 0
