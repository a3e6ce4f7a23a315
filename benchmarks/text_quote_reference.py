"""The reference re-anchoring: dom-anchor-text-quote's `toTextPosition` on diff-match-patch.

A line-for-line port of the algorithm the Hypothesis client long used for
TextQuoteSelectors (dom-anchor-text-quote, MIT), on the real `diff-match-patch`
package (Google's Bitap matcher): find the prefix near the position hint, else the
suffix, then the quote in 32-character slices, each near the end of the last. As
Hypothesis does, the stored offsets are tried first (a TextPositionSelector whose
text still equals the quote). The best match found is always taken, silently.
"""

from __future__ import annotations

from diff_match_patch import diff_match_patch

SLICE = 32  # Bitap's pattern limit (Match_MaxBits)


def to_text_position(
    text: str, exact: str, prefix: str | None, suffix: str | None, hint: int | None
) -> tuple[int, int] | None:
    dmp = diff_match_patch()
    dmp.Match_Distance = len(text) * 2
    slices = [exact[i : i + SLICE] for i in range(0, len(exact), SLICE)]
    loc = hint if hint is not None else len(text) // 2
    found_prefix = False
    if prefix is not None:
        result = dmp.match_main(text, prefix, loc)
        if result > -1:
            loc = result + len(prefix)
            found_prefix = True
    if suffix is not None and not found_prefix:
        result = dmp.match_main(text, suffix, loc + len(exact))
        if result > -1:
            loc = result - len(exact)
    first, rest = slices[0], slices[1:]
    result = dmp.match_main(text, first, loc)
    if result == -1:
        return None
    start, end = result, result + len(first)
    loc = end
    # The next slices should follow closely ("deliberately generous for now").
    dmp.Match_Distance = 64
    for piece in rest:
        result = dmp.match_main(text, piece, loc)
        if result == -1:
            return None
        loc = result + len(piece)
        start, end = min(start, result), max(end, result + len(piece))
    return start, end


def anchor(
    text: str, exact: str, prefix: str, suffix: str, start: int, end: int
) -> tuple[int, int] | None:
    """The stored offsets if the quote is still there, else the text-quote search."""
    if not exact:
        return None
    if text[start:end] == exact:
        return start, end
    return to_text_position(text, exact, prefix, suffix, start)
