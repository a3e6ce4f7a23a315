"""`tagline import --add-articles DIR`: texts of an imported project become article files.

A team moving from doccano, Label Studio or Prodigy has its texts only inside the
export. Each record whose text no article has becomes a new article in DIR (inside a
corpus folder, so it loads next time), named from the record's title or id. Files are
written only after the whole import has parsed, each atomically: a failed import
leaves DIR as it was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from annotations.atomic import atomic_write_bytes
from annotations.corpus import Article, Corpus, article_from_text
from annotations.text.decode import normalise

_UNSAFE = re.compile(r"[^\w.\- ]+")
MAX_NAME = 80


def safe_name(hint: str) -> str:
    """A plain file name from `hint`: no folders, no leading dot, no control characters."""
    name = _UNSAFE.sub("_", hint).strip(" ._")[:MAX_NAME].strip(" ._")
    name = name or "article"
    return name if name.lower().endswith((".txt", ".md")) else name + ".txt"


def corpus_root(folder: Path, corpus_paths: Iterable[Path]) -> Path | None:
    """The corpus folder that `folder` is (or is inside), if any."""
    target = folder.resolve()
    for root in corpus_paths:
        root = Path(root).resolve()
        if root.is_dir() and (target == root or root in target.parents):
            return root
    return None


class NewArticles:
    """The `add_article` callback of an import: new articles in memory, files on `write()`."""

    def __init__(self, folder: Path, root: Path, corpus: Corpus) -> None:
        self.folder = folder
        self.root = root
        self.corpus = corpus
        self.pending: dict[Path, str] = {}
        rel = os.path.relpath(folder.resolve(), root)
        self.prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"

    def __call__(self, text: str, hint: str) -> Article:
        """A new article holding `text`; `ValueError` if Tagline could not keep it verbatim."""
        if normalise(text) != text:
            raise ValueError(
                "the record's text has CR line ends or control characters, which Tagline "
                "removes from articles: its offsets would not fit the article"
            )
        base = safe_name(hint)
        stem, ext = os.path.splitext(base)
        name, n = base, 1
        while (
            (self.folder / name).exists()
            or self.folder / name in self.pending
            or self.prefix + name in self.corpus
        ):
            n += 1
            name = f"{stem}-{n}{ext}"
        path = self.folder / name
        assert path.resolve().parent == self.folder.resolve()  # never outside DIR
        article = article_from_text(self.prefix + name, path, text)
        self.pending[path] = text
        self.corpus.replace(article)
        return article

    def write(self) -> list[Path]:
        """Write every new article's file; returns their paths."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for path, text in self.pending.items():
            atomic_write_bytes(path, text.encode("utf-8"))
        return list(self.pending)
