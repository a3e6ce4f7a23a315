"""Interchange formats: one module per format, one registry of readers and writers.

A writer streams annotations to a text stream and returns how many it wrote.
A reader parses a whole input and returns annotations, or raises `FormatError`
naming the file and line; the caller stores them in one all-or-nothing write.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from annotations.corpus import Article, Corpus
from annotations.coverage import Done
from annotations.model import Annotation
from annotations.themes import Codebook


class FormatError(ValueError):
    """Bad input: the message starts with `FILE:LINE:`."""


@dataclass(frozen=True, slots=True)
class ExportContext:
    corpus: Corpus
    codebook: Codebook
    options: Mapping[str, Any] = field(default_factory=dict)  # per-format, e.g. {"bom": True}
    warn: Callable[[str], None] | None = None
    coverage: tuple[Done, ...] = ()  # articles marked done, for formats that carry them

    def placed(self, ann: Annotation) -> Article | None:
        """The annotation's article if its offsets still hold there, else None (and a warning).

        Formats that carry offsets only export annotations with `text[start:end] == exact`:
        an orphan, or an article edited since, would otherwise point at the wrong text.
        """
        article = self.corpus.get(ann.article_id)
        if article is not None and article.text[ann.start : ann.end] == ann.exact:
            return article
        if self.warn:
            why = (
                "article not in the corpus"
                if article is None
                else f"{ann.status}, quote not at its offsets"
            )
            self.warn(f"skipped annotation {ann.id} on {ann.article_id} ({why})")
        return None


@dataclass(frozen=True, slots=True)
class ImportContext:
    corpus: Corpus
    author: str
    name: str  # the file name used in error messages
    coverage: list[Done] = field(default_factory=list)  # done marks a reader found
    options: Mapping[str, Any] = field(default_factory=dict)  # per-format, e.g. {"offsets": ...}
    warn: Callable[[str], None] | None = None  # corrections made (see formats.checks)
    seen_ids: dict[str, str] = field(default_factory=dict)  # id -> FILE:LINE, for duplicates
    # Called with (text, name hint) for a record whose text no article has; returns
    # the new article (`tagline import --add-articles`). None: such a record is an error.
    add_article: Callable[[str, str], Article] | None = None


Writer = Callable[[Iterable[Annotation], IO[Any], ExportContext], int]
Reader = Callable[[IO[str], ImportContext], list[Annotation]]


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    description: str
    extension: str
    writer: Writer | None = None
    reader: Reader | None = None
    binary: bool = False  # the writer takes a binary stream (e.g. a zip)
    options: tuple[str, ...] = ()  # names of the ExportContext.options the writer reads


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def get_format(name: str) -> Format:
    try:
        return FORMATS[name]
    except KeyError:
        raise FormatError(f"unknown format {name!r} (formats: {', '.join(FORMATS)})") from None


def json_line(obj: Any) -> str:
    """One JSON Lines record: UTF-8 text as is, no escaping of non-ASCII."""
    return json.dumps(obj, ensure_ascii=False) + "\n"


def write_per_annotation(
    annotations: Iterable[Annotation],
    out: IO[str],
    ctx: ExportContext,
    record: Callable[[Annotation, ExportContext], Any],
) -> int:
    """Stream one JSON line per annotation (the jsonl and w3c writers)."""
    count = 0
    for ann in annotations:
        out.write(json_line(record(ann, ctx)))
        count += 1
    return count


def select(
    annotations: Iterable[Annotation],
    *,
    themes: Iterable[str] = (),
    articles: Iterable[str] = (),
    authors: Iterable[str] = (),
) -> Iterator[Annotation]:
    """Filter annotations the way `tagline export --theme/--article/--author` does."""
    theme_set = {t.casefold() for t in themes}
    article_set = set(articles)
    author_set = set(authors)
    for ann in annotations:
        if article_set and ann.article_id not in article_set:
            continue
        if author_set and ann.author not in author_set:
            continue
        if theme_set and not any(t.casefold() in theme_set for t in ann.themes):
            continue
        yield ann


# Register the built-in formats (imported for their side effect).
from annotations.formats import jsonl  # noqa: E402, F401, I001
from annotations.formats import w3c, spacy, doccano, labelstudio, csvfile, qdpx  # noqa: E402, F401
from annotations.formats import hypothesis  # noqa: E402, F401
