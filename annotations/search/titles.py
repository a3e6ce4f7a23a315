"""Title filter: the search's words, typo budgets and last-word prefix, over titles.

Every query word must match a word of the title, exactly, within its typo budget
(`premer` → premier, `digtal` → digital), or, for the last word while it is being
typed, as a prefix. Titles with more exact words and fewer typos come first; ties
keep corpus order.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from rapidfuzz import process
from rapidfuzz.distance import OSA

from annotations.search.engine import typo_budget
from annotations.search.text import words


class TitleMatcher:
    """Match queries against a fixed list of titles (indices into it come back)."""

    def __init__(self, titles: Sequence[str]) -> None:
        self._postings: dict[str, list[int]] = {}
        for i, title in enumerate(titles):
            for w in dict.fromkeys(words(title)):
                self._postings.setdefault(w, []).append(i)
        self._sorted = sorted(self._postings)
        self._by_len: dict[int, list[str]] = {}
        for w in self._sorted:
            self._by_len.setdefault(len(w), []).append(w)

    def _alternatives(self, word: str, prefix: bool) -> dict[str, int]:
        """Title words `word` stands for, with the typos it takes."""
        out: dict[str, int] = {}
        if word in self._postings:
            out[word] = 0
        budget = typo_budget(word)
        if budget:
            n = len(word)
            pool = [t for k in range(n - budget, n + budget + 1) for t in self._by_len.get(k, ())]
            for term, dist, _ in process.extract(
                word, pool, scorer=OSA.distance, score_cutoff=budget, limit=None
            ):
                out.setdefault(term, int(dist))
        if prefix:
            i = bisect.bisect_left(self._sorted, word)
            for term in self._sorted[i:]:
                if not term.startswith(word):
                    break
                out[term] = min(out.get(term, 0), 0)
        return out

    def match(self, query: str) -> list[int]:
        """Indices of the titles matching every word of `query`, best first."""
        qwords = list(dict.fromkeys(words(query)))
        if not qwords:
            return []
        prefix = not query[-1:].isspace()
        scores: dict[int, int] | None = None
        for k, word in enumerate(qwords):
            best: dict[int, int] = {}
            for term, typos in self._alternatives(word, prefix and k == len(qwords) - 1).items():
                for i in self._postings[term]:
                    if typos < best.get(i, 99):
                        best[i] = typos
            if scores is None:
                scores = best
            else:
                scores = {i: t + best[i] for i, t in scores.items() if i in best}
            if not scores:
                return []
        assert scores is not None
        return sorted(scores, key=lambda i: (scores[i], i))
