"""`tagline doctor`: check a store against its corpus, and repair what is safe to repair.

Checks work on the raw records (through the store's repair API), on a store
opened in salvage mode, so a hand-edited or damaged store that the normal code
path refuses can still be examined. Repairs always write a backup of the
database files first, change the store in one durable write, and then write a
fresh snapshot holding every readable record (with new checksums).
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotations.corpus import Corpus
from annotations.model import Annotation, now_iso
from annotations.store.tinydb_store import AnnotationStore
from annotations.text.sanitize import clean_line, clean_text, has_unsafe, printable


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # damaged | malformed | unsafe-text | duplicate | dangling | outside | mismatch | unknown-theme
    article_id: str
    annotation_id: str
    detail: str
    repair: str  # what --repair does about it, or "" if it is left alone
    theme: str = ""  # for unknown-theme

    def line(self) -> str:
        fix = f" [repair: {self.repair}]" if self.repair else " [left alone]"
        if self.kind == "damaged":
            return printable(f"damaged: {self.detail}{fix}")
        return printable(f"{self.kind}: {self.article_id} {self.annotation_id}: {self.detail}{fix}")


def check(store: AnnotationStore, corpus: Corpus) -> list[Problem]:
    problems: list[Problem] = [
        Problem("damaged", "", "", what, "write a fresh snapshot of what is readable")
        for what in store.damage
    ]
    seen: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    known_themes = {t.name for t in store.codebook}
    for article_id, doc_id, doc in store.raw_records():
        article = corpus.get(article_id)
        try:
            if not isinstance(doc, dict):
                raise ValueError("not a JSON object")
            ann = Annotation.from_dict(doc)
            if ann.id != doc_id:
                raise ValueError(f"its id field {ann.id!r} differs from its key")
            if ann.article_id != article_id:
                raise ValueError(f"its article_id {ann.article_id!r} differs from its table")
        except (ValueError, TypeError, AttributeError) as exc:
            problems.append(Problem("malformed", article_id, doc_id, str(exc), "delete it"))
            continue
        seen[doc_id].append((article_id, doc))
        if any(isinstance(v, str) and has_unsafe(v.replace("\n", "")) for v in doc.values()) or any(
            has_unsafe(t) for t in ann.themes
        ):
            problems.append(
                Problem(
                    "unsafe-text",
                    article_id,
                    doc_id,
                    "control characters or lone surrogates in its text fields",
                    "remove them (lone surrogates become U+FFFD)",
                )
            )
        for theme in ann.themes:
            if theme not in known_themes:
                problems.append(
                    Problem(
                        "unknown-theme",
                        article_id,
                        doc_id,
                        f"theme {theme!r} is not in the codebook",
                        "add it to the codebook",
                        theme,
                    )
                )
        if article is None:
            problems.append(
                Problem(
                    "dangling",
                    article_id,
                    doc_id,
                    "its article is not in the corpus (wrong --corpus?)",
                    "",
                )
            )
            continue
        if ann.status in ("orphaned", "needs_review"):
            continue  # lost or proposed with doubt (quote kept): the orphan review handles it
        if not 0 <= ann.start < ann.end <= len(article.text):
            problems.append(
                Problem(
                    "outside",
                    article_id,
                    doc_id,
                    f"offsets {ann.start}..{ann.end} outside the text (length {len(article.text)})",
                    "mark it orphaned",
                )
            )
        elif article.text[ann.start : ann.end] != ann.exact:
            problems.append(
                Problem(
                    "mismatch",
                    article_id,
                    doc_id,
                    "the text at its offsets differs from its quote",
                    "mark it orphaned",
                )
            )
    for doc_id, places in seen.items():
        if len(places) > 1:
            where = ", ".join(a for a, _ in places)
            problems.append(
                Problem(
                    "duplicate",
                    places[0][0],
                    doc_id,
                    f"the same id is in {where}",
                    "keep the latest edit",
                )
            )
    return problems


def backup(store: AnnotationStore) -> Path:
    """Copy the snapshot, journal and any set-aside journals beside them, stamped with the time."""
    stamp = now_iso().replace(":", "").replace("-", "").replace(".", "")
    real = store.storage.path
    target = real.with_name(f"{real.name}.backup-{stamp}")
    target.mkdir(mode=0o700)
    for path in (real, store.storage.journal_path):
        if path.exists():
            shutil.copy2(path, target / path.name)
    return target


def _cleaned(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "themes" and isinstance(value, list):
            value = [clean_line(t) if isinstance(t, str) else t for t in value]
        elif isinstance(value, str):
            # The quote and its context are the article's own text: only surrogates go.
            keep_lines = key in ("note", "exact", "prefix", "suffix")
            value = clean_text(value) if keep_lines else clean_line(value)
        out[key] = value
    return out


def repair(store: AnnotationStore, corpus: Corpus, problems: list[Problem]) -> Path | None:
    """Fix the repairable problems in one durable write, after a backup, then write a
    fresh snapshot of everything readable. Returns the backup folder."""
    fixable = [p for p in problems if p.repair]
    if not fixable:
        return None
    saved = backup(store)
    records: dict[tuple[str, str], Any] = {(a, k): doc for a, k, doc in store.raw_records()}
    remove: list[tuple[str, str]] = []
    put: list[tuple[str, str, dict[str, Any]]] = []
    for p in fixable:
        if p.kind == "malformed":
            remove.append((p.article_id, p.annotation_id))
    dupes = {p.annotation_id for p in fixable if p.kind == "duplicate"}
    for doc_id in dupes:
        places = [(a, doc) for (a, k), doc in records.items() if k == doc_id]
        places.sort(key=lambda ad: str(ad[1].get("updated", "")))
        remove.extend((a, doc_id) for a, _ in places[:-1])
    for p in fixable:
        if p.kind in ("outside", "mismatch"):
            doc = records.get((p.article_id, p.annotation_id))
            if isinstance(doc, dict) and (p.article_id, p.annotation_id) not in remove:
                put.append((p.article_id, p.annotation_id, {**doc, "status": "orphaned"}))
    for p in fixable:
        if p.kind == "unsafe-text" and (p.article_id, p.annotation_id) not in remove:
            doc = next(
                (d for a, k, d in put if (a, k) == (p.article_id, p.annotation_id)),
                records[(p.article_id, p.annotation_id)],
            )
            put.append((p.article_id, p.annotation_id, _cleaned(doc)))
    missing = sorted({p.theme for p in fixable if p.kind == "unknown-theme"})
    # A salvaged codebook keeps only the themes that read on their own: save it as such.
    codebook = store.codebook if any(p.kind == "damaged" for p in fixable) else None
    if missing:
        codebook = store.codebook
        for theme in missing:
            if codebook.get(theme) is None:
                codebook, _ = codebook.add(theme)
    store.repair_records(remove, put, codebook)
    store.compact()
    return saved
