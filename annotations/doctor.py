"""`tagline doctor`: check a store against its corpus, and repair what is safe to repair.

Checks work on the raw TinyDB records, so a hand-edited store that the normal
code path would refuse can still be examined. Repairs always write a backup of
the database files first and then change the store in one durable write.
"""

from __future__ import annotations

import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tinydb.table import Document

from annotations.corpus import Corpus
from annotations.model import Annotation, now_iso
from annotations.store.tinydb_store import ARTICLE_PREFIX, AnnotationStore


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str  # malformed | duplicate | dangling | outside | mismatch | unknown-theme
    article_id: str
    annotation_id: str
    detail: str
    repair: str  # what --repair does about it, or "" if it is left alone
    theme: str = ""  # for unknown-theme

    def line(self) -> str:
        fix = f" [repair: {self.repair}]" if self.repair else " [left alone]"
        return f"{self.kind}: {self.article_id} {self.annotation_id}: {self.detail}{fix}"


def check(store: AnnotationStore, corpus: Corpus) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    known_themes = {t.name for t in store.codebook}
    for name, table in store.storage.read().items():
        if not name.startswith(ARTICLE_PREFIX):
            continue
        article_id = name[len(ARTICLE_PREFIX) :]
        article = corpus.get(article_id)
        for doc_id, doc in table.items():
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
            if ann.status == "orphaned":
                continue  # known to have lost its place; the orphan review handles it
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
    """Copy the snapshot and journal beside them, stamped with the time."""
    stamp = now_iso().replace(":", "").replace("-", "").replace(".", "")
    target = store.path.with_name(f"{store.path.name}.backup-{stamp}")
    target.mkdir(mode=0o700)
    for path in (store.path, store.storage.journal_path):
        if path.exists():
            shutil.copy2(path, target / path.name)
    return target


def repair(store: AnnotationStore, corpus: Corpus, problems: list[Problem]) -> Path | None:
    """Fix the repairable problems in one durable write, after a backup. Returns the backup."""
    fixable = [p for p in problems if p.repair]
    if not fixable:
        return None
    saved = backup(store)
    data = store.storage.read()
    with store.storage.batch():
        for p in fixable:
            if p.kind == "malformed":
                store.db.table(ARTICLE_PREFIX + p.article_id).remove(doc_ids=[p.annotation_id])
        dupes = {p.annotation_id for p in fixable if p.kind == "duplicate"}
        for doc_id in dupes:
            places = [
                (name, t[doc_id])
                for name, t in data.items()
                if name.startswith(ARTICLE_PREFIX) and doc_id in t
            ]
            places.sort(key=lambda nd: str(nd[1].get("updated", "")))
            for name, _ in places[:-1]:
                store.db.table(name).remove(doc_ids=[doc_id])
        for p in fixable:
            if p.kind in ("outside", "mismatch"):
                table = store.db.table(ARTICLE_PREFIX + p.article_id)
                doc = data.get(ARTICLE_PREFIX + p.article_id, {}).get(p.annotation_id)
                if doc is not None:
                    # Replace, never mutate: the old dict is the rollback copy.
                    table.remove(doc_ids=[p.annotation_id])
                    table.insert(Document({**doc, "status": "orphaned"}, doc_id=p.annotation_id))
        missing = sorted({p.theme for p in fixable if p.kind == "unknown-theme"})
        if missing:
            codebook = store.codebook
            for theme in missing:
                if codebook.get(theme) is None:
                    codebook, _ = codebook.add(theme)
            store.db.table("_codebook").upsert(
                Document({"themes": codebook.to_list()}, doc_id="codebook")
            )
    return saved
