"""Folding and words: the one tokenisation shared by indexing, querying and highlighting.

*Folding*: NFKD, combining marks dropped, casefolded; punctuation, symbols and
whitespace become single spaces. ``Ё`` → ``е``, ``é`` → ``e``, ``ﬁ`` → ``fi``.
*Words* are the folded text split on spaces, except that every Chinese/Japanese
character is a word of its own (those scripts have no spaces; matching is by
character, and an exact phrase is a run of them). *Stems* (Snowball, via the
engine's own analyzers) let ``переговорах`` find ``переговоры``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import tantivy

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_CJK_SPLIT = re.compile(f"([{_CJK}])")
_WORD = re.compile(r"\w+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-z]")


def _fold_char(char: str) -> str:
    out = []
    for c in unicodedata.normalize("NFKD", char):
        if unicodedata.combining(c):
            continue
        for d in c.casefold():
            cat = unicodedata.category(d)
            if d.isspace() or cat[0] in "PSZC" or unicodedata.combining(d):
                out.append(" ")
            else:
                out.append(d)
    return "".join(out)


class _FoldTable(dict):
    """`str.translate` table that folds each character on first sight, then caches it."""

    def __missing__(self, key: int) -> str:
        value = _fold_char(chr(key))
        self[key] = value
        return value


TABLE = _FoldTable()
for _i in range(128):
    TABLE[_i] = _fold_char(chr(_i))


def fold(text: str) -> str:
    """Folded text: accents and case gone, punctuation a single space, trimmed."""
    return " ".join(text.translate(TABLE).split())


def fold_with_map(text: str, base: int = 0) -> tuple[str, list[int]]:
    """`fold(text)` plus, for each folded character, the offset (`base` + index) it came from.

    The list has one extra entry, the end of the text, so a folded span `[i, j)` maps to
    original `[m[i], m[j - 1] + 1)`.
    """
    out: list[str] = []
    origin: list[int] = []
    space = True  # drop leading spaces
    for i, char in enumerate(text):
        for d in TABLE[ord(char)]:
            if d == " ":
                if space:
                    continue
                space = True
            else:
                space = False
            out.append(d)
            origin.append(base + i)
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    origin.append(base + len(text))
    return "".join(out), origin


def has_cjk(text: str) -> bool:
    return _CJK_CHAR.search(text) is not None


def index_words(text: str) -> str:
    """The words of `text`, space-separated: what the engine's whitespace tokenizer indexes."""
    folded = text.translate(TABLE)
    if not folded.isascii() and has_cjk(folded):
        folded = _CJK_SPLIT.sub(r" \1 ", folded)
    return folded


def words(text: str) -> list[str]:
    """The words of `text` (see the module docstring)."""
    return index_words(text).split()


def word_spans(text: str, base: int = 0) -> list[tuple[str, int, int]]:
    """(word, start, end) for each word of `text`, offsets into `text` plus `base`.

    The same words as `words(text)`; a \\w-run that folds to several words (``a_b``,
    ``½``) gives each of them the run's whole span.
    """
    out: list[tuple[str, int, int]] = []
    if text.isascii():  # the common case: lower-casing keeps offsets, no per-word folding
        return [
            (m.group(), base + m.start(), base + m.end())
            for m in _ASCII_WORD.finditer(text.lower())
        ]
    for m in _WORD.finditer(text):
        raw = m.group()
        folded = raw.translate(TABLE)
        start = base + m.start()
        if " " not in folded and (raw.isascii() or not has_cjk(raw)):
            if folded:
                out.append((folded, start, start + len(raw)))
            continue
        if has_cjk(raw):  # one word per character, others as runs between them
            pos = 0
            for piece in _CJK_SPLIT.split(raw):
                if piece:
                    for w in piece.translate(TABLE).split():
                        out.append((w, start + pos, start + pos + len(piece)))
                pos += len(piece)
            continue
        for w in folded.split():
            out.append((w, start, start + len(raw)))
    return out


def is_cjk_word(word: str) -> bool:
    return len(word) == 1 and has_cjk(word)


_ANALYZERS: dict[str, tantivy.TextAnalyzer] = {}


def _analyzer(language: str) -> tantivy.TextAnalyzer:
    analyzer = _ANALYZERS.get(language)
    if analyzer is None:
        analyzer = (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
            .filter(tantivy.Filter.stemmer(language))
            .build()
        )
        _ANALYZERS[language] = analyzer
    return analyzer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball stem of a folded word (Russian for Cyrillic, English for Latin)."""
    if _CYRILLIC.search(word):
        language = "russian"
    elif _LATIN.search(word) and word.isascii():
        language = "english"
    else:
        return word
    out = _analyzer(language).analyze(word)
    return out[0] if out else word
