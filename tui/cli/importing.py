"""`tagline import`: annotations in, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotations.formats import FORMATS, ImportContext, get_format
from annotations.formats.checks import decode_input, read_input
from annotations.formats.new_articles import NewArticles, corpus_root
from annotations.formats.units import UNITS
from tui.cli.common import CommandError, open_from_args, warn


def register(sub, common) -> None:
    p = sub.add_parser("import", parents=[common()], help="import annotations (all or nothing)")
    p.add_argument("file", help="file to read, or - for stdin")
    readable = sorted(name for name, f in FORMATS.items() if f.reader is not None)
    p.add_argument(
        "-f",
        "--format",
        default="jsonl",
        choices=readable,
        metavar="FORMAT",
        help=f"input format: {', '.join(readable)} (default: jsonl)",
    )
    p.add_argument(
        "--add-articles",
        type=Path,
        metavar="DIR",
        help="write each text no article has as a new article in DIR (inside a --corpus folder)",
    )
    p.add_argument(
        "--offsets",
        choices=UNITS,
        help="doccano: the unit the file's offsets count (default: detected per record)",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    fmt = get_format(args.format)
    if fmt.reader is None:
        raise CommandError(f"format {fmt.name} cannot be imported")
    ws = open_from_args(args, write=True)
    try:
        new = None
        if args.add_articles is not None:
            root = corpus_root(args.add_articles, ws.corpus_paths)
            if root is None:
                raise CommandError(
                    f"{args.add_articles}: --add-articles needs a folder inside the corpus "
                    "(give the corpus folder with --corpus)"
                )
            new = NewArticles(args.add_articles, root, ws.corpus)
        name = "<stdin>" if args.file == "-" else args.file
        ctx = ImportContext(
            ws.corpus,
            ws.store.author,
            name,
            options={"offsets": args.offsets},
            warn=warn,
            add_article=new,
        )
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        annotations = read_input(fmt.reader, decode_input(raw, name), ctx)
        if new is not None and new.pending:
            written = new.write()
            print(f"Added {len(written)} article(s) to {args.add_articles}", file=sys.stderr)
        added, updated = ws.store.put_many(annotations, coverage=ctx.coverage)
        marks = f"; {len(ctx.coverage)} done mark(s)" if ctx.coverage else ""
        print(
            f"Imported {added + updated} annotation(s): {added} new, {updated} updated{marks}",
            file=sys.stderr,
        )
    finally:
        ws.close()
    return 0
