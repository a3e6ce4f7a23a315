"""Title and metadata of a scraped news article, found by general heuristics.

Scraped pages start with whatever the scraper caught: breadcrumbs ("News > Latest News >"),
contact blocks ("Physical Address" / street / postal code), "Source: X | date" lines,
player widgets, photo captions. The headline is the short, period-less line among them.

Title, in order of preference:

1. The *header* is the non-blank lines before the dateline ("MOSCOW, Aug. 21 (Xinhua) --"),
   or, without a dateline, the lines before the first body paragraph (both within the
   first 20 non-blank lines). Lines that are boilerplate (breadcrumbs, contact/address
   blocks, source/date/editor lines, photo captions, menus, URLs) or not headline-shaped
   (fewer than 4 or more than 30 words, ending with a period like a body sentence) are
   dropped; the rest are candidates.
2. A candidate that occurs twice near the top (pages often repeat their headline) wins.
3. Otherwise the candidate nearest the dateline, or, without a dateline, the first one.
4. No candidate: the first sentence of the lead (the dateline paragraph without its
   dateline, else the first body paragraph), shortened at a word boundary to at most
   100 characters ending in "…". Last resort: `fallback_title` (the file name).

A Markdown file's first line `# Heading` is its title, whatever its length. Titles never
show Markdown inline markup (`*emphasis*`, `**bold**`, `` `code` ``, `[text](url)`).

Metadata is only taken from explicit text, never guessed:

- `source`: the "Source: X" line of the header, else the dateline's agency "(Xinhua)".
- `date`: an explicit full date (ISO "2023-03-22" or "March 22, 2023" / "22 March 2023")
  on a labelled header line ("Source: …", "Published …", "Date: …", "… | 2023-03-22"),
  else a dateline that carries its year. A dateline without a year ("Nov. 25") gives no
  date: the year would have to come from elsewhere in the article, and the only full
  dates there are in photo captions and body sentences (a photo taken days or years
  before, "in March, 2010"), which would silently give a wrong date across a new year or
  for archive photos. `None` is honest; a wrong date is not.
- `city`: the dateline's city, title-cased ("MOSCOW" -> "Moscow", "ST. PETERSBURG" ->
  "St. Petersburg") so it reads the same as other metadata.

Everything returned is a plain string from untrusted text; callers must not treat it as markup.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from annotations.text.segment import sentences


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    title: str
    source: str | None = None
    date: str | None = None  # ISO date, YYYY-MM-DD
    city: str | None = None  # dateline city, title-cased, e.g. Moscow


HEAD_LINES = 20  # non-blank lines searched for the header and the dateline
REPEAT_LINES = 40  # non-blank lines searched for a repeated headline
TITLE_MAX = 100  # characters of a title derived from a lead sentence (incl. "…")
MIN_WORDS, MAX_WORDS = 4, 30

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
_DASH = r"(?:--|—|–|-)"

# "MOSCOW, Nov. 25 (Xinhua) --", "ST. PETERSBURG, Russia, Sept. 19 (Xinhua) --",
# "WASHINGTON (Reuters) -", "BEIJING, March 3, 2024 (Xinhua) --". The city is in capitals;
# a date or an agency must be present, which the code checks.
_DATELINE = re.compile(
    r"(?P<city>[A-Z][A-Z.'’\-]*(?: [A-Z][A-Z.'’\-]*){0,4})"
    r"(?:, [A-Z][\w.'’\-]*(?: [A-Z][\w.'’\-]*){0,3}){0,2}"
    rf"(?:, (?P<month>{_MONTH}) (?P<day>\d{{1,2}})(?:, (?P<year>\d{{4}}))?)?"
    r"(?: ?\((?P<agency>[A-Z][^()\n]{0,40})\))?"
    rf"\s*{_DASH}\s*"
)

_ISO_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_MDY_DATE = re.compile(rf"\b({_MONTH}) (\d{{1,2}}),? (\d{{4}})\b")
_DMY_DATE = re.compile(rf"\b(\d{{1,2}}) ({_MONTH}),? (\d{{4}})\b")

# Boilerplate that is never a headline.
_BREADCRUMB = re.compile(r" > |>\s*$|^\s*<| » | / .* / ")
_META_LABEL = re.compile(
    r"^(?:source|published|posted|updated|date|editor|by|author|photo|video|"
    r"image|credit|copyright|filed|reporter)\b\s*:?",
    re.IGNORECASE,
)
_CONTACT_LABEL = re.compile(
    r"^[\w ]{0,30}\b(?:address|contact(?: us)?|phone|tel|fax|e-?mail|location)\s*:?\s*$",
    re.IGNORECASE,
)
# "304 North Cardinal St.", "10 Downing Street, London": a number, a few words, a street type.
_STREET = re.compile(
    r"^\d+[A-Za-z]?(?: \S+){1,4} (?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Lane|Ln|Dr|"
    r"Drive|Way|Suite|Floor|Square|Sq|Plaza|Hwy|Highway)\b\.?(?:,|$)"
)
_POSTCODE = re.compile(
    r"\b[A-Z]{2} \d{5}(?:-\d{4})?\b"  # US: MA 02124
    r"|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b"  # UK: SW1A 1AA
    r"|\bP\.?O\.? Box\b"
)
_CAPTION = re.compile(
    r"\((?:[A-Z][\w.'’ -]*/)+[\w.'’ -]+\)\s*$"  # ... (Xinhua/Evgeny Sinitsyn)
    r"|\[(?:photo|photos|image|file photo)\b[^\]]*\]\s*$"  # ... [Photo by Ding Haitao/Xinhua]
    r"|^(?:photo|file photo|photos)\b",
    re.IGNORECASE,
)
_NOISE = re.compile(
    r"https?://|www\.|\S@\S|©|\bcopyright\b|all rights reserved|\|.*\||"
    r"^(?:share|print|e-?mail|comments?|related|advertisement|read more)\b",
    re.IGNORECASE,
)
_ACRONYM_END = re.compile(r"\b(?:[A-Z]\.){2,}$")  # a headline may end "... with U.S."
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")


def _line_words(line: str) -> int:
    return len(line.split())


def _is_caption(line: str) -> bool:
    return bool(_CAPTION.search(line))


def _is_boilerplate(line: str) -> bool:
    return bool(
        _BREADCRUMB.search(line)
        or _META_LABEL.match(line)
        or _CONTACT_LABEL.match(line)
        or _STREET.match(line)
        or _POSTCODE.search(line)
        or _NOISE.search(line)
        or _is_caption(line)
    )


def _is_headline_like(line: str) -> bool:
    words = _line_words(line)
    return (
        MIN_WORDS <= words <= MAX_WORDS
        and (not line.endswith(".") or _ACRONYM_END.search(line) is not None)
        and (line[0].isalnum() or line[0] in "\"'“‘«")
        and not _is_boilerplate(line)
    )


def _is_body(line: str) -> bool:
    """A body paragraph: a long sentence, or several (not a caption, not boilerplate)."""
    return line.endswith((".", '."', ".”")) and _line_words(line) > 12 and not _is_boilerplate(line)


def _dateline(line: str) -> re.Match[str] | None:
    m = _DATELINE.match(line)
    if m is None or not (m["month"] or m["agency"]):
        return None
    if m["agency"] and _line_words(m["agency"]) > 5:
        return None
    return m


def _title_case(city: str) -> str:
    if not city.isupper():
        return city
    return re.sub(r"[^\W\d_]+", lambda w: w[0].capitalize(), city)


_DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "and",
        "or",
        "but",
        "with",
        "by",
        "from",
        "as",
        "that",
        "its",
        "their",
    ]
)


def _shorten(sentence: str, limit: int = TITLE_MAX) -> str:
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    words = cut.split(" ")
    while len(words) > 1 and words[-1].lower().strip(",;:") in _DANGLING:
        words.pop()  # "... the Internet of…" reads worse than "... the Internet…"
    return " ".join(words).rstrip(" ,;:-–—") + "…"


def _first_sentence(paragraph: str) -> str:
    spans = sentences(paragraph)
    if not spans:
        return ""
    start, end = spans[0]
    return _shorten(paragraph[start:end])


def _iso(year: str, month: int, day: str) -> str | None:
    try:
        return dt.date(int(year), month, int(day)).isoformat()
    except ValueError:
        return None


def _month_number(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _find_date(line: str) -> str | None:
    """The first valid explicit full date in `line`, as YYYY-MM-DD."""
    for m in _ISO_DATE.finditer(line):
        if found := _iso(m[1], int(m[2]), m[3]):
            return found
    for m in _MDY_DATE.finditer(line):
        if found := _iso(m[3], _month_number(m[1]), m[2]):
            return found
    for m in _DMY_DATE.finditer(line):
        if found := _iso(m[3], _month_number(m[2]), m[1]):
            return found
    return None


def _source_of(line: str) -> str | None:
    m = re.match(r"source\s*:\s*([^|\n]+)", line, re.IGNORECASE)
    if m is None:
        return None
    value = _ISO_DATE.sub("", m[1]).strip(" ,;-–—")
    return value if value and _line_words(value) <= 5 else None


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3}|`+|~~)(?=\S)(.+?)(?<=\S)\1")
_MD_TITLE = re.compile(r"#{1,6}[ \t]+(.+?)[ \t#]*$")


def plain_title(title: str) -> str:
    """`title` without Markdown inline markup: `*a* [b](c)` reads `a b`."""
    title = _MD_LINK.sub(r"\1", title)
    previous = None
    while previous != title:  # nested: ***x*** or *`x`*
        previous, title = title, _MD_EMPHASIS.sub(r"\2", title)
    return " ".join(title.split())


def extract_metadata(text: str, fallback_title: str) -> ArticleMeta:
    """Title, source, date and city (see the module docstring); titles are plain text."""
    meta = _extract(text, fallback_title)
    first = next((line.strip() for line in text[:2000].split("\n") if line.strip()), "")
    if m := _MD_TITLE.fullmatch(first):  # an explicit Markdown title wins
        meta = ArticleMeta(title=m[1], source=meta.source, date=meta.date, city=meta.city)
    title = plain_title(meta.title) or fallback_title
    if title != meta.title:
        meta = ArticleMeta(title=title, source=meta.source, date=meta.date, city=meta.city)
    return meta


def _extract(text: str, fallback_title: str) -> ArticleMeta:
    """Title, source, date and city of an article (see the module docstring for the rules)."""
    lines: list[str] = []
    for raw in text[:50_000].split("\n"):
        line = _MARKDOWN_HEADING.sub("", raw.strip())
        if line:
            lines.append(line)
            if len(lines) >= REPEAT_LINES:
                break

    # The dateline, and the header above it.
    dateline_at, dateline = None, None
    for i, line in enumerate(lines[:HEAD_LINES]):
        if m := _dateline(line):
            dateline_at, dateline = i, m
            break
    if dateline_at is not None:
        header = lines[:dateline_at]
    else:
        header = []
        for line in lines[:HEAD_LINES]:
            if _is_body(line) and not _is_caption(line):
                break
            header.append(line)

    # Contact blocks: a label line ("Physical Address") hides the lines under it, up to
    # the next blank line; those are dropped from the candidates by the boilerplate test
    # (street, postcode) or, when they are not recognised, by this pass.
    hidden: set[int] = set()
    raw_lines = text[:50_000].split("\n")
    for i, raw in enumerate(raw_lines[: HEAD_LINES * 3]):
        if _CONTACT_LABEL.match(raw.strip()):
            j = i + 1
            while j < len(raw_lines) and not raw_lines[j].strip():
                j += 1
            while j < len(raw_lines) and raw_lines[j].strip():
                hidden.add(j)
                j += 1
    hidden_text = {raw_lines[j].strip() for j in hidden}

    candidates = [line for line in header if _is_headline_like(line) and line not in hidden_text]
    title = ""
    repeated = [line for line in candidates if lines.count(line) >= 2]
    if repeated:
        title = repeated[0]
    elif candidates:
        title = candidates[-1] if dateline is not None else candidates[0]
    else:
        if dateline is not None and dateline_at is not None:
            lead = lines[dateline_at][dateline.end() :]
        else:
            prose = [line for line in lines if not _is_boilerplate(line)]
            lead = next((line for line in prose if _line_words(line) >= MIN_WORDS), "")
            lead = lead or (prose[0] if prose else "")
        title = _first_sentence(lead)

    source = next((s for line in header if (s := _source_of(line))), None)
    if source is None and dateline is not None and dateline["agency"]:
        source = dateline["agency"].strip()

    date = None
    for line in header:
        labelled = _META_LABEL.match(line) or "|" in line or _line_words(line) <= 3
        if labelled and (date := _find_date(line)):
            break
    if date is None and dateline is not None and dateline["year"]:
        date = _iso(dateline["year"], _month_number(dateline["month"]), dateline["day"])

    city = _title_case(dateline["city"].strip()) if dateline is not None else None
    return ArticleMeta(title=title or fallback_title, source=source, date=date, city=city)
