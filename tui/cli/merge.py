"""`tagline merge`: several analysts' exports into one team store, all or nothing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from annotations.analysis.merge import merge
from annotations.text.sanitize import printable
from tui.cli.common import open_from_args


def register(sub, common) -> None:
    p = sub.add_parser(
        "merge",
        parents=[common()],
        help="merge analysts' native JSONL exports into one store (all or nothing)",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="native JSONL exports")
    p.add_argument("--json", action="store_true", help="the report as one JSON object")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:

    ws = open_from_args(args, write=True)
    try:
        result = merge(args.files, ws.store, ws.corpus)
    finally:
        ws.close()
    if args.json:
        report = {
            "files": [str(f) for f in args.files],
            "read": result.read,
            "added": result.added,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "stale": result.stale,
            "done_marks": len(result.coverage),
            "duplicates": [
                {
                    "author": d.author,
                    "article_id": d.article_id,
                    "start": d.start,
                    "end": d.end,
                    "kept": d.kept,
                    "folded": list(d.folded),
                }
                for d in result.duplicates
            ],
            "conflicts": [
                {
                    "id": c.id,
                    "kept": {"source": c.kept.source, "updated": c.kept.annotation.updated},
                    "dropped": {
                        "source": c.dropped.source,
                        "updated": c.dropped.annotation.updated,
                        "annotation": c.dropped.annotation.to_dict(),
                    },
                }
                for c in result.conflicts
            ],
        }
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(result.summary(len(args.files)))
    for conflict in result.conflicts:
        print(f"conflict: {printable(conflict.describe())}")
    for dup in result.duplicates:
        print(f"duplicate: {printable(dup.describe())}")
    return 0
