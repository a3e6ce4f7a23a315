"""Decoding and normalisation: the one place article text is turned into offsets' ground truth."""

from __future__ import annotations

import codecs
import re


class BinaryFileError(ValueError):
    """The bytes are not text."""


# Control characters other than \n and \t: they corrupt the terminal, and
# str.splitlines() breaks lines on \x0b \x0c \x1c-\x1e \x85 \u2028 \u2029 too.
# \u200b-\u200f and \u202a-\u202e (bidi controls) would let text reorder itself on screen.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NEWLINES = re.compile("\r\n?")


def decode(data: bytes) -> str:
    """Bytes to `str`: UTF-8 (BOM or not) first, else the detected encoding.

    Raises `BinaryFileError` for data that is not text.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data[:8192]:
        raise BinaryFileError("binary data")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Imported only for a file that is not UTF-8 (~30 ms of every start otherwise).
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise BinaryFileError("binary data")
    return str(best)


def normalise(text: str) -> str:
    """Newlines to `\\n`; control characters other than `\\n` and `\\t` removed."""
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    return _CONTROL.sub("", text)
