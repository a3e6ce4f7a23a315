"""Property: every format with a reader survives export -> import into an empty store -> export.

Random annotations on texts with emoji, combining marks and ZWJ sequences: spans that
share offsets, several authors, notes with CR and CRLF. Each format must give back
the same file; what a format cannot carry (its documented loss) is asserted exactly.
Every import turns CR and CRLF in notes into LF (the sanitiser's rule, `clean_text`),
so the second export is the first with that done to the notes, and a third round
changes nothing.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.corpus import Corpus, article_from_text
from annotations.formats import FORMATS, ExportContext, ImportContext
from annotations.model import Annotation
from annotations.store.tinydb_store import AnnotationStore
from annotations.text.sanitize import clean_text
from annotations.themes import Codebook
from tests.helpers.conformance import assert_w3c_valid

TEXTS = {
    "a/emoji.txt": "Ships 🚢 cross the Arctic 🧊 in two weeks; Cafe\u0301 owners 👩\u200d🌾 cheer.\n"
    "Second line: 北极航道 — route 🇳🇴 open.",
    "b/plain.txt": "Gas prices rose. Gas prices fell. Naïve traders e\u0301 lost 🚢 money.",
}
CORPUS = Corpus([article_from_text(k, Path(k), v) for k, v in TEXTS.items()])
READABLE = sorted(name for name, fmt in FORMATS.items() if fmt.reader and fmt.writer)
# What each format does not carry, by design (README, "Formats").
LOST = {"hypothesis": {"id", "author", "created", "updated"}}
AUTHORS = ["alice", "bob", "zoë 🚢"]
THEMES = ["energy", "Arctic route", "énergie ☃", "Time"]
NOTES = ["", "one line", "cr\rline", "crlf\r\nline\r\n", "emoji 🧊 and e\u0301"]


@st.composite
def annotation_sets(draw) -> list[Annotation]:
    article = CORPUS[draw(st.sampled_from(sorted(TEXTS)))]
    n = len(article.text)
    # A few spans, reused: equal offsets on purpose.
    spans = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(1, 12)).map(
                lambda p: (p[0], min(n, p[0] + p[1]))
            ),
            min_size=1,
            max_size=3,
        )
    )
    out = []
    for i in range(draw(st.integers(1, 5))):
        start, end = draw(st.sampled_from(spans))
        ann = Annotation.create(
            article_id=article.id,
            text=article.text,
            sha256=article.sha256,
            start=start,
            end=end,
            themes=draw(st.lists(st.sampled_from(THEMES), min_size=1, max_size=3, unique=True)),
            note=draw(st.sampled_from(NOTES)),
            author=draw(st.sampled_from(AUTHORS)),
        )
        out.append(
            replace(
                ann,
                created=f"2024-05-0{i + 1}T10:00:00.000Z",
                updated=f"2024-06-0{i + 1}T11:30:00.000Z",
            )
        )
    return out


def export(name: str, anns) -> str:
    out = io.StringIO()
    FORMATS[name].writer(iter(anns), out, ExportContext(CORPUS, Codebook(), {}))
    return out.getvalue()


def key(ann: Annotation) -> tuple:
    return (ann.article_id, ann.start, ann.end, ann.themes, ann.note, ann.author, ann.id)


def round_trip(name: str, folder: Path, anns: list[Annotation], tag: str) -> list[Annotation]:
    """`anns` exported in `name`, imported into an empty store, read back."""
    text = export(name, anns)
    if name == "w3c":
        assert_w3c_valid(text)
    back = FORMATS[name].reader(io.StringIO(text), ImportContext(CORPUS, "importer", f"in.{name}"))
    with AnnotationStore(folder / f"{name}-{tag}.json") as store:
        store.put_many(back)
        return list(store.all())


def lines(name: str, anns) -> list[str]:
    text = export(name, anns)
    # New ids and import times may reorder annotations on one span.
    return sorted(text.splitlines()) if name in LOST else text.splitlines()


FIELDS = (
    "id",
    "article_id",
    "start",
    "end",
    "exact",
    "themes",
    "note",
    "author",
    "created",
    "updated",
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anns=annotation_sets())
def test_export_import_export_is_unchanged(anns):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with AnnotationStore(folder / "one.json") as one:
            one.put_many(anns)
            stored = list(one.all())
        cleaned = [replace(a, note=clean_text(a.note)) for a in stored]
        for name in READABLE:
            again = round_trip(name, folder, stored, "1")
            assert lines(name, again) == lines(name, cleaned), name
            third = round_trip(name, folder, again, "2")
            assert lines(name, third) == lines(name, again), name
            lost = LOST.get(name, set())
            fields = [f for f in FIELDS if f not in lost]
            want = sorted(tuple(getattr(a, f) for f in fields) for a in cleaned)
            got = sorted(tuple(getattr(a, f) for f in fields) for a in again)
            assert got == want, name
            if "author" in lost:
                assert {a.author for a in again} == {"importer"}
            if "id" in lost:
                assert not {a.id for a in again} & {a.id for a in stored}
