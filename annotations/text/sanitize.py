"""Text from outside made safe to store and to show: the one sanitiser.

Notes, authors, theme names and ids arrive through imports, the environment and
flags; file names come from the corpus folder (any bytes, decoded with
`surrogateescape`). Control characters among them would drive the terminal (an OSC
sequence retitles it, a CSI one recolours it) or break columns and lines, and a lone
surrogate cannot even be written as UTF-8. Imports *clean* (strip) them; every
place that shows outside text *escapes* what is left, so nothing reaches the
terminal raw even from a database edited by hand.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, line/paragraph separators, bidi overrides and isolates
# (they reorder text on screen), the BOM/zero-width no-break space.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"
_SURROGATES = "\ud800-\udfff"
_UNSAFE_LINE = re.compile(f"[{_CONTROLS}{_SURROGATES}]")
# The same without \n and \t, for multi-line text.
_UNSAFE_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{_CONTROLS[3:]}{_SURROGATES}]")
_SPACE_LIKE = re.compile("[\t\n\x0b\x0c\r\x1c-\x1f\x85\u2028\u2029]+")


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def has_unsafe(text: str) -> bool:
    """True if `text` holds a control character or a lone surrogate."""
    return _UNSAFE_LINE.search(text) is not None


def clean_line(text: str) -> str:
    """One-line text (a name, author, id): line breaks and tabs become spaces, other
    control characters are removed, lone surrogates become U+FFFD; trimmed."""
    text = _SPACE_LIKE.sub(" ", text)
    text = _UNSAFE_LINE.sub(lambda m: "\ufffd" if m.group() >= "\ud800" else "", text)
    return text.strip()


def clean_text(text: str) -> str:
    """Multi-line text (a note): `\\n` and `\\t` kept, CR LF to LF, other control
    characters removed, lone surrogates become U+FFFD."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _UNSAFE_TEXT.sub(lambda m: "\ufffd" if m.group() >= "\ud800" else "", text)


def printable(text: str) -> str:
    """For display on one line: every control character and lone surrogate shown as
    an escape (`\\x1b`, `\\n`→`\\x0a`), the rest unchanged."""
    if text.isprintable():  # nothing to escape (every escaped character is unprintable)
        return text
    return _UNSAFE_LINE.sub(_visible, text)


def printable_text(text: str) -> str:
    """For display over several lines: like `printable` but `\\n` and `\\t` kept."""
    return _UNSAFE_TEXT.sub(_visible, text)


def path_text(path: object) -> str:
    """A path for display: undecodable bytes and control characters escaped."""
    return printable(str(path))
