"""Suggested passages: sentences that match a theme's cue phrases, ranked.

Matching is fuzzy but word-aligned. Text and cues are folded (case, accents,
punctuation) into word tokens, each token gets a light plural stemming
("pipelines" -> "pipeline", "cities" -> "city"), and a cue matches where each
of its tokens matches consecutive tokens of the sentence:

* tokens of up to 3 characters ("oil", "gas", "5g", "lng", "of") must be equal,
  so "oil" never matches inside "toil" or "soil";
* longer tokens match when `rapidfuzz.fuzz.ratio` >= `TOKEN_CUTOFF`, which
  admits a dropped or doubled letter ("Artic", "pipline", "Nothern") but not
  a one-letter substitution in a short word ("interest" is not "internet").

A cue's score is the similarity of its tokens, weighted by length (100 = exact).
Comparing token windows rather than `partial_ratio` on raw strings is what
keeps matches on word boundaries. Token similarities are memoised per matcher,
so a corpus-wide run costs one rapidfuzz call per distinct word, not per
sentence × cue.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from annotations.corpus import Article
from annotations.model import Annotation
from annotations.text.fold import fold_letters as fold
from annotations.text.segment import Span, sentences
from annotations.themes import Codebook

TOKEN_CUTOFF = 90.0  # one missing or extra letter; "interest" must not match "internet" (87.5)
SHORT = 3  # tokens this short must match exactly

_WORD = re.compile(r"[^\W_]+")
_HYPHENS = "-\u2010\u2011"


@dataclass(frozen=True, slots=True)
class Suggestion:
    article_id: str
    start: int
    end: int
    theme: str
    score: float  # 0-100, the best matching cue's similarity
    cue: str  # the cue phrase that matched best
    cue_start: int = -1  # where the cue matched in the article text (-1: unknown)
    cue_end: int = -1

    def key(self, text: str) -> str:
        """The rejection key: see `rejection_key`."""
        return rejection_key(self.article_id, self.theme, text[self.start : self.end])


def rejection_key(article_id: str, theme: str, exact: str) -> str:
    """A stable key for "this sentence is not about this theme".

    Built from the sentence text rather than its offsets, so a rejection
    survives a better sentence splitter or an edit elsewhere in the article.
    """
    raw = "\x1f".join((article_id, theme.casefold(), " ".join(exact.split())))
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:24]


def stem(token: str) -> str:
    """Strip an English plural (enough for cue phrases; not a general stemmer)."""
    if len(token) > 4:
        if token.endswith("ies"):
            return token[:-3] + "y"
        if token.endswith(("ches", "shes", "sses", "xes", "ses")):
            return token[:-2]
        if token.endswith("s") and not token.endswith(("ss", "us", "is")):
            return token[:-1]
    return token


def tokens(text: str) -> list[str]:
    """Folded, stemmed word tokens."""
    return [stem(t) for t in _WORD.findall(fold(text))]


def tokens_and_joins(text: str) -> tuple[list[str], list[bool]]:
    """Tokens, and for each whether it is hyphen-joined to the previous word.

    A cue may not start inside a hyphenated compound: "polar" must not match
    "multi-polar", nor "oil" "non-oil"; a compound may start with a cue
    ("oil-rich", "Arctic-bound").
    """
    folded = fold(text)
    toks: list[str] = []
    joined: list[bool] = []
    for m in _WORD.finditer(folded):
        s = m.start()
        toks.append(stem(m.group()))
        joined.append(s >= 2 and folded[s - 1] in _HYPHENS and folded[s - 2].isalnum())
    return toks, joined


@dataclass(frozen=True, slots=True)
class _Cue:
    theme: str
    phrase: str
    tokens: tuple[str, ...]
    weight: int  # total token length, for the weighted score


class CueMatcher:
    """The cue phrases of a codebook, compiled for matching many sentences."""

    def __init__(self, cues: Iterable[tuple[str, str]], cutoff: float = TOKEN_CUTOFF) -> None:
        self.cutoff = cutoff
        self.cues: list[_Cue] = []
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for theme, phrase in cues:
            toks = tuple(tokens(phrase))
            if not toks or (theme, toks) in seen:
                continue
            seen.add((theme, toks))
            self.cues.append(_Cue(theme, phrase, toks, sum(len(t) for t in toks)))
        self.themes = list(dict.fromkeys(c.theme for c in self.cues))
        cue_tokens = {t for c in self.cues for t in c.tokens}
        self._short = {t for t in cue_tokens if len(t) <= SHORT}
        self._long = sorted(t for t in cue_tokens if len(t) > SHORT)
        self._by_first: dict[str, list[_Cue]] = {}
        for cue in self.cues:
            self._by_first.setdefault(cue.tokens[0], []).append(cue)
        self._memo: dict[str, dict[str, float]] = {}

    @classmethod
    def from_codebook(cls, codebook: Codebook) -> CueMatcher:
        return _cached_matcher(tuple((t.name, tuple(t.cues)) for t in codebook))

    def similar(self, token: str) -> dict[str, float]:
        """Cue tokens that `token` matches, with their similarity (memoised)."""
        hit = self._memo.get(token)
        if hit is None:
            hit = {}
            if token in self._short:
                hit[token] = 100.0
            if len(token) > SHORT:
                for cue_token, score, _ in process.extract(
                    token, self._long, scorer=fuzz.ratio, score_cutoff=self.cutoff, limit=None
                ):
                    hit[cue_token] = score
            self._memo[token] = hit
        return hit

    def match(self, text: str) -> dict[str, tuple[float, str]]:
        """theme -> (best score, its cue) for every theme with a cue in `text`, in codebook order."""
        toks, joined = tokens_and_joins(text)
        sims = [self.similar(t) for t in toks]
        best: dict[str, tuple[float, str]] = {}
        for i, first in enumerate(sims):
            if joined[i]:
                continue
            for first_token in first:
                for cue in self._by_first.get(first_token, ()):
                    n = len(cue.tokens)
                    if i + n > len(toks):
                        continue
                    total = 0.0
                    for j, cue_token in enumerate(cue.tokens):
                        s = sims[i + j].get(cue_token)
                        if s is None:
                            break
                        total += s * len(cue_token)
                    else:
                        score = round(total / cue.weight, 1)
                        if score > best.get(cue.theme, (-1.0, ""))[0]:
                            best[cue.theme] = (score, cue.phrase)
        # Codebook order, so ties rank the same way every time (the sorts are stable).
        return {t: best[t] for t in self.themes if t in best}

    def locate(self, text: str, phrase: str) -> Span | None:
        """Where in `text` the cue `phrase` matches best (offsets into `text`), if anywhere.

        What the reader highlights so the analyst sees why a passage was suggested.
        """
        cue = tokens(phrase)
        words = word_spans(text)
        best: tuple[float, Span] | None = None
        for i in range(len(words) - len(cue) + 1):
            total = 0.0
            for j, cue_token in enumerate(cue):
                sim = self.similar(words[i + j][0]).get(cue_token)
                if sim is None:
                    break
                total += sim
            else:
                if best is None or total > best[0]:
                    best = (total, (words[i][1], words[i + len(cue) - 1][2]))
        return best[1] if best else None


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Folded, stemmed tokens with their offsets in `text` (not in the folded text)."""
    out = []
    for m in _WORD.finditer(text):
        out.extend((stem(t), m.start(), m.end()) for t in _WORD.findall(fold(m.group())))
    return out


def narrowings(text: str, span: Span) -> list[str]:
    """Longer cues from the words around a cue match at `span`: the cue with the next
    word, with the previous word, with both. Offered when a rejection says the cue is
    too broad (a place or company name that is not the theme in every context)."""
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    inside = [i for i, (s, e) in enumerate(words) if s < span[1] and span[0] < e]
    if not inside:
        return []
    first, last = inside[0], inside[-1]
    out = []
    for lo, hi in ((first, last + 1), (first - 1, last), (first - 1, last + 1)):
        if lo >= 0 and hi < len(words):
            out.append(" ".join(text[words[lo][0] : words[hi][1]].split()))
    return list(dict.fromkeys(out))


@dataclass(frozen=True, slots=True)
class CueEdit:
    """One way to teach the cue list after a rejection: the theme's cues after it."""

    label: str
    theme: str
    cues: tuple[str, ...]


def teach_options(codebook: Codebook, suggestion: Suggestion, text: str) -> list[CueEdit]:
    """Drop the suggestion's cue, or narrow it to a longer phrase around its match.

    A cue that names a place or company ("Gazprom") suggests passages that are
    not about the theme; a rejection is the moment to say so.
    """
    theme = codebook.get(suggestion.theme)
    cue = suggestion.cue
    if theme is None or cue not in theme.cues:
        return []
    rest = tuple(c for c in theme.cues if c != cue)
    edits = [CueEdit(f"Drop the cue “{cue}” from {theme.name}", theme.name, rest)]
    if suggestion.cue_start >= 0:
        known = {c.casefold() for c in theme.cues}
        for phrase in narrowings(text, (suggestion.cue_start, suggestion.cue_end)):
            if phrase.casefold() not in known:
                cues = tuple(phrase if c == cue else c for c in theme.cues)
                edits.append(CueEdit(f"Narrow “{cue}” to “{phrase}”", theme.name, cues))
    return edits


@lru_cache(maxsize=8)
def _cached_matcher(spec: tuple[tuple[str, tuple[str, ...]], ...]) -> CueMatcher:
    return CueMatcher((theme, cue) for theme, cues in spec for cue in cues)


def trim(text: str, start: int, end: int) -> Span:
    """The span without surrounding whitespace (so an accepted suggestion quotes cleanly)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def rank_key(s: Suggestion) -> tuple[float, str, int]:
    return (-s.score, s.article_id, s.start)


def suggest_for_article(
    article: Article,
    codebook: Codebook,
    existing_annotations: Iterable[Annotation] = (),
    rejected: set[str] | frozenset[str] = frozenset(),
    *,
    themes: Sequence[str] | None = None,
    splitter: Callable[[str], list[Span]] = sentences,
    matcher: CueMatcher | None = None,
) -> list[Suggestion]:
    """Sentences of `article` matching a theme's cues, best first.

    A sentence is skipped for a theme when an existing annotation with that
    theme overlaps it (already coded) or when its rejection key is in `rejected`.
    A passage the article repeats (a headline restated, a paragraph printed twice)
    is suggested once, at its first copy, and not at all once any copy is coded.
    `themes` limits the themes considered (names, case-insensitive).
    """
    matcher = matcher or CueMatcher.from_codebook(codebook)
    wanted = {t.casefold() for t in themes} if themes is not None else None
    coded: dict[str, list[Annotation]] = {}
    for ann in existing_annotations:
        for theme in ann.themes:
            coded.setdefault(theme.casefold(), []).append(ann)
    text = article.text
    candidates: list[Suggestion] = []
    handled: set[tuple[str, str]] = set()  # (theme, passage text): coded or suggested
    for raw_start, raw_end in splitter(text):
        start, end = trim(text, raw_start, raw_end)
        if start >= end:
            continue
        passage = " ".join(fold(text[start:end]).split())
        for theme, (score, cue) in matcher.match(text[start:end]).items():
            key = theme.casefold()
            if wanted is not None and key not in wanted:
                continue
            if any(a.overlaps(start, end) for a in coded.get(key, ())):
                handled.add((key, passage))
                continue
            if rejected and rejection_key(article.id, theme, text[start:end]) in rejected:
                continue
            at = matcher.locate(text[start:end], cue)
            cue_start, cue_end = (start + at[0], start + at[1]) if at else (-1, -1)
            candidates.append(
                Suggestion(article.id, start, end, theme, score, cue, cue_start, cue_end)
            )
    out: list[Suggestion] = []
    for sug in candidates:
        repeat = (sug.theme.casefold(), " ".join(fold(text[sug.start : sug.end]).split()))
        if repeat not in handled:
            handled.add(repeat)
            out.append(sug)
    out.sort(key=rank_key)
    return out


def suggest_corpus(
    articles: Iterable[Article],
    codebook: Codebook,
    annotations_of: Callable[[str], Iterable[Annotation]],
    rejected: set[str] | frozenset[str] = frozenset(),
    *,
    themes: Sequence[str] | None = None,
) -> list[Suggestion]:
    """Suggestions across `articles`, best first (what `tagline suggest` lists)."""
    matcher = CueMatcher.from_codebook(codebook)
    out: list[Suggestion] = []
    for article in articles:
        out.extend(
            suggest_for_article(
                article,
                codebook,
                annotations_of(article.id),
                rejected,
                themes=themes,
                matcher=matcher,
            )
        )
    out.sort(key=rank_key)
    return out
