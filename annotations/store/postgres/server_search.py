"""Full-text search done by the server (measured against the client's index; not used by the reader)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from annotations.store.postgres.connection import TeamUrl, connect

_SEARCH_WORD = re.compile(r"\w+")


class ServerSearch:
    """Full-text search done by the server: `tsvector` per passage, `pg_trgm` for typos.

    Built to measure against the client's own index (README "Team mode"), not used
    by the reader: each passage (the client index's passages, so results carry the
    same fields) is a row with its `to_tsvector('simple', …)`; a query word with no
    exact match in the vocabulary becomes its nearest words by trigram similarity.
    """

    def __init__(self, url: str) -> None:
        self.url = TeamUrl.parse(url)
        self.conn = connect(self.url)
        # pg_trgm lives once per database, in `public`, whichever schema asked first.
        self.conn.execute(f"SET search_path TO {self.url.schema}, public")

    def close(self) -> None:
        self.conn.close()

    def build(self, passages_of: Callable[[str], list[tuple[int, int]]]) -> int:
        """(Re)create the passage table and its indexes from the published articles."""
        conn = self.conn
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        conn.execute("DROP TABLE IF EXISTS search_passages, search_words")
        conn.execute(
            "CREATE TABLE search_passages (article_id text NOT NULL, start_offset integer, "
            "end_offset integer, body text, tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
        )
        n = 0
        # The texts stream in on a second connection while this one is busy with COPY.
        with connect(self.url) as source, source.transaction():
            read = source.cursor(name="articles_all")
            read.execute("SELECT id, text FROM articles")
            with (
                conn.transaction(),
                conn.cursor() as cur,
                cur.copy(
                    "COPY search_passages (article_id, start_offset, end_offset, body) FROM STDIN"
                ) as copy,
            ):
                for article_id, text in read:
                    for start, end in passages_of(text):
                        copy.write_row((article_id, start, end, text[start:end]))
                        n += 1
            read.close()
        conn.execute("CREATE INDEX search_passages_tsv ON search_passages USING gin (tsv)")
        conn.execute(
            "CREATE TABLE search_words AS SELECT word FROM ts_stat('SELECT tsv FROM search_passages')"
        )
        conn.execute("CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops)")
        conn.execute("CREATE UNIQUE INDEX search_words_word ON search_words (word)")
        conn.execute("ANALYZE search_passages")
        conn.execute("ANALYZE search_words")
        return n

    def _alternatives(self, word: str) -> list[str]:
        if self.conn.execute("SELECT 1 FROM search_words WHERE word = %s", (word,)).fetchone():
            return [word]
        rows = self.conn.execute(
            "SELECT word FROM search_words WHERE word %% %s "
            "ORDER BY similarity(word, %s) DESC LIMIT 5",
            (word, word),
        ).fetchall()
        return [r[0] for r in rows]

    def search(self, query: str, limit: int = 20) -> list[tuple[str, int, int]]:
        """(article id, passage start, end) best first: every word, typos by trigrams."""
        words = [w.lower() for w in _SEARCH_WORD.findall(query)]
        if not words:
            return []
        terms = []
        for i, word in enumerate(words):
            alts = self._alternatives(word)
            if i == len(words) - 1:
                alts = [*alts, f"{word}:*"] if not alts or alts[0] != word else alts
            if not alts:
                return []
            terms.append(
                "(" + " | ".join(a if a.endswith(":*") else _lexeme(a) for a in alts) + ")"
            )
        tsquery = " & ".join(terms)
        rows = self.conn.execute(
            "SELECT article_id, start_offset, end_offset FROM search_passages, "
            "to_tsquery('simple', %s) AS q WHERE tsv @@ q "
            "ORDER BY ts_rank_cd(tsv, q) DESC LIMIT %s",
            (tsquery, limit),
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]


def _lexeme(word: str) -> str:
    """A word quoted for `to_tsquery` (no operator inside it)."""
    return "'" + word.replace("'", "''").replace("\\", "\\\\") + "'"
