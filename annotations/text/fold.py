"""Folding: the one definition of "the same letters" for matching words.

Case and accents are dropped (`Ё`→`е`, `É`→`e`, `ß`→`ss`) so that a query or a cue
typed without them still matches. Two purposes, two functions built on one rule:

- `fold_letters` keeps everything but case and accents, so hyphens and punctuation
  still separate words for cue matching (suggestions);
- `fold_for_search` also turns punctuation, symbols and control characters into a
  single space, which is how the search index sees text.
"""

from __future__ import annotations

import unicodedata


def fold_letters(text: str) -> str:
    """`text` without case and accents; same length rules as NFKD, punctuation kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold_char_for_search(char: str) -> str:
    """One character as the search index sees it: its folded letters, or a space."""
    out = []
    for d in fold_letters(char):
        if d.isspace() or unicodedata.category(d)[0] in "PSZC":
            out.append(" ")
        else:
            out.append(d)
    return "".join(out)


def fold_for_search(text: str) -> str:
    """Folded text with punctuation as single spaces, trimmed."""
    return " ".join("".join(fold_char_for_search(c) for c in text).split())
