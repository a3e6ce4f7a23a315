"""Exporting annotations: the one use case behind `tagline export` and the export dialog.

`prepare_export` runs where the store may be read (the UI thread, or the CLI) and
returns an `ExportJob` holding a snapshot of what to write, so the slow part,
`ExportJob.write_to`, can run in a worker thread without touching the live store.
Both front ends export `workspace.annotations()` (re-anchored, even when the
store is read-only) through the same filters, so the same choices give the same
file byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from annotations.atomic import atomic_write
from annotations.formats import ExportContext, Format, FormatError, get_format, select
from annotations.model import Annotation
from annotations.workspace import Workspace


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """Empty means no filter; theme names match case-insensitively."""

    themes: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        themes: Iterable[str] = (),
        articles: Iterable[str] = (),
        authors: Iterable[str] = (),
    ) -> ExportFilters:
        return cls(tuple(themes), tuple(articles), tuple(authors))


@dataclass(frozen=True, slots=True)
class ExportJob:
    format: Format
    annotations: tuple[Annotation, ...]
    context: ExportContext

    def write_stream(self, out: IO[Any]) -> int:
        """Write to an open stream (text, or binary for binary formats); returns the count."""
        assert self.format.writer is not None
        return self.format.writer(self.annotations, out, self.context)

    def write_to(self, path: Path | str) -> int:
        """Write to `path` atomically; returns how many annotations were written."""
        return atomic_write(path, self.write_stream, binary=self.format.binary)


def prepare_export(
    workspace: Workspace,
    format_name: str,
    filters: ExportFilters = ExportFilters(),
    *,
    options: Mapping[str, Any] | None = None,
    warn: Callable[[str], None] | None = None,
) -> ExportJob:
    """Check the request and take a snapshot of the annotations and codebook to export.

    Raises `FormatError` for a format that cannot be written and `ThemeError` for a
    theme filter that names no theme, before anything is written.
    """
    fmt = get_format(format_name)
    if fmt.writer is None:
        raise FormatError(f"format {fmt.name} cannot be exported")
    codebook = workspace.store.codebook
    for theme in filters.themes:
        codebook.require(theme)
    chosen = tuple(
        select(
            workspace.annotations(),
            themes=filters.themes,
            articles=filters.articles,
            authors=filters.authors,
        )
    )
    coverage = tuple(
        d
        for d in workspace.store.coverage()
        if (not filters.articles or d.article_id in filters.articles)
        and (not filters.authors or d.author in filters.authors)
    )
    context = ExportContext(workspace.corpus, codebook.copy(), dict(options or {}), warn, coverage)
    return ExportJob(fmt, chosen, context)


def export(
    workspace: Workspace,
    format_name: str,
    destination: Path | str,
    filters: ExportFilters = ExportFilters(),
    *,
    options: Mapping[str, Any] | None = None,
    warn: Callable[[str], None] | None = None,
) -> int:
    """Export to a file in one call; returns how many annotations were written."""
    job = prepare_export(workspace, format_name, filters, options=options, warn=warn)
    return job.write_to(destination)


__all__ = ["ExportFilters", "ExportJob", "export", "prepare_export"]
