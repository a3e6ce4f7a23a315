"""A small corpus (the seeds plus a Unicode article) and annotations covering the awkward cases."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from annotations.corpus import Corpus, article_from_text, load_corpus
from annotations.model import Annotation

UNICODE_ID = "intl/été 2024.txt"
UNICODE_TEXT = (
    "Route arctique\n\n"
    "Le gazoduc « Force de Sibérie » 🚢 transporte du gaz naturel vers la Chine.\n"
    "北极航道 — the Arctic route — shortens shipping by 🧊 two weeks.\n"
)


def corpus() -> Corpus:
    extra = article_from_text(UNICODE_ID, Path(UNICODE_ID), UNICODE_TEXT)
    return Corpus([*load_corpus(), extra])


def span(article, phrase: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = article.text.index(phrase, start + 1)
    return start, start + len(phrase)


def annotations(c: Corpus) -> list[Annotation]:
    """Several annotations: notes (with newlines, formulas), several themes, Unicode, two authors."""
    a0 = c["000_eead7ac999ac4f1f.txt"]
    a3 = c["003_24f7bdae331ea796.txt"]
    uni = c[UNICODE_ID]
    specs = [
        (a0, span(a0, "digital economy", 1), ["digital economy"], "", "alice"),
        (
            a0,
            span(a0, "big data, the Internet of Things"),
            ["digital economy", "energy"],
            "two themes",
            "alice",
        ),
        (a0, span(a0, "Arctic"), ["Arctic route"], '=HYPERLINK("x")\nsecond line', "bob"),
        (a3, span(a3, "natural gas"), ["energy"], "+1 — gas, naïve café ☃", "bob"),
        (uni, span(uni, "« Force de Sibérie » 🚢"), ["énergie ☃"], "note with emoji 🚢", "zoë"),
        (uni, span(uni, "two weeks"), ["Arctic route", "énergie ☃"], "", "alice"),
    ]
    out = []
    for i, (article, (start, end), themes, note, author) in enumerate(specs):
        ann = Annotation.create(
            article_id=article.id,
            text=article.text,
            sha256=article.sha256,
            start=start,
            end=end,
            themes=themes,
            note=note,
            author=author,
        )
        # Distinct, fixed times: round trips must keep them exactly.
        out.append(
            replace(
                ann,
                created=f"2024-05-0{i + 1}T10:00:00.000Z",
                updated=f"2024-06-0{i + 1}T11:30:00.000Z",
            )
        )
    return out
