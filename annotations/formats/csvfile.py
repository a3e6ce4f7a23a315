"""CSV for spreadsheets: one row per annotation and theme.

Named `csvfile` so that the standard library's `csv` stays importable by that name.
Cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`,
a tab or a carriage return) get a leading `'` (OWASP's advice for CSV injection);
offsets are numbers and are written as they are. The `bom` option starts the file
with a UTF-8 byte-order mark, which Excel needs to read UTF-8.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from annotations.formats import ExportContext, Format, register
from annotations.formats.matching import by_article
from annotations.model import Annotation

COLUMNS = ("article_id", "title", "theme", "start", "end", "passage", "note", "author", "created")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """`value`, made inert if a spreadsheet would evaluate it."""
    return "'" + value if value.startswith(FORMULA_START) else value


def write(annotations: Iterable[Annotation], out: IO[str], ctx: ExportContext) -> int:
    if ctx.options.get("bom"):
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for article, anns in by_article(annotations, ctx):
        for ann in anns:
            for theme in ann.themes:
                writer.writerow(
                    [
                        cell(article.id),
                        cell(article.title),
                        cell(theme),
                        ann.start,
                        ann.end,
                        cell(ann.exact),
                        cell(ann.note),
                        cell(ann.author),
                        cell(ann.created),
                    ]
                )
            count += 1
    return count


register(
    Format(
        "csv",
        "CSV for spreadsheets, one row per annotation and theme (--bom for Excel)",
        ".csv",
        write,
        options=("bom",),
    )
)
