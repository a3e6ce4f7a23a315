"""`tagline export`: annotations out, in any registered format, to stdout or a file."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from pathlib import Path

from annotations.formats import FORMATS, ExportContext, get_format, select
from tui.cli.common import CommandError, open_from_args, warn


def register(sub, common) -> None:
    # Here --author filters by author; export creates nothing, so no author of its own.
    p = sub.add_parser("export", parents=[common(author=False)], help="export annotations")
    p.add_argument("-f", "--format", default="jsonl", choices=sorted(FORMATS), help="output format")
    p.add_argument("--theme", action="append", default=[], help="only these themes (repeatable)")
    p.add_argument("--article", action="append", default=[], help="only these article ids")
    p.add_argument(
        "--author", dest="only_author", action="append", default=[], help="only these authors"
    )
    p.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    p.add_argument("--bom", action="store_true", help="csv: start with a UTF-8 BOM (for Excel)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    fmt = get_format(args.format)
    if fmt.writer is None:
        raise CommandError(f"format {fmt.name} cannot be exported")
    ws = open_from_args(args)
    try:
        for theme in args.theme:
            ws.store.codebook.require(theme)
        anns = select(
            ws.annotations(), themes=args.theme, articles=args.article, authors=args.only_author
        )
        coverage = tuple(
            d
            for d in ws.store.coverage()
            if (not args.article or d.article_id in args.article)
            and (not args.only_author or d.author in args.only_author)
        )
        ctx = ExportContext(ws.corpus, ws.store.codebook, {"bom": args.bom}, warn, coverage)
        if args.output is None:
            if fmt.binary:
                if sys.stdout.isatty():
                    raise CommandError(f"format {fmt.name} is binary: use -o FILE")
                count = fmt.writer(anns, sys.stdout.buffer, ctx)
            else:
                count = fmt.writer(anns, sys.stdout, ctx)
            sys.stdout.flush()
        else:
            count = write_file(args.output, lambda fh: fmt.writer(anns, fh, ctx), fmt.binary)
            print(f"Wrote {count} annotation(s) to {args.output}", file=sys.stderr)
    finally:
        ws.close()
    return 0


def write_file(path: Path, writer, binary: bool = False) -> int:
    """Stream into a temp file beside `path`, fsync, rename: no half-written exports."""
    path = path.expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        mode = {"mode": "wb"} if binary else {"mode": "w", "encoding": "utf-8", "newline": "\n"}
        with os.fdopen(fd, **mode) as fh:
            count = writer(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return count
