"""A report an analyst can send: the codebook, every coded segment, and the figures.

`render(annotations, corpus, codebook, fmt)` returns one document, Markdown or HTML.
The HTML is self-contained (inline CSS, charts as inline SVG, no scripts, no network).
Every piece of untrusted text (passages, titles, notes, names) is escaped for the
output format, so a passage can never become markup in the reader's browser.

Called by `tagline report` and by the reader's export dialog alike.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from annotations.analysis import stats
from annotations.corpus import Corpus
from annotations.model import Annotation
from annotations.themes import Codebook

FORMATS = ("md", "html")
EXTENSIONS = {"md": ".md", "html": ".html"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


@dataclass(frozen=True, slots=True)
class Segment:
    """One coded passage as the report lists it."""

    theme: str
    article_id: str
    title: str
    date: str | None
    annotation: Annotation


def segments(
    annotations: Iterable[Annotation], corpus: Corpus, theme_order: Sequence[str]
) -> dict[str, list[Segment]]:
    """Theme -> its coded passages, by article (corpus order) then position.

    A passage with two themes is listed under each, as an analyst retrieving one theme
    expects to see it there.
    """
    order = {a.id: i for i, a in enumerate(corpus.articles)}
    out: dict[str, list[Segment]] = defaultdict(list)
    for ann in annotations:
        article = corpus.get(ann.article_id)
        title = article.title if article else ann.article_id
        date = article.date if article else None
        for theme in ann.themes:
            out[theme].append(Segment(theme, ann.article_id, title, date, ann))
    rank = {name: i for i, name in enumerate(theme_order)}
    ordered = sorted(out, key=lambda t: (rank.get(t, len(rank)), t))
    return {
        t: sorted(
            out[t],
            key=lambda s: (
                order.get(s.article_id, len(order)),
                s.annotation.start,
                -s.annotation.end,
            ),
        )
        for t in ordered
    }


def md_escape(text: str) -> str:
    """`text` as literal Markdown on one line (markup characters backslash-escaped)."""
    out = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return "\\" + out if out[:1] in ("-", "+") or re.match(r"\d+[.)]", out) else out


def _pct(share: float) -> str:
    return f"{share * 100:.1f}%"


def _filters(themes: Sequence[str], author: str | None) -> str:
    parts = []
    if themes:
        parts.append("themes: " + ", ".join(themes))
    if author:
        parts.append(f"author: {author}")
    return "; ".join(parts) or "all annotations"


def render(
    annotations: Iterable[Annotation],
    corpus: Corpus,
    codebook: Codebook,
    fmt: str,
    *,
    themes: Sequence[str] = (),
    author: str | None = None,
    now: dt.datetime | None = None,
) -> tuple[str, int]:
    """(document, number of coded segments listed) for the already-filtered annotations.

    `themes`/`author` only describe the filter in the heading; when themes are given,
    only those themes' sections are listed.
    """
    anns = list(annotations)
    names = [t.name for t in codebook]
    figures = stats.compute(anns, corpus, names)
    groups = segments(anns, corpus, names)
    if themes:
        wanted = {t.casefold() for t in themes}
        groups = {t: s for t, s in groups.items() if t.casefold() in wanted}
    when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC")
    if fmt == "md":
        doc = _markdown(anns, corpus, codebook, figures, groups, _filters(themes, author), when)
    elif fmt == "html":
        doc = _html(anns, corpus, codebook, figures, groups, _filters(themes, author), when)
    else:
        raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    return doc, sum(len(s) for s in groups.values())


# -- Markdown ----------------------------------------------------------------------------


def _markdown(anns, corpus, codebook, figures, groups, filters, when) -> str:
    e = md_escape
    out = [
        "# Tagline report",
        "",
        f"{when} · {md_escape(filters)} · {len(anns)} annotations in "
        f"{len({a.article_id for a in anns})} of {len(corpus)} articles",
        "",
        "## Codebook",
        "",
        "| theme | key | colour | annotations | articles | characters | share | first | last | cue phrases |",
        "|---|---|---|--:|--:|--:|--:|---|---|---|",
    ]
    by_name = {t.theme: t for t in figures.themes}
    for theme in codebook:
        f = by_name.get(theme.name)
        out.append(
            f"| {e(theme.name)} | {theme.hotkey or ''} | {theme.color} | "
            f"{f.annotations if f else 0} | {f.articles if f else 0} | "
            f"{f.characters if f else 0} | {_pct(f.share) if f else '0.0%'} | "
            f"{(f.first_date or '') if f else ''} | {(f.last_date or '') if f else ''} | "
            f"{e(', '.join(theme.cues))} |"
        )
    theme_names = figures.theme_names
    out += ["", "## Annotations per article and theme", ""]
    out.append("| article | date | " + " | ".join(e(t) for t in theme_names) + " | total |")
    out.append("|---|---|" + "--:|" * (len(theme_names) + 1))
    for row in figures.articles:
        cells = " | ".join(str(row.counts.get(t, 0)) for t in theme_names)
        out.append(f"| {e(row.title)} | {row.date or ''} | {cells} | {row.total} |")
    if len(theme_names) > 1:
        out += ["", "## Co-occurrence", "", "| themes | overlapping passages | same article |"]
        out.append("|---|--:|--:|")
        for pair, n in sorted(figures.same_article.items(), key=lambda kv: -kv[1]):
            out.append(f"| {e(pair[0])} + {e(pair[1])} | {figures.overlap.get(pair, 0)} | {n} |")
    if figures.months:
        out += ["", "## Over time", "", "| theme | " + " | ".join(figures.months) + " |"]
        out.append("|---|" + "--:|" * len(figures.months))
        for t in theme_names:
            out.append(f"| {e(t)} | " + " | ".join(str(n) for n in figures.series(t)) + " |")
    out += ["", "## Coded segments"]
    for theme, segs in groups.items():
        out += ["", f"### {e(theme)} ({len(segs)})"]
        for s in segs:
            a = s.annotation
            meta = " · ".join(
                p
                for p in (
                    s.date or "undated",
                    e(a.author) if a.author else "",
                    f"{a.start}–{a.end}",
                )
                if p
            )
            out += ["", f"**{e(s.title)}** · {meta}", "", f"> {e(a.exact)}"]
            if a.note:
                out += ["", f"Note: {e(a.note)}"]
    return "\n".join(out) + "\n"


# -- HTML --------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem}
td.n{text-align:right}blockquote{margin:.3rem 0 .3rem 0;padding:.2rem .8rem;border-left:4px solid}
.meta{color:#666;font-size:90%}.swatch{display:inline-block;width:.9em;height:.9em;vertical-align:-.1em}
.note{font-style:italic}figure{margin:1rem 0}
"""


def _bars_svg(items: Sequence[tuple[str, int, str]], label: str) -> str:
    """A horizontal bar chart: (name, value, colour) per bar."""
    if not items:
        return ""
    top = max(v for _, v, _ in items) or 1
    h, width, left = 22, 560, 160
    rows = []
    for i, (name, value, color) in enumerate(items):
        y = i * h
        w = round((width - left - 50) * value / top)
        rows.append(
            f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{html.escape(name[:24])}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{w}" height="{h - 6}" fill="{color}"/>'
            f'<text x="{left + w + 4}" y="{y + 15}">{value}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{html.escape(label)}" '
        f'width="{width}" height="{len(items) * h}" font-size="12">{"".join(rows)}</svg>'
    )


def _timeline_svg(figures, colors: dict[str, str]) -> str:
    """Annotations per month, one line per theme."""
    months = figures.months
    names = [t for t in figures.theme_names if any(figures.series(t))]
    if len(months) < 2 or not names:
        return ""
    width, height, pad = 560, 160, 30
    top = max(max(figures.series(t)) for t in names) or 1
    step = (width - 2 * pad) / (len(months) - 1)
    lines = []
    for t in names:
        pts = " ".join(
            f"{pad + i * step:.0f},{height - pad - (height - 2 * pad) * v / top:.0f}"
            for i, v in enumerate(figures.series(t))
        )
        lines.append(
            f'<polyline fill="none" stroke="{colors.get(t, "#8A8A8A")}" stroke-width="2" points="{pts}"/>'
        )
    ticks = "".join(
        f'<text x="{pad + i * step:.0f}" y="{height - 8}" text-anchor="middle">{html.escape(m)}</text>'
        for i, m in enumerate(months)
        if i in (0, len(months) - 1)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="annotations per month" '
        f'width="{width}" height="{height}" font-size="11">{"".join(lines)}{ticks}</svg>'
    )


def _html(anns, corpus, codebook, figures, groups, filters, when) -> str:
    e = html.escape
    colors = {t.name: t.color for t in codebook}
    by_name = {t.theme: t for t in figures.themes}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>Tagline report</title><style>{_CSS}</style></head><body>",
        "<h1>Tagline report</h1>",
        f'<p class="meta">{e(when)} · {e(filters)} · {len(anns)} annotations in '
        f"{len({a.article_id for a in anns})} of {len(corpus)} articles</p>",
        "<h2>Codebook</h2><table><tr><th>theme</th><th>key</th><th>annotations</th>"
        "<th>articles</th><th>characters</th><th>share</th><th>first</th><th>last</th>"
        "<th>cue phrases</th></tr>",
    ]
    for theme in codebook:
        f = by_name.get(theme.name)
        out.append(
            f'<tr><td><span class="swatch" style="background:{theme.color}"></span> '
            f"{e(theme.name)}</td><td>{e(theme.hotkey)}</td>"
            f'<td class="n">{f.annotations if f else 0}</td><td class="n">{f.articles if f else 0}</td>'
            f'<td class="n">{f.characters if f else 0}</td><td class="n">{_pct(f.share) if f else "0.0%"}</td>'
            f"<td>{e((f.first_date or '') if f else '')}</td><td>{e((f.last_date or '') if f else '')}</td>"
            f"<td>{e(', '.join(theme.cues))}</td></tr>"
        )
    out.append("</table>")
    bars = [(t.theme, t.annotations, colors.get(t.theme, "#8A8A8A")) for t in figures.themes]
    out.append(f"<figure>{_bars_svg(bars, 'annotations per theme')}</figure>")
    names = figures.theme_names
    out.append("<h2>Annotations per article and theme</h2><table><tr><th>article</th><th>date</th>")
    out += [f"<th>{e(t)}</th>" for t in names] + ["<th>total</th></tr>"]
    for row in figures.articles:
        cells = "".join(f'<td class="n">{row.counts.get(t, 0)}</td>' for t in names)
        out.append(
            f"<tr><td>{e(row.title)}</td><td>{e(row.date or '')}</td>{cells}"
            f'<td class="n">{row.total}</td></tr>'
        )
    out.append("</table>")
    if len(names) > 1 and figures.same_article:
        out.append(
            "<h2>Co-occurrence</h2><table><tr><th>themes</th><th>overlapping passages</th>"
            "<th>same article</th></tr>"
        )
        for pair, n in sorted(figures.same_article.items(), key=lambda kv: -kv[1]):
            out.append(
                f"<tr><td>{e(pair[0])} + {e(pair[1])}</td>"
                f'<td class="n">{figures.overlap.get(pair, 0)}</td><td class="n">{n}</td></tr>'
            )
        out.append("</table>")
    timeline = _timeline_svg(figures, colors)
    if timeline:
        out.append(f"<h2>Over time</h2><figure>{timeline}</figure>")
    out.append("<h2>Coded segments</h2>")
    for theme, segs in groups.items():
        color = colors.get(theme, "#8A8A8A")
        out.append(
            f'<h3><span class="swatch" style="background:{color}"></span> {e(theme)} ({len(segs)})</h3>'
        )
        for s in segs:
            a = s.annotation
            meta = " · ".join(p for p in (s.date or "undated", a.author, f"{a.start}–{a.end}") if p)
            out.append(
                f'<p><strong>{e(s.title)}</strong> <span class="meta">{e(meta)}</span></p>'
                f'<blockquote style="border-color:{color}">{e(a.exact)}</blockquote>'
            )
            if a.note:
                out.append(f'<p class="note">Note: {e(a.note)}</p>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"
