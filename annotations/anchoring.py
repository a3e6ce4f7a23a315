"""Durable anchors: put annotations back on their passage after the article text changed.

A wrong placement nobody is told about silently corrupts the analysis, so every
annotation ends up in one of three states: placed with certainty (`anchored`, or
`reanchored` if it moved), placed with doubt (`needs_review`), or `orphaned`.

Where a quote is looked for, as a W3C TextQuoteSelector with a position hint:

1. the stored offsets, if `text[start:end] == exact` there and the context on both
   sides agrees;
2. otherwise every exact copy of the quote, a fuzzy match (rapidfuzz, at most
   `max_error_rate * len(exact)` edits) near the old offsets, and fuzzy matches
   anywhere, by the quote alone and with its context. Each is scored on the quote,
   the prefix, the suffix and the distance from the old offsets (`Weights`).

Context is compared over the whole `CONTEXT` window, beyond the characters stored:
an annotation at an article's end has suffix `"\\n"`, which agrees only with a
passage that also ends the article, not with every line end.

The best candidate is certain only if nothing casts doubt on it (`_doubt`): a rival
elsewhere that scores almost as well (a copy chosen by context alone), a place far from
the old one, the old place still matching in part while a copy elsewhere wins, weak
context on either side, a reworded quote, an edited quote without intact context, a
short quote without context on both sides. Strong evidence of another kind lifts some
of these: a long quote found once, unedited (or with a typo fixed and one side intact),
near its old place is certain however its surroundings were reworded; a passage reworded in place between intact surroundings is
the same passage, edited; a copy far away does not outweigh the old place when the
context there still agrees on both sides; a short quote whose neighbouring characters
still agree on both sides is the same word; an unedited quote near its old place whose
context agrees in part on each side and clearly better than any other passage's is the
same words with some neighbours reworded. And an article's annotations vouch for each
other (`locate_all`): two more than `far` apart in the old text that moved by the same
shift show that the text between them moved as one block.

The annotation's `identity` (`annotations.identity`) is evidence from the old text,
which is otherwise gone: an exact copy around which the window that made the quote one of
a kind reappears (`MIN_WINDOW` characters or more) is certain wherever it is (a moved
paragraph); a quote one of a kind by itself, found once near its old place with its
context agreeing in part, is certain; a passage whose whole window had copies (twins),
some now lost, is doubtful on a survivor unless the survivor has the reach on both
sides that told the annotated twin apart; and a copy whose neighbours agree with the
stored context one character short of what told the passage apart is the copy that
stood beside it when tagged, and doubtful. A passage cut at one end near its old place
(its head still after its whole prefix, or its tail before its whole suffix, more than
half of it, the rest of the quote nowhere in the text) is placed on what is left
(`_one_end_kept`).

A doubtful placement is stored as `needs_review`: its offsets move to the proposed
passage and its hash to the new text, but it keeps its old quote, prefix and suffix,
the evidence shown beside the new context in the orphan review screen and used again
if the text changes. A certain fuzzy placement takes the new wording as its quote
(every export keeps `text[start:end] == exact`); the old quote is in `Report.changed`.
Orphans keep their quote, context and old hash (so they are tried again whenever the
text changes); their offsets are clamped to the new text.

`HYPOTHESIS` (quote 50, prefix 20, suffix 20, position 2, up to len/2 errors, the best
match always taken, silently) is kept for comparison; `benchmarks/anchoring_bench.py`
also measures the diff-match-patch text-quote algorithm itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from annotations.corpus import Article, Corpus
from annotations.identity import Identity, agree, find_all, held, identify, reached
from annotations.model import CONTEXT, Annotation, context_of
from annotations.store.protocol import Store

REVIEW = "needs_review"
FAR = "far from its old place"
COPY_LOST = "a copy of it was removed"
TWIN = "a copy told apart only by context that changed"
REFINE_STEPS = 12  # coarse steps over a window edge's range before the fine ones
FUZZY_CUTOFF = 30  # rapidfuzz partial_ratio below which a rough match is not refined
MAX_COPIES = 200  # exact copies of a quote scored (a one-letter quote can occur thousands of times)
SCAN_COPIES = 50_000  # ... chosen, nearest the old offsets, from at most this many
MIN_WINDOW = 16  # characters (quote and context) that must reappear intact (`identity.held`)


@dataclass(frozen=True, slots=True)
class Weights:
    quote: float = 50
    prefix: float = 20
    suffix: float = 20
    position: float = 20  # closeness to the old offsets: 1 there, 1/2 at `nearby` characters
    nearby: int = 300
    max_error_rate: float = 0.5  # edits allowed, as a fraction of the quote's length
    review: bool = True  # False: the best candidate is always taken, silently (Hypothesis)
    full_window: bool = True  # compare context beyond the stored characters
    keep_context: float = 0.6  # context at the old offsets that keeps the annotation there
    # A placement is silent only if none of these casts doubt on it (`_doubt`):
    margin: float = 0.05  # a rival scoring this close
    far: int = 300  # characters from the old offsets
    min_context: float = 0.35  # mean prefix/suffix similarity below this
    min_side: float = 0.2  # ... or either side below this
    reworded: float = 0.4  # an edited quote with more than this fraction of it edited
    edited_context: float = 0.6  # an edited quote, with context below this
    edited_side: float = 0.4  # ... or either side below this
    short_quote: int = 12  # a quote shorter than this, with context below `strong_context`
    strong_context: float = 0.5
    orphan_context: float = 0.25  # below this, a placement is not even proposed
    unique_length: int = 20  # ... unless the quote is this long and occurs once
    kept_side: float = 0.8  # a match at the old offsets with this context on both sides
    consensus: int = 10  # another annotation moved by this shift, give or take, vouches (far)
    on_block: int = 2  # ... and an unedited quote this close to where that shift puts it
    adjacent: int = 3  # characters right beside a short quote that still agree, each side
    clear_context: float = 0.45  # an unedited quote near its old place with this context,
    clear_side: float = 0.3  # ... this on each side,
    clear_lead: float = 0.1  # ... and this much more than any other passage's: certain
    typo: float = 0.02  # edits, as a fraction of a long quote, that a "typo fixed" may have

    @property
    def total(self) -> float:
        return self.quote + self.prefix + self.suffix + self.position


TAGLINE = Weights()
HYPOTHESIS = Weights(
    quote=50,
    prefix=20,
    suffix=20,
    position=2,
    max_error_rate=0.5,
    review=False,
    full_window=False,
)


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int
    end: int
    score: float  # 0..1, weighted quote/prefix/suffix/position similarity
    distance: int  # edits between the quote and text[start:end]
    context: float  # mean prefix/suffix similarity, 0..1
    prefix: float = 1.0
    suffix: float = 1.0
    doubt: str = ""  # why this placement needs review; empty when it is certain

    @property
    def exact(self) -> bool:
        return self.distance == 0


def max_edits(exact: str, weights: Weights = TAGLINE) -> int:
    """Edits a fuzzy match may have: proportional to the quote's length."""
    return int(len(exact) * weights.max_error_rate)


def _similarity(expected: str, actual: str) -> float:
    if not expected and not actual:
        return 1.0
    return 1.0 - Levenshtein.normalized_distance(expected, actual)


def _context(
    text: str, start: int, end: int, prefix: str, suffix: str, full: bool
) -> tuple[float, float]:
    """Prefix and suffix similarity; `full` compares at least `CONTEXT` characters a side.

    A stored context shorter than `CONTEXT` means the text ended there, so the text
    beyond it must end too: comparing only as many characters as were stored would
    let a suffix of `"\\n"` match every line end.
    """
    before_n = max(len(prefix), CONTEXT) if full else len(prefix)
    after_n = max(len(suffix), CONTEXT) if full else len(suffix)
    before = text[max(0, start - before_n) : start]
    after = text[end : end + after_n]
    return _similarity(prefix, before), _similarity(suffix, after)


def _candidate(
    text: str, start: int, end: int, exact: str, prefix: str, suffix: str, hint: int, w: Weights
) -> Candidate:
    distance = Levenshtein.distance(exact, text[start:end])
    quote_sim = 1.0 - distance / max(len(exact), end - start, 1)
    pre, suf = _context(text, start, end, prefix, suffix, w.full_window)
    position = w.nearby / (w.nearby + abs(start - hint))
    score = (
        w.quote * quote_sim + w.prefix * pre + w.suffix * suf + w.position * position
    ) / w.total
    return Candidate(start, end, score, distance, (pre + suf) / 2, pre, suf)


def _occurrences(text: str, exact: str, hint: int = 0, limit: int = MAX_COPIES) -> list[int]:
    """Starts of the exact copies of `exact`: the `limit` nearest `hint`, in text order."""
    out: list[int] = []
    i = text.find(exact)
    while i >= 0 and len(out) < SCAN_COPIES:
        out.append(i)
        i = text.find(exact, i + 1)
    if len(out) > limit:
        out = sorted(sorted(out, key=lambda s: abs(s - hint))[:limit])
    return out


def find_exact(text: str, exact: str, prefix: str, suffix: str, hint: int) -> int | None:
    """The start of the best exact occurrence of `exact` (by context, then closeness).

    For imports: a missing prefix or suffix means unknown, not the text's edge, so only
    the stored characters are compared.
    """
    starts = _occurrences(text, exact, hint) if exact else []
    if not starts:
        return None
    loose = replace(TAGLINE, full_window=False)
    return max(
        starts,
        key=lambda s: _candidate(text, s, s + len(exact), exact, prefix, suffix, hint, loose).score,
    )


def _refine(text: str, exact: str, start: int, end: int, slack: int) -> tuple[int, int]:
    """Move a rough window's edges (by up to `slack`) to where the quote aligns best.

    Coordinate descent on the Levenshtein distance: the best start with the end
    widened, then the best end for that start. rapidfuzz makes each distance cheap.
    """
    # The old offsets may lie past the end of a shortened text: start from inside it.
    start = max(0, min(start, len(text) - 1))
    end = max(start + 1, min(end, len(text)))
    lo, hi = max(0, start - slack), min(len(text), end + slack)

    def best(options: range, span, ref: int) -> int:
        def cost(i: int) -> tuple[int, int]:
            return Levenshtein.distance(exact, span(i)), abs(i - ref)

        # Coarse to fine: every `step`-th edge, then the edges around the best of those
        # (the distance grows about steadily away from the best edge).
        step = max(1, len(options) // REFINE_STEPS)
        at = min(options[::step], key=cost)
        return min(range(max(options.start, at - step + 1), min(options.stop, at + step)), key=cost)

    s = best(range(lo, min(start + slack, end - 1) + 1), lambda i: text[i:end], start)
    e = best(range(max(s + 1, end - slack), hi + 1), lambda i: text[s:i], end)
    return s, e


def _fuzzy(
    text: str, exact: str, prefix: str, suffix: str, hint: int, w: Weights, bounded: bool = True
) -> list[Candidate]:
    bound = max_edits(exact, w)
    if (bound == 0 and bounded) or not text:
        return []
    length = len(exact)
    rough: set[tuple[int, int]] = set()
    # A match within the edit bound scores at least about 1/3 on rapidfuzz's scale.
    cutoff = FUZZY_CUTOFF if bounded else 0
    # The quote near its old place (tried first: an edit in place beats a copy far
    # away); the quote anywhere; the quote with its context.
    near = max(0, hint - 2 * length)
    searches = [
        (near, text[near : hint + 3 * length], exact, 0, 0),
        (0, text, exact, 0, 0),
        (0, text, prefix + exact + suffix, len(prefix), len(suffix)),
    ]
    for base, haystack, needle, cut_left, cut_right in searches:
        if not needle or len(needle) > len(haystack):
            continue
        al = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=cutoff)
        if al is None or al.score == 0:
            continue
        # For the context-extended needle, the quote is roughly its middle part.
        s = min(base + al.dest_start + cut_left, len(text) - 1)
        rough.add((s, max(s + 1, base + al.dest_end - cut_right)))
    slack = min(bound, max(16, length // 4))
    windows = {_refine(text, exact, s, e, slack) for s, e in rough}
    out = []
    for s, e in windows:
        cand = _candidate(text, s, e, exact, prefix, suffix, hint, w)
        if cand.distance <= bound or not bounded:
            out.append(cand)
    return out


def _adjacent(text: str, c: Candidate, prefix: str, suffix: str) -> int:
    """How many characters right beside `c` still agree with the stored context, on its
    weaker side (`identity.agree`). Rewording a few words nearby leaves them; a copy of a word
    elsewhere rarely has them on both sides."""
    return min(agree(text, c.start, c.end, prefix, suffix))


def _sides(best: Candidate, prefix: str, suffix: str) -> tuple[float, float]:
    """The context that says something: a side stored at the text's edge (shorter than
    `CONTEXT`) that no longer is one may just have had text added, so the other side
    speaks for both; the score still counts it as a mismatch."""
    pre, suf = best.prefix, best.suffix
    if len(prefix) < CONTEXT and len(suffix) >= CONTEXT:
        pre = max(pre, suf)
    elif len(suffix) < CONTEXT and len(prefix) >= CONTEXT:
        suf = max(pre, suf)
    return pre, suf


def _doubt(
    text: str,
    best: Candidate,
    pool: Iterable[Candidate],
    exact: str,
    prefix: str,
    suffix: str,
    hint: int,
    w: Weights,
    copies: int,
) -> str:
    """Why `best` is not certain, or "" if it is (`copies`: exact copies of the quote)."""
    rival = max(
        (c for c in pool if c.end <= best.start or c.start >= best.end),
        key=lambda c: c.score,
        default=None,
    )
    pre, suf = _sides(best, prefix, suffix)
    context, side = (pre + suf) / 2, min(pre, suf)
    near = abs(best.start - hint) <= w.far
    # The characters right beside the quote still agree on both sides, near its old
    # place: the words reworded around it were not these (a copy of a word nearby
    # rarely keeps both neighbours).
    beside = (
        best.exact
        and abs(best.start - hint) <= w.far // 2
        and _adjacent(text, best, prefix, suffix) >= w.adjacent
    )
    others = [c for c in pool if c.end <= best.start or c.start >= best.end]
    # Unedited, near, its context agreeing in part on both sides and clearly better than
    # any other passage's: the same words, with some of their neighbours reworded.
    clear = (
        best.exact
        and near
        and best.context >= w.clear_context
        and min(best.prefix, best.suffix) >= w.clear_side
        and all(best.context - c.context >= w.clear_lead for c in others)
    )
    if (
        rival is not None
        and best.score - rival.score < w.margin
        and not clear
        and not (beside and _adjacent(text, rival, prefix, suffix) < w.adjacent)
        and not (
            # A copy far away with better context does not outweigh a passage at its
            # old place (shifted a little) whose context on both sides still agrees.
            abs(rival.start - hint) > w.far
            and abs(best.start - hint) <= w.far // 2
            and min(best.prefix, best.suffix) >= w.strong_context
        )
    ):
        return "another passage matches almost as well"
    if not near:
        # A moved passage and a deleted one with a copy elsewhere look the same.
        return FAR
    old = hint + len(exact)
    if not (best.start < old and hint < best.end) and any(
        c.start < old and hint < c.end and min(c.prefix, c.suffix) >= w.kept_side for c in pool
    ):
        # The old place still holds the passage, edited, in its own context.
        return "the old place still matches in part"
    # A long quote found once, unedited, near its old place: its own words are the
    # evidence, however its surroundings were reworded.
    # (At least one side must still agree in part, and a side stored at the text's
    # edge must still be one.)
    edges_hold = all(
        sim >= w.min_side
        for stored, sim in ((prefix, best.prefix), (suffix, best.suffix))
        if len(stored) < CONTEXT
    )
    # ... or with a typo fixed (no exact copy left, a few edits), one side still intact.
    typo = (
        copies == 0
        and 0 < best.distance <= len(exact) * w.typo
        and max(best.prefix, best.suffix) >= w.kept_side
    )
    sure = (
        abs(best.start - hint) <= w.far // 2
        and ((best.exact and copies == 1) or typo)
        and len(exact) >= w.unique_length
        and max(best.prefix, best.suffix) >= w.min_context
        and edges_hold
    )
    if not sure and (context < w.min_context or side < w.min_side):
        return "the text around it changed"
    # Reworded between intact surroundings, in place: the same passage, edited.
    # (Half the quote replaced is another passage, even there.)
    framed = (
        min(best.prefix, best.suffix) >= w.kept_side
        and abs(best.start - hint) <= w.far // 2
        and best.distance < len(exact) * w.max_error_rate
    )
    if best.distance > len(exact) * w.reworded and not framed:
        return "the passage was reworded"
    # (A quote edited more than a little gets no leniency at an edge: text added there
    # is no evidence for it.)
    bare = (
        min(best.prefix, best.suffix) < w.min_side and best.distance > len(exact) * w.reworded / 2
    )
    if not best.exact and not sure and (context < w.edited_context or side < w.edited_side or bare):
        return "the passage was edited and its context changed"
    if (
        len(exact) < w.short_quote
        and (context < w.strong_context or side < w.edited_side)
        and not beside
        and not clear
    ):
        return "a short quote whose context changed"
    return ""


def locate(
    text: str,
    exact: str,
    prefix: str,
    suffix: str,
    start: int,
    end: int,
    weights: Weights = TAGLINE,
    identity: Identity | None = None,
) -> Candidate | None:
    """Where the quote now is in `text` (with `doubt` set if uncertain), or None.

    `identity` (`Annotation.identity`), when known, is evidence from the old text: an
    exact copy around which the window that told the passage apart reappears is
    certain; a passage whose whole window had copies, some now lost, is doubtful on a
    surviving copy unless that copy has the reach that told the annotated one apart.
    """
    w = weights
    if not exact:
        return None
    ident = identity if w.review else None
    window = prefix + exact + suffix
    twins = ident is not None and ident.prefix < 0 and ident.suffix < 0
    lost = ident is not None and twins and len(find_all(text, window, ident.copies)) < ident.copies
    # Twins: a copy is theirs if it has the reach that told it apart (every side kept,
    # once copies were lost; any side otherwise).
    holds = _all_reached if lost else _any_reached
    if text[start:end] == exact:
        here = _candidate(text, start, end, exact, prefix, suffix, start, w)
        if not w.review or (
            (here.context >= w.keep_context and min(here.prefix, here.suffix) >= w.min_side)
            # At the old offsets may now stand the other copy (the text shifted by the
            # distance between them): a kept reach must agree there too.
            and not (
                twins
                and ident is not None
                and (lost or any(ident.reach))
                and not holds(text, start, end, ident)
            )
        ):
            return here
    starts = _occurrences(text, exact, start)
    pool = {
        (s, s + len(exact)): _candidate(text, s, s + len(exact), exact, prefix, suffix, start, w)
        for s in starts
    }
    for c in _fuzzy(text, exact, prefix, suffix, start, w):
        pool.setdefault((c.start, c.end), c)
    if not pool:
        return None
    best = max(pool.values(), key=lambda c: c.score)
    if not w.review:
        return best
    if ident is not None:
        if twins:
            sure = [s for s in starts if holds(text, s, s + len(exact), ident)]
        else:
            sure = [
                s
                for s in starts
                if held(text, s, s + len(exact), prefix, suffix, ident) >= MIN_WINDOW
            ]
        if len(sure) == 1:
            return replace(pool[(sure[0], sure[0] + len(exact))], doubt="")
        if ident.prefix == 0 and len(starts) == 1:
            # The quote alone was one of a kind, and its only copy is near its old place,
            # its context still agreeing in part: reworded surroundings, the same words.
            only = pool[(starts[0], starts[0] + len(exact))]
            if (
                abs(only.start - start) <= w.far
                and only.context >= w.min_context
                and min(only.prefix, only.suffix) >= w.min_side
            ):
                return replace(only, doubt="")
    unique = len(starts) == 1 and best.exact and len(exact) >= w.unique_length
    if best.context < w.orphan_context and not unique:
        return None
    if lost and text.startswith(window, best.start - len(prefix)):
        return replace(best, doubt=COPY_LOST)
    if ident is not None and not twins and best.exact:
        # A copy whose neighbours agree with the stored context one character short of
        # what told the annotated passage apart: the copy that stood beside it when tagged.
        before, after = agree(text, best.start, best.end, prefix, suffix)
        sides = (
            _twin_side(before, ident.prefix, len(prefix)),
            _twin_side(after, ident.suffix, len(suffix)),
        )
        if "short!" in sides and set(sides) <= {"short!", "short", "same"}:
            return replace(best, doubt=TWIN)
    doubt = _doubt(text, best, pool.values(), exact, prefix, suffix, start, w, len(starts))
    if doubt and not best.exact:
        kept = _one_end_kept(text, best, exact, prefix, suffix, start, w)
        if kept is not None:
            return kept
    return replace(best, doubt=doubt)


def _twin_side(agreeing: int, needed: int, stored: int) -> str:
    """How a copy's neighbours on one side compare with what told the annotated passage
    apart there (`needed` characters, -1: none did): "short" by exactly one character
    (the copy that was closest when tagged; "short!" if 3 or more were needed, which
    chance rarely matches), "same" as all of a side that told nothing apart, or ""
    (anything else: context that changed)."""
    if needed >= 1 and agreeing == needed - 1:
        return "short!" if needed >= 3 else "short"
    if needed < 0 and agreeing == stored:
        return "same"
    return ""


def _all_reached(text: str, start: int, end: int, identity: Identity | None) -> bool:
    matched, kept = reached(text, start, end, identity) if identity else (0, 0)
    return kept > 0 and matched == kept


def _any_reached(text: str, start: int, end: int, identity: Identity) -> bool:
    return reached(text, start, end, identity)[0] > 0


def _word_end(exact: str, n: int) -> int:
    """`n`, moved back to the end of a word of `exact` if it cuts one."""
    while 0 < n < len(exact) and exact[n - 1].isalnum() and exact[n].isalnum():
        n -= 1
    while n > 0 and exact[n - 1].isspace():
        n -= 1
    return n


def _one_end_kept(
    text: str, best: Candidate, exact: str, prefix: str, suffix: str, hint: int, w: Weights
) -> Candidate | None:
    """The passage cut at one end, near its old place: the quote's head still follows its
    whole prefix word for word (or its tail still precedes its whole suffix), more than
    half of it, the rest of the quote nowhere in the text and the context beyond it not
    near (so it was cut off, not edited inside). That part is the same passage,
    shortened: the placement is trimmed to it and certain."""
    if abs(best.start - hint) > w.far // 2 or len(exact) < 2 * MIN_WINDOW:
        return None
    n = MIN_WINDOW
    if len(prefix) == CONTEXT:  # the head kept: the prefix ends where the passage starts
        for s in {best.start, hint}:
            if not (0 <= s <= len(text) and text.endswith(prefix, 0, s)):
                continue
            h = 0
            while h < len(exact) and s + h < len(text) and text[s + h] == exact[h]:
                h += 1
            h = _word_end(exact, h)
            after = text[s + h : s + len(exact) + w.far]
            rest = exact[-n:]  # the quote's tail: nowhere in the text
            gone = rest not in text[:s] and rest not in text[s + h :]
            if 2 * h > len(exact) and h >= n and gone and suffix[:n] not in after:
                return replace(_candidate(text, s, s + h, exact, prefix, suffix, hint, w), doubt="")
    if len(suffix) == CONTEXT:  # the tail kept: the suffix starts where the passage ends
        for e in {best.end, hint + len(exact)}:
            if not (0 <= e <= len(text) and text.startswith(suffix, e)):
                continue
            t = 0
            while t < len(exact) and e - t > 0 and text[e - t - 1] == exact[-t - 1]:
                t += 1
            t = _word_end(exact[::-1], t)
            before = text[max(0, e - len(exact) - w.far) : e - t]
            rest = exact[:n]  # the quote's head: nowhere in the text
            gone = rest not in text[: e - t] and rest not in text[e:]
            if 2 * t > len(exact) and t >= n and gone and prefix[-n:] not in before:
                return replace(_candidate(text, e - t, e, exact, prefix, suffix, hint, w), doubt="")
    return None


def candidates(ann: Annotation, article: Article, k: int = 3) -> list[Candidate]:
    """The `k` best passages for an orphan, supported or not, for the analyst to choose from.

    An annotation that needs review has its proposed placement first.
    """
    text = article.text
    found: dict[tuple[int, int], Candidate] = {}
    # Unbounded: any passage, however edited, may be the one the analyst picks.
    args = (ann.exact, ann.prefix, ann.suffix, ann.start, HYPOTHESIS)
    if ann.status == REVIEW and 0 <= ann.start < ann.end <= len(text):
        found[(ann.start, ann.end)] = _candidate(text, ann.start, ann.end, *args)
    for s in _occurrences(text, ann.exact, ann.start, 50):
        found.setdefault((s, s + len(ann.exact)), _candidate(text, s, s + len(ann.exact), *args))
    for c in _fuzzy(text, *args, bounded=False):
        found.setdefault((c.start, c.end), c)
    ranked = sorted(found.values(), key=lambda c: -c.score)
    if ann.status == REVIEW:
        ranked.sort(key=lambda c: (c.start, c.end) != (ann.start, ann.end))
    return ranked[:k]


def place(ann: Annotation, article: Article, start: int, end: int, status: str) -> Annotation:
    """`ann` moved onto `article.text[start:end]`, with new quote, context and hash."""
    prefix, suffix = context_of(article.text, start, end)
    return ann.touched(
        start=start,
        end=end,
        exact=article.text[start:end],
        prefix=prefix,
        suffix=suffix,
        article_sha256=article.sha256,
        status=status,
        identity=identify(article.text, start, end, prefix, suffix),
    )


def _outcome(ann: Annotation, article: Article, found: Candidate | None) -> tuple[Annotation, str]:
    """(annotation on the current text, what happened: kept, reanchored, flagged or orphaned)."""
    if found is None:
        n = len(article.text)
        return replace(ann, start=min(ann.start, n), end=min(ann.end, n), status="orphaned"), (
            "orphaned"
        )
    if found.doubt:
        # Proposed, not placed: the old quote and context stay as the evidence.
        return ann.touched(
            start=found.start, end=found.end, article_sha256=article.sha256, status=REVIEW
        ), "flagged"
    moved = (found.start, found.end) != (ann.start, ann.end) or not found.exact
    if not moved and ann.status not in ("orphaned", REVIEW):
        # Same passage at the same place: the hash and context catch up; not an edit.
        prefix, suffix = context_of(article.text, found.start, found.end)
        return replace(
            ann,
            article_sha256=article.sha256,
            prefix=prefix,
            suffix=suffix,
            identity=identify(article.text, found.start, found.end, prefix, suffix),
        ), "kept"
    return place(ann, article, found.start, found.end, "reanchored"), "reanchored"


def _reanchor(ann: Annotation, article: Article, weights: Weights) -> tuple[Annotation, str]:
    found = locate(
        article.text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end, weights, ann.identity
    )
    return _outcome(ann, article, found)


def locate_all(
    anns: list[Annotation], article: Article, weights: Weights = TAGLINE
) -> list[Candidate | None]:
    """`locate` for all of an article's annotations, which vouch for each other's moves.

    One annotation cannot tell a moved paragraph from a deleted one with a copy
    elsewhere, so a placement far from its old place is doubtful. But when another
    annotation of the article, more than `far` characters away in the old text (outside
    the passage that moved), was placed with the same shift (within `consensus`
    characters), the text between them moved as one block: the shifted old offsets
    become the position hint, and the placement is judged again from there. An
    unedited quote of `short_quote` characters or more found right there (within
    `on_block`) is certain, whatever else cast doubt on it (its surroundings reworded,
    a copy elsewhere): a wrong passage would have to sit exactly where the block put it.
    """
    w = weights
    text = article.text
    first = [locate(text, a.exact, a.prefix, a.suffix, a.start, a.end, w, a.identity) for a in anns]
    if not w.review:
        return first
    out = list(first)
    moves = [
        (a.start, f.start - a.start)
        for a, f in zip(anns, first, strict=True)
        if f is not None and f.doubt in ("", FAR)
    ]
    for i, (ann, found) in enumerate(zip(anns, first, strict=True)):
        if found is None or found.doubt != FAR:
            continue
        shift = found.start - ann.start
        if any(
            abs(old - ann.start) > w.far and abs(other - shift) <= w.consensus
            for old, other in moves
        ):
            again = locate(
                text,
                ann.exact,
                ann.prefix,
                ann.suffix,
                ann.start + shift,
                ann.end + shift,
                w,
                ann.identity,
            )
            if again is not None:
                out[i] = again
    for i, (ann, found) in enumerate(zip(anns, out, strict=True)):
        # An unedited quote (not short) exactly where the block's shift puts it: a copy
        # elsewhere or reworded surroundings do not outweigh that.
        if (
            found is not None
            and found.doubt
            and found.exact
            and len(ann.exact) >= w.short_quote
            and any(
                abs(old - ann.start) > w.far and abs(ann.start + other - found.start) <= w.on_block
                for old, other in moves
            )
        ):
            out[i] = replace(found, doubt="")
    return out


def reanchor_article(
    anns: list[Annotation], article: Article, weights: Weights = TAGLINE
) -> list[tuple[Annotation, str, Candidate | None]]:
    """All of an article's annotations on its current text: (annotation, outcome, placement)."""
    found = locate_all(anns, article, weights)
    return [(*_outcome(a, article, f), f) for a, f in zip(anns, found, strict=True)]


def reanchor(ann: Annotation, article: Article, weights: Weights = TAGLINE) -> Annotation:
    """`ann` on `article`'s current text: kept, reanchored, needs_review or orphaned."""
    return _reanchor(ann, article, weights)[0]


@dataclass(slots=True)
class Report:
    reanchored: int = 0
    orphaned: int = 0
    changed: list[tuple[Annotation, Annotation]] = field(default_factory=list)  # (before, after)
    saved: bool = False
    flagged: int = 0  # placed, but needing review

    def current(self, annotations: Iterable[Annotation]) -> Iterator[Annotation]:
        """`annotations` with this report's re-anchored versions in place of the old ones."""
        after = {a.id: b for a, b in self.changed}
        for ann in annotations:
            yield after.get(ann.id, ann)

    def count(self, before: Annotation, after: Annotation, outcome: str) -> None:
        """Record one annotation's outcome (`_outcome`)."""
        if outcome == "orphaned":
            self.orphaned += 1
        elif outcome == "reanchored":
            self.reanchored += 1
        elif outcome == "flagged":
            self.flagged += 1
        if after != before:
            self.changed.append((before, after))

    def __bool__(self) -> bool:
        return bool(self.reanchored or self.orphaned or self.flagged)

    def message(self) -> str:
        def n(count: int) -> str:
            return f"{count} annotation{'s' if count != 1 else ''}"

        parts: list[str] = []
        for count, what in (
            (self.reanchored, "re-anchored"),
            (self.flagged, "need review" if self.flagged != 1 else "needs review"),
            (self.orphaned, "orphaned"),
        ):
            if count:
                parts.append(f"{n(count) if not parts else count} {what}")
        if not parts:
            return "all annotations in place"
        return ", ".join(parts) + (
            "" if self.saved or not self.changed else " (not saved: read-only)"
        )


def reanchor_all(
    annotations: Iterable[Annotation], corpus: Corpus, weights: Weights = TAGLINE
) -> Report:
    """Re-anchor the annotations whose article's hash changed (without saving)."""
    report = Report()
    by_article: dict[str, list[Annotation]] = {}
    articles: dict[str, Article] = {}
    for ann in annotations:
        article = corpus.get(ann.article_id)
        if article is None or ann.article_sha256 == article.sha256:
            continue
        by_article.setdefault(article.id, []).append(ann)
        articles[article.id] = article
    for article_id, anns in by_article.items():
        for ann, (after, outcome, _) in zip(
            anns, reanchor_article(anns, articles[article_id], weights), strict=True
        ):
            report.count(ann, after, outcome)
    return report


def stale(store: Store, corpus: Corpus) -> Iterator[Annotation]:
    """Annotations whose article text changed since they were saved.

    Reads the stored hashes first, so an open with nothing to do builds no objects.
    """
    hashes = store.article_hashes()
    for article_id in sorted(hashes):
        article = corpus.get(article_id)
        if article is None:
            continue
        if any(h != article.sha256 for h in hashes[article_id]):
            yield from (
                a for a in store.for_article(article_id) if a.article_sha256 != article.sha256
            )


def reanchor_store(
    store: Store, corpus: Corpus, weights: Weights = TAGLINE, *, save: bool = True
) -> Report:
    """Re-anchor a store's annotations on the corpus, saving the changes in one write.

    Not undoable: undo would put annotations back on offsets that no longer hold. On
    a read-only store the report is computed but nothing is saved (`Report.saved`);
    `Report.current()` then gives the placed annotations for exports.
    """
    report = reanchor_all(stale(store, corpus), corpus, weights)
    if report.changed and save and not store.read_only:
        store.put_many([after for _, after in report.changed], label="re-anchor", undoable=False)
        report.saved = True
    return report


def orphans(store: Store, corpus: Corpus) -> list[tuple[Annotation, Article]]:
    """Orphans and placements that need review, with their articles, for the review screen."""
    return [
        (ann, article)
        for ann in store.all()
        if ann.status in ("orphaned", REVIEW)
        and (article := corpus.get(ann.article_id)) is not None
    ]
