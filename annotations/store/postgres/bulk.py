"""Seeding a team database with COPY (benchmarks at a million annotations)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from annotations.corpus import Article
from annotations.model import Annotation
from annotations.store.errors import StoreError
from annotations.themes import Codebook

if TYPE_CHECKING:
    pass

from annotations.store.postgres.articles import ARTICLE_COLUMNS, article_row
from annotations.store.postgres.connection import TeamUrl, _first_line, _psycopg, connect
from annotations.store.postgres.rows import COPY, _params

# -- bulk loading and server-side search (measured, see README "Team mode") ----------------


def bulk_load(
    url: str,
    articles: Iterable[Article],
    annotations: Iterable[Annotation],
    codebook: Codebook | None = None,
) -> tuple[int, int]:
    """Load articles and annotations with COPY, in one transaction, as the schema's owner.

    For seeding a new team database (benchmarks at a million annotations): no version
    checks, no notifications, no undo, and rows whose id exists make the COPY fail.
    Returns (articles, annotations) loaded.
    """
    team = TeamUrl.parse(url)
    psycopg = _psycopg()
    n_articles = n_annotations = 0
    with connect(team) as conn:
        try:
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy(f"COPY articles ({ARTICLE_COLUMNS}) FROM STDIN") as copy:
                    for article in articles:
                        copy.write_row(article_row(article))
                        n_articles += 1
                with cur.copy(COPY) as copy:
                    for ann in annotations:
                        copy.write_row(_params(ann))
                        n_annotations += 1
                if codebook is not None:
                    cur.execute(
                        "UPDATE codebook SET themes = %s, version = version + 1 WHERE id = 1",
                        (json.dumps(codebook.to_list(), ensure_ascii=False),),
                    )
            conn.execute("ANALYZE articles")
            conn.execute("ANALYZE annotations")
        except psycopg.Error as exc:
            raise StoreError(f"{team.display}: {_first_line(exc)}; nothing was loaded") from None
    return n_articles, n_annotations
