"""`tagline agreement`: inter-annotator agreement between the authors of a (team) store."""

from __future__ import annotations

import argparse
import json
import sys

from annotations.analysis.agreement import OVERALL, UNITS, agreement
from annotations.text.sanitize import printable
from tui.cli.common import CommandError, open_from_args
from tui.cli.tables import render


def register(sub, common) -> None:
    p = sub.add_parser(
        "agreement",
        parents=[common(author=False)],
        help="Cohen's kappa, Krippendorff's alpha and span F1 between authors",
    )
    p.add_argument("--unit", choices=sorted(UNITS), default="sentence", help="unit of kappa/alpha")
    p.add_argument("--json", action="store_true", help="the figures as one JSON object")
    p.set_defaults(handler=run)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}".replace("-0.000", "0.000")


def run(args: argparse.Namespace) -> int:

    ws = open_from_args(args)
    try:
        report = agreement(
            ws.store.all(), ws.corpus, unit=args.unit, themes=ws.store.codebook.names()
        )
    finally:
        ws.close()
    if len(report.authors) < 2:
        found = printable(", ".join(report.authors)) or "none"
        raise CommandError(f"agreement needs annotations by two or more authors (found: {found})")
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(
        f"{len(report.authors)} author(s): {printable(', '.join(report.authors))}; "
        f"{report.units} {report.unit}(s) in {report.articles} coded article(s)\n"
    )
    print("Pairs (kappa on units; span F1 exact and overlap)")
    print(
        render(
            ["author A", "author B", "theme", "kappa", "F1 exact", "F1 overlap"],
            [
                [p.a, p.b, p.theme, _fmt(p.kappa), _fmt(p.f1_exact), _fmt(p.f1_overlap)]
                for p in report.pairs
            ],
        )
    )
    print(f"\nKrippendorff's alpha (nominal) across all {len(report.authors)} authors")
    print(
        render(
            ["theme", "alpha"],
            [[t, _fmt(report.alpha.get(t))] for t in [*report.themes, OVERALL]],
        )
    )
    return 0
