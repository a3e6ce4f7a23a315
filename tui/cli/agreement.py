"""`tagline agreement`: inter-annotator agreement between the authors of a (team) store."""

from __future__ import annotations

import argparse
import json
import sys

from annotations.analysis.agreement import OVERALL, THEME_SCOPES, UNITS, agreement
from annotations.coverage import done_by_author
from annotations.text.sanitize import printable
from tui.cli.common import CommandError, open_from_args, warn
from tui.cli.tables import render


def register(sub, common) -> None:
    p = sub.add_parser(
        "agreement",
        parents=[common(author=False)],
        help="Cohen's, pooled and Fleiss' kappa, Krippendorff's alpha and span F1 between authors",
    )
    p.add_argument("--unit", choices=sorted(UNITS), default="sentence", help="unit of kappa/alpha")
    p.add_argument(
        "--themes",
        dest="theme_scope",
        choices=THEME_SCOPES,
        default="pair",
        help="themes of a pair: the ones either used (default) or every codebook theme",
    )
    p.add_argument("--per-article", action="store_true", help="also the mean of per-article kappas")
    p.add_argument("--json", action="store_true", help="the figures as one JSON object")
    p.set_defaults(handler=run)


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}".replace("-0.000", "0.000")


def run(args: argparse.Namespace) -> int:

    ws = open_from_args(args)
    try:
        report = agreement(
            ws.store.all(),
            ws.corpus,
            unit=args.unit,
            themes=ws.store.codebook.names(),
            coverage=done_by_author(ws.store.coverage()),
            theme_scope=args.theme_scope,
            per_article=args.per_article,
        )
    finally:
        ws.close()
    if len(report.authors) < 2:
        found = printable(", ".join(report.authors)) or "none"
        raise CommandError(f"agreement needs annotations by two or more authors (found: {found})")
    for message in report.warnings:
        warn(message)
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    basis = "articles both marked done" if report.coverage == "done" else "articles either coded"
    themes = "themes either used" if report.theme_scope == "pair" else "every codebook theme"
    print(
        f"{len(report.authors)} author(s): {printable(', '.join(report.authors))}; "
        f"{report.units} {report.unit}(s) in {report.articles} covered article(s)\n"
        f"Each pair: {basis}, {themes}.\n"
    )
    print("Pairs (Cohen's kappa on units; (overall): concatenated and pooled kappa; span F1)")
    head = ["author A", "author B", "theme", "articles", "kappa", "pooled"]
    head += ["per article"] if args.per_article else []
    head += ["F1 exact", "F1 overlap"]
    rows = []
    for p in report.pairs:
        row = [printable(p.a), printable(p.b), printable(p.theme), str(p.articles), _fmt(p.kappa)]
        row.append(_fmt(p.pooled) if p.theme == OVERALL else "")
        row += [_fmt(p.per_article)] if args.per_article else []
        rows.append([*row, _fmt(p.f1_exact), _fmt(p.f1_overlap)])
    print(render(head, rows))
    print(
        f"\nAcross all {len(report.authors)} authors: Krippendorff's alpha (nominal, "
        f"absent coverage as missing data); Fleiss' kappa on the {report.fleiss_units} "
        "unit(s) every author covered"
    )
    print(
        render(
            ["theme", "alpha", "Fleiss' kappa"],
            [
                [printable(t), _fmt(report.alpha.get(t)), _fmt(report.fleiss.get(t))]
                for t in [*report.themes, OVERALL]
            ],
        )
    )
    return 0
