"""`tagline import`: annotations in, all or nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from annotations.formats import FORMATS, ImportContext, get_format
from annotations.formats.checks import decode_input, read_input
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
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    fmt = get_format(args.format)
    if fmt.reader is None:
        raise CommandError(f"format {fmt.name} cannot be imported")
    ws = open_from_args(args, write=True)
    try:
        name = "<stdin>" if args.file == "-" else args.file
        ctx = ImportContext(ws.corpus, ws.store.author, name, warn=warn)
        raw = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
        annotations = read_input(fmt.reader, decode_input(raw, name), ctx)
        added, updated = ws.store.put_many(annotations)
        print(
            f"Imported {added + updated} annotation(s): {added} new, {updated} updated",
            file=sys.stderr,
        )
    finally:
        ws.close()
    return 0
