"""What told a passage apart from the rest of its text when it was tagged.

Re-anchoring sees only the new text and what the annotation kept of the old one: its
quote and 32 characters of context a side. From those alone a moved paragraph and a
deleted one with a copy elsewhere look the same. So when the context is taken, the
annotation also keeps how little of it made the passage one of a kind (`Identity`):

- a window of quote and context that occurred once in the old text and is found again
  intact is the same passage, wherever it moved (another copy would have to have been
  written anew, character for character);
- a passage whose whole window had copies is told apart by a longer reach on each side,
  kept as digests; if copies were lost, a survivor is the annotated one only if it has
  both reaches (of two copies printed one after the other, one removed, the survivor
  has the first's text before it and the second's after it: nothing tells which went).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

REACH = 1024  # characters beyond the quote looked at to tell copies of a window apart
_SCAN = 64  # copies of a quote compared character by character; past that, windows are searched


@dataclass(frozen=True, slots=True)
class Identity:
    prefix: int  # fewest prefix characters that, with the quote, occur once; -1: not all of it
    suffix: int  # the same after the quote
    copies: int = 1  # copies of the whole window prefix + quote + suffix (> 1 only if both are -1)
    # ... then, per side (before, after): the characters beyond the quote that make it
    # unique (0: none within `REACH`), and the digest of the quote with them (`_digest`).
    reach: tuple[int, int] = (0, 0)
    digest: tuple[str, str] = ("", "")

    def to_json(self) -> list[Any]:
        """`[prefix, suffix]`, or for twins `[prefix, suffix, copies, reach before, reach
        after, digest before, digest after]`: compact, as every record carries one."""
        if self.copies == 1:
            return [self.prefix, self.suffix]
        return [self.prefix, self.suffix, self.copies, *self.reach, *self.digest]

    @classmethod
    def from_json(cls, value: Any) -> Identity:
        """From `to_json`'s form; raises `ValueError` on anything else. (Every stored
        record goes through here, so the common two-number form is checked first.)"""
        if type(value) is list:
            if len(value) == 2:
                p, s = value
                if type(p) is int and type(s) is int and p >= -1 and s >= -1:
                    return cls(p, s)
            elif len(value) == 7:
                p, s, copies, before, after, first, second = value
                if (
                    all(type(v) is int for v in (p, s, copies, before, after))
                    and p >= -1
                    and s >= -1
                    and copies >= 1
                    and 0 <= before <= REACH
                    and 0 <= after <= REACH
                    and all(type(d) is str and len(d) in (0, 16) for d in (first, second))
                ):
                    return cls(p, s, copies, (before, after), (first, second))
        raise ValueError(
            "identity must be [prefix, suffix] or [prefix, suffix, copies, reach before, "
            f"reach after, digest before, digest after], not {str(value)[:80]}"
        )


def find_all(text: str, needle: str, limit: int) -> list[int]:
    """Starts of `needle` in `text` (overlapping), at most `limit`, in text order."""
    out: list[int] = []
    i = text.find(needle)
    while i >= 0 and len(out) < limit:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _once(text: str, needle: str) -> bool:
    first = text.find(needle)
    return first >= 0 and text.find(needle, first + 1) < 0


def _fewest(text: str, start: int, end: int, stored: str, before: bool) -> int:
    """The fewest characters of `stored` (the prefix if `before`, else the suffix) that
    make the quote occur once with them; -1 if all of them do not."""
    exact = text[start:end]
    copies = find_all(text, exact, _SCAN + 1)
    if len(copies) <= _SCAN:
        # Few copies: drop those whose neighbours differ, one character further each time.
        rest = [c for c in copies if c != start]
        k = 0
        while rest and k < len(stored):
            k += 1
            if before:
                rest = [c for c in rest if c >= k and text[c - k] == stored[-k]]
            else:
                at = len(exact) + k - 1
                rest = [c for c in rest if c + at < len(text) and text[c + at] == stored[k - 1]]
        return -1 if rest else k

    # A common word: binary search (a longer window occurs no more often than a shorter one).
    def window(k: int) -> str:
        return stored[len(stored) - k :] + exact if before else exact + stored[:k]

    if not _once(text, window(len(stored))):
        return -1
    lo, hi = 0, len(stored)
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if _once(text, window(mid)) else (mid + 1, hi)
    return lo


def _digest(text: str, start: int, end: int, reach: int, before: bool) -> str | None:
    """The digest of the quote with `reach` characters before or after it, None where
    the text has not that many."""
    lo, hi = (start - reach, end) if before else (start, end + reach)
    if lo < 0 or hi > len(text):
        return None
    data = text[lo:hi].encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def _common(text: str, a: int, b: int, step: int, limit: int) -> int:
    """How many characters agree going from `a` and `b` by `step` (-1 back, 1 forward)."""
    n = 0
    if step < 0:
        while n < limit and a - n > 0 and b - n > 0 and text[a - n - 1] == text[b - n - 1]:
            n += 1
    else:
        while n < limit and a + n < len(text) and b + n < len(text) and text[a + n] == text[b + n]:
            n += 1
    return n


def identify(text: str, start: int, end: int, prefix: str, suffix: str) -> Identity:
    """The `Identity` of `text[start:end]`, whose context is `prefix` and `suffix`."""
    p = _fewest(text, start, end, prefix, before=True)
    s = _fewest(text, start, end, suffix, before=False)
    if p >= 0 or s >= 0:
        return Identity(p, s)
    exact = text[start:end]
    window = prefix + exact + suffix
    # (Past `_SCAN` copies, as in a table of repeated rows, no reach is kept: comparing
    # them all would cost more than tagging should; `copies` then means "that many or more".)
    copies = find_all(text, window, _SCAN + 1)
    if len(copies) > _SCAN:
        return Identity(p, s, len(copies))
    others = [w + len(prefix) for w in copies if w + len(prefix) != start]
    # On each side, the reach beyond which every other copy differs.
    reach, digest = [0, 0], ["", ""]
    for i, (step, edge) in enumerate(((-1, start), (1, end))):
        same = max(
            (_common(text, edge, (o if step < 0 else o + len(exact)), step, REACH) for o in others),
            default=0,
        )
        kept = _digest(text, start, end, same + 1, step < 0) if same < REACH else None
        if kept is not None:
            reach[i], digest[i] = same + 1, kept
    return Identity(p, s, len(others) + 1, (reach[0], reach[1]), (digest[0], digest[1]))


def agree(text: str, start: int, end: int, prefix: str, suffix: str) -> tuple[int, int]:
    """How many characters right before and right after `text[start:end]` still equal the
    end of the stored prefix and the start of the stored suffix."""
    before = after = 0
    while (
        before < len(prefix) and before < start and text[start - 1 - before] == prefix[-1 - before]
    ):
        before += 1
    while after < len(suffix) and end + after < len(text) and text[end + after] == suffix[after]:
        after += 1
    return before, after


def held(text: str, start: int, end: int, prefix: str, suffix: str, identity: Identity) -> int:
    """How many characters of the window that made the quote one of a kind reappear around
    `text[start:end]` (an exact copy of the quote); 0 if that window is not intact."""
    before, after = agree(text, start, end, prefix, suffix)
    if (0 <= identity.prefix <= before) or (0 <= identity.suffix <= after):
        return end - start + before + after
    return 0


def reached(text: str, start: int, end: int, identity: Identity) -> tuple[int, int]:
    """(sides of `text[start:end]` with the reach that told the annotated copy apart,
    sides on which it was kept)."""
    matched = kept = 0
    for reach, digest, before in zip(identity.reach, identity.digest, (True, False), strict=True):
        if reach:
            kept += 1
            matched += _digest(text, start, end, reach, before) == digest
    return matched, kept
