"""Dates on import: every `created`/`updated` that reaches the store is ISO 8601 with a zone.

Exports copy these strings into W3C `created`/`modified` (an RFC 3339 `date-time`)
and REFI-QDA `creationDateTime` (an `xs:dateTime`), so a date that is not both would
make a valid store write an invalid file. A date in that form is kept as it is (round
trips stay exact); one Python can read as ISO 8601 otherwise (`2024-05-01 10:00`, no
zone, a date only) is rewritten in UTC with a warning; anything else is refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from annotations.formats import FormatError

# RFC 3339 date-time, which is also a valid xs:dateTime: `T`, seconds, a zone.
STRICT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def checked_date(
    value: str, field: str, where: str, warn: Callable[[str], None] | None = None
) -> str:
    """`value` if it is an RFC 3339 date-time, else it normalised to one, else `FormatError`."""
    parsed = _parse(value)
    if parsed is None:
        raise FormatError(f"{where}: {field} {value!r} is not an ISO 8601 date")
    if STRICT.fullmatch(value) and parsed.year >= 1:
        return value
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    fixed = parsed.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if warn:
        warn(f"{where}: {field} {value!r} read as {fixed}")
    return fixed
