"""The query language: words, "exact phrases", -excluded words and filters.

arctic route              words in any order (typos allowed, the last one a prefix)
"power of siberia"        an exact phrase (folded: case and accents do not matter)
-gas                      passages with this word are left out
theme:energy  -theme:x    passages coded (not coded) with a theme; theme:"two words"
article:word              articles whose id or title contains word
note:words                search annotation notes instead of the text
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotations.search.text import fold, words


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query. `words` are folded; `text` is the free text without filters."""

    text: str
    themes: tuple[str, ...] = ()
    not_themes: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    notes: bool = False
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    prefix: bool = False
    """The last of `words` may be the start of a longer word (the user is still typing it)."""

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases)


_FILTER = re.compile(r'(?:(?<=\s)|^)(-?)(theme|article|notes?):(?:"([^"]*)"?|(\S*))', re.IGNORECASE)
_PHRASE = re.compile(r'"([^"]*)("?)')


def parse_query(query: str) -> Query:
    """Split `query` into words, phrases, exclusions and filters (see the module docstring)."""
    themes: list[str] = []
    not_themes: list[str] = []
    articles: list[str] = []
    notes = False

    def take(m: re.Match[str]) -> str:
        nonlocal notes
        negate, key, quoted, bare = m.groups()
        value = (quoted if quoted is not None else bare or "").strip()
        key = key.lower()
        if key.startswith("note"):
            notes = True
            return f" {value} "
        if not value:
            pass
        elif key == "theme":
            (not_themes if negate else themes).append(value)
        elif not negate:
            articles.append(value)
        return " "

    text = " ".join(_FILTER.sub(take, query).split())
    phrases: list[tuple[str, ...]] = []
    ends_open = bool(query) and not query[-1].isspace()

    def phrase(m: re.Match[str]) -> str:
        nonlocal ends_open
        found = tuple(words(m.group(1)))
        if len(found) > 1:
            phrases.append(found)
            if m.end() == len(text):
                ends_open = False
            return " "
        return f" {m.group(1)} "  # a quoted single word is just a word

    rest = _PHRASE.sub(phrase, text)
    plain: list[str] = []
    excluded: list[str] = []
    tokens = rest.split()
    for token in tokens:
        if token.startswith("-") and len(token) > 1:
            excluded.extend(words(token[1:]))
        else:
            plain.extend(words(token))
    prefix = ends_open and bool(tokens) and not tokens[-1].startswith("-") and bool(plain)
    return Query(
        text=text,
        themes=tuple(themes),
        not_themes=tuple(not_themes),
        articles=tuple(articles),
        notes=notes,
        words=tuple(dict.fromkeys(plain)),
        phrases=tuple(phrases),
        excluded=tuple(dict.fromkeys(excluded)),
        prefix=prefix,
    )


def folded_text(q: Query) -> str:
    """The query's free text folded, without exclusions (for notes and rescoring)."""
    return fold(" ".join(t for t in q.text.split() if not (t.startswith("-") and len(t) > 1)))
