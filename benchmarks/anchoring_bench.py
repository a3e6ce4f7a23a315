"""Re-anchoring on edited seed articles: Tagline against the text-quote reference.

    python -m benchmarks.anchoring_bench [--rounds 20] [--seed 0]

Easy rows (as before): each round annotates every seed article with random passages
and edits the text the way re-fetched news changes (typo fixes, added paragraphs,
light and heavy rewrites, paragraph moves, a mix). Hard rows: one targeted edit per
annotation, the corrections that misplace anchors: words changed or a sentence
deleted inside the span, the span partly reworded, the passage removed, a caption or
paragraph printed twice with one copy then corrected or removed, the context
reworded with a shift, spans at an article's first and last characters; spans run
from one word to a paragraph. The simulator tracks where each passage truly went (or
that it is gone), and each outcome is one of:

- right: placed silently on its true passage (overlap >= 50% of the union);
- WRONG (silent): placed silently elsewhere, or although the passage is gone;
- flagged: placed as `needs_review` (the analyst is asked), right or not;
- orphaned: not placed (right when the passage is gone).

The reference is dom-anchor-text-quote's algorithm on the real `diff-match-patch`
package (`benchmarks/text_quote_reference.py`), measured in the same run; it never
flags. Wrong-silent is the failure that matters: nobody is told.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.anchoring import REVIEW, TAGLINE, reanchor_article
from annotations.corpus import Article, article_from_text, load_corpus
from annotations.model import Annotation
from benchmarks.text_quote_reference import anchor as reference_anchor

Truth = tuple[int, int] | None


@dataclass
class Doc:
    """A text being edited, with where each tracked passage truly is now."""

    text: str
    truths: list[Truth]
    gone_regions: list[tuple[int, int]] = field(default_factory=list)

    def replace(self, i: int, j: int, new: str) -> None:
        delta = len(new) - (j - i)
        out: list[Truth] = []
        for t in self.truths:
            if t is None:
                out.append(None)
                continue
            s, e = t
            if e <= i:
                out.append(t)
            elif s >= j:
                out.append((s + delta, e + delta))
            elif i <= s and e <= j:
                out.append(None)  # the passage itself was replaced: it is gone
            elif s < i and e > j:
                out.append((s, e + delta))  # edited inside the passage
            elif s < i:
                out.append((s, i) if i - s >= (e - s) / 2 else None)  # tail replaced
            else:
                ns, ne = i + len(new), e + delta  # head replaced
                out.append((ns, ne) if ne - ns >= (e - s) / 2 else None)
        self.truths = out
        self.text = self.text[:i] + new + self.text[j:]

    def move(self, i: int, j: int, k: int) -> None:
        """Move text[i:j] so that it starts at k in the text without it."""
        piece = self.text[i:j]
        inside = [t is not None and i <= t[0] and t[1] <= j for t in self.truths]
        carried = [
            (t[0] - i, t[1] - i) if flag else None
            for t, flag in zip(self.truths, inside, strict=True)
        ]
        self.replace(i, j, "")
        self.truths = [None if flag else t for t, flag in zip(self.truths, inside, strict=True)]
        self.replace(k, k, piece)
        self.truths = [
            (k + c[0], k + c[1]) if c else t for t, c in zip(self.truths, carried, strict=True)
        ]


WORD = re.compile(r"\w+")
SENTENCE = re.compile(r"[^.!?\n]+[.!?]")
FILLER = [
    "Officials said the talks would continue next month.",
    "The agreement was signed in the presence of both delegations.",
    "Analysts expect the figures to be revised later this year.",
    "The ministry declined to comment on the report.",
]


def pick_spans(text: str, rng: random.Random, n: int) -> list[tuple[int, int]]:
    words = [m.span() for m in WORD.finditer(text)]
    sentences = [m.span() for m in SENTENCE.finditer(text)]
    out = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.25:  # a single word: often repeated in the article
            out.append(rng.choice(words))
        elif kind < 0.75:  # a phrase of 2-8 words
            a = rng.randrange(len(words) - 8)
            b = a + rng.randint(1, 7)
            out.append((words[a][0], words[b][1]))
        else:  # a sentence
            s, e = rng.choice(sentences)
            while s < e and text[s].isspace():
                s += 1
            out.append((s, e))
    return out


def typo_fixes(doc: Doc, rng: random.Random, count: int = 6) -> None:
    for _ in range(count):
        words = [m.span() for m in WORD.finditer(doc.text) if m.end() - m.start() > 3]
        s, e = rng.choice(words)
        p = rng.randrange(s, e - 1)
        op = rng.choice(["swap", "drop", "insert", "change"])
        c = doc.text[p]
        if op == "swap":
            doc.replace(p, p + 2, doc.text[p + 1] + c)
        elif op == "drop":
            doc.replace(p, p + 1, "")
        elif op == "insert":
            doc.replace(p, p, c)
        else:
            doc.replace(p, p + 1, rng.choice("aeiourst"))


def paragraph_starts(text: str) -> list[int]:
    return [0] + [m.end() for m in re.finditer(r"\n", text)]


def add_paragraphs(doc: Doc, rng: random.Random, count: int = 2) -> None:
    for _ in range(count):
        k = rng.choice(paragraph_starts(doc.text))
        doc.replace(k, k, " ".join(rng.sample(FILLER, 2)) + "\n")


def light_rewrite(doc: Doc, rng: random.Random, count: int = 3) -> None:
    """Change a few words of some sentences (a correction, an updated figure)."""
    for _ in range(count):
        s, e = rng.choice([m.span() for m in SENTENCE.finditer(doc.text)])
        words = [m.span() for m in WORD.finditer(doc.text, s, e)]
        for ws, we in sorted(rng.sample(words, max(1, len(words) // 8)), reverse=True):
            doc.replace(ws, we, rng.choice(["new", "several", "key", "major", "2024"]))


def heavy_rewrite(doc: Doc, rng: random.Random, count: int = 2) -> None:
    """Replace whole sentences: the passages in them are gone."""
    for _ in range(count):
        s, e = rng.choice([m.span() for m in SENTENCE.finditer(doc.text)])
        doc.replace(s, e, " " + rng.choice(FILLER))


def move_paragraph(doc: Doc, rng: random.Random, count: int = 1) -> None:
    for _ in range(count):
        starts = paragraph_starts(doc.text)
        if len(starts) < 3:
            return
        idx = rng.randrange(len(starts) - 1)
        i, j = starts[idx], starts[idx + 1]
        rest = [p for p in paragraph_starts(doc.text[:i] + doc.text[j:])]
        doc.move(i, j, rng.choice(rest))


def mixed(doc: Doc, rng: random.Random) -> None:
    typo_fixes(doc, rng, 3)
    add_paragraphs(doc, rng, 1)
    light_rewrite(doc, rng, 1)
    heavy_rewrite(doc, rng, 1)
    move_paragraph(doc, rng, 1)


SCENARIOS = {
    "typo fixes": typo_fixes,
    "added paragraphs": add_paragraphs,
    "light rewrites": light_rewrite,
    "heavy rewrites": heavy_rewrite,
    "paragraph moves": move_paragraph,
    "mixed": mixed,
}


# -- hard cases: one targeted edit per annotation -------------------------------------

NEW_WORDS = ["new", "several", "key", "major", "2024", "revised", "officials", "regional"]
KINDS = ("word", "phrase", "sentence", "paragraph")
# The text annotated, the span, the edited text with its truth, the span kind.
Case = tuple[str, tuple[int, int], Doc, str]


def lines(text: str, min_len: int = 1) -> list[tuple[int, int]]:
    """Paragraphs: (start, end) of every line of at least `min_len` non-blank characters."""
    out, at = [], 0
    for line in text.split("\n"):
        if len(line.strip()) >= min_len:
            out.append((at, at + len(line)))
        at += len(line) + 1
    return out


def words_in(text: str, s: int, e: int) -> list[tuple[int, int]]:
    return [m.span() for m in WORD.finditer(text, s, e)]


def pick_kind(text: str, rng: random.Random, kind: str, within=None) -> tuple[int, int] | None:
    """A span of `kind` (word, 2-8 word phrase, sentence, paragraph), inside `within`."""
    lo, hi = within or (0, len(text))
    if kind == "paragraph":
        paras = [(s, e) for s, e in lines(text, 20) if lo <= s and e <= hi]
        return rng.choice(paras) if paras else None
    if kind == "sentence":
        sents = [m.span() for m in SENTENCE.finditer(text, lo, hi)]
        if not sents:
            return None
        s, e = rng.choice(sents)
        while s < e and text[s].isspace():
            s += 1
        return (s, e) if s < e else None
    words = words_in(text, lo, hi)
    if not words:
        return None
    if kind == "word":
        return rng.choice(words)
    a = rng.randrange(len(words))
    b = min(len(words) - 1, a + rng.randint(1, 7))
    return words[a][0], words[b][1]


def sentence_bounds(text: str, s: int, e: int) -> tuple[int, int]:
    """The sentences (or line) around text[s:e], with their leading space."""
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", e)
    line_end = len(text) if line_end < 0 else line_end
    i, j = line_start, line_end
    for m in SENTENCE.finditer(text, line_start, line_end):
        if m.start() <= s < m.end():
            i = m.start()
        if m.start() < e <= m.end():
            j = m.end()
    return i, j


def words_changed(text: str, rng: random.Random) -> Case | None:
    kind = rng.choice(KINDS[1:])
    span = pick_kind(text, rng, kind)
    if span is None:
        return None
    inner = words_in(text, *span)[1:-1]
    if not inner:
        return None
    doc = Doc(text, [span])
    for ws, we in sorted(rng.sample(inner, min(len(inner), rng.randint(1, 2))), reverse=True):
        doc.replace(ws, we, rng.choice(NEW_WORDS))
    return text, span, doc, kind


def sentence_deleted(text: str, rng: random.Random) -> Case | None:
    paras = [p for p in lines(text, 20) if len(list(SENTENCE.finditer(text, *p))) >= 2]
    if not paras:
        return None
    span = rng.choice(paras)
    sentences = list(SENTENCE.finditer(text, *span))
    doc = Doc(text, [span])
    m = rng.choice(sentences[1:-1] or sentences)  # a middle one if there is one
    doc.replace(m.start(), m.end(), "")
    return text, span, doc, "paragraph"


def partly_reworded(text: str, rng: random.Random) -> Case | None:
    kind = rng.choice(KINDS[1:])
    span = pick_kind(text, rng, kind)
    words = words_in(text, *span) if span else []
    if len(words) < 4:
        return None
    k = max(1, int(len(words) * rng.uniform(0.25, 0.45)))
    chosen = words[:k] if rng.random() < 0.5 else words[-k:]
    doc = Doc(text, [span])
    doc.replace(chosen[0][0], chosen[-1][1], " ".join(rng.choices(NEW_WORDS, k=k)))
    return text, span, doc, kind


def passage_removed(text: str, rng: random.Random) -> Case | None:
    kind = rng.choice(KINDS)
    span = pick_kind(text, rng, kind)
    if span is None:
        return None
    doc = Doc(text, [span])
    if kind == "paragraph":
        doc.replace(span[0], min(len(text), span[1] + 1), "")
    else:
        doc.replace(*sentence_bounds(text, *span), "")
    return text, span, doc, kind


def repeated(text: str, rng: random.Random) -> Case | None:
    """A caption or paragraph printed twice; then one copy is corrected or removed."""
    paras = lines(text, 20)
    if len(paras) < 3:
        return None
    ps, pe = rng.choice(paras)
    starts = [s for s, _ in paras if abs(s - ps) > 300] or [s for s, _ in paras]
    k = rng.choice(starts)
    base = text[:k] + text[ps:pe] + "\n" + text[k:]
    n = pe - ps
    copies = [(ps, pe), (k, k + n)] if k > ps else [(ps + n + 1, pe + n + 1), (k, k + n)]
    mine, other = copies if rng.random() < 0.5 else copies[::-1]
    kind = rng.choice(KINDS)
    span = pick_kind(base, rng, kind, within=mine)
    if span is None:
        return None
    doc = Doc(base, [span])
    edit = rng.choice(["fix", "remove", "remove other"])
    if edit == "fix":  # a correction inside the annotated copy
        long = [w for w in words_in(base, *span) if w[1] - w[0] > 3] or words_in(base, *span)
        ws, we = rng.choice(long)
        p = rng.randrange(ws, we)
        doc.replace(p, p, base[p])
    elif edit == "remove":  # the annotated copy is deleted: the other must not take it
        doc.replace(mine[0], min(len(base), mine[1] + 1), "")
    else:  # the other copy is deleted and the text shifts
        doc.replace(other[0], min(len(base), other[1] + 1), "")
        doc.replace(0, 0, rng.choice(FILLER) + "\n")
    return base, span, doc, kind


def context_reworded(text: str, rng: random.Random) -> Case | None:
    kind = rng.choice(KINDS)
    span = pick_kind(text, rng, kind)
    if span is None:
        return None
    s, e = span
    doc = Doc(text, [span])
    after = [w for w in words_in(text, e, min(len(text), e + 32)) if w[0] >= e]
    before = [w for w in words_in(text, max(0, s - 32), s) if w[1] <= s]
    for ws, we in sorted(
        rng.sample(after, min(len(after), 2)) + rng.sample(before, min(len(before), 2)),
        reverse=True,
    ):
        doc.replace(ws, we, rng.choice(NEW_WORDS))
    truth = doc.truths[0]
    if truth is None:
        return None
    k = rng.choice([p for p in paragraph_starts(doc.text) if p <= truth[0]])
    doc.replace(k, k, " ".join(rng.sample(FILLER, 2)) + "\n")
    return text, span, doc, kind


def edges(text: str, rng: random.Random) -> Case | None:
    """Spans at the first or last characters of the article."""
    kind = rng.choice(KINDS)
    body = text.rstrip()
    first_line = lines(text)[0]
    last_line = lines(text)[-1]
    at_start = rng.random() < 0.5
    span = pick_kind(text, rng, kind, within=first_line if at_start else last_line)
    if span is None:
        return None
    span = (0, span[1]) if at_start else (span[0], len(body))
    if span[0] >= span[1] or not text[span[0] : span[1]].strip():
        return None
    doc = Doc(text, [span])
    line = first_line if at_start else last_line
    edit = rng.choice(["remove", "change", "extend"])
    if edit == "remove":
        doc.replace(line[0], min(len(text), line[1] + 1), "")
    elif edit == "change":
        inner = words_in(text, *span)[1:-1] or words_in(text, *span)
        ws, we = rng.choice(inner)
        doc.replace(ws, we, rng.choice(NEW_WORDS))
    elif at_start:
        doc.replace(0, 0, rng.choice(FILLER) + "\n")
    else:
        doc.replace(len(doc.text), len(doc.text), "\n" + rng.choice(FILLER) + "\n")
    return text, span, doc, kind


HARD: dict[str, Callable[[str, random.Random], Case | None]] = {
    "words changed in span": words_changed,
    "sentence deleted in span": sentence_deleted,
    "span partly reworded": partly_reworded,
    "passage removed": passage_removed,
    "repeated paragraphs": repeated,
    "context reworded+shift": context_reworded,
    "article edges": edges,
}
RULES = ("tagline", "reference")


@dataclass
class Tally:
    right: int = 0  # placed silently on the true passage
    wrong: int = 0  # placed silently elsewhere, or although the passage is gone
    flagged: int = 0  # needs_review
    orphaned: int = 0
    gone: int = 0  # cases whose passage no longer exists
    times: list[float] = field(default_factory=list)
    # Why placements were flagged (`Candidate.doubt`), on their true passage or not.
    doubts: Counter[tuple[str, bool]] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.flagged + self.orphaned

    def add(self, other: Tally) -> None:
        for name in ("right", "wrong", "flagged", "orphaned", "gone"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.times.extend(other.times)
        self.doubts.update(other.doubts)


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def judge(placed: tuple[int, int] | None, status: str, truth: Truth, tally: Tally) -> None:
    tally.gone += truth is None
    if placed is None:
        tally.orphaned += 1
    elif status == REVIEW:
        tally.flagged += 1
    elif truth is not None and overlap(placed, truth) >= 0.5:
        tally.right += 1
    else:
        tally.wrong += 1


def measure(anns: list[Annotation], edited: Article, truths: list[Truth], row: dict[str, Tally]):
    """All of an article's annotations at once, as the app re-anchors them
    (`reanchor_article`: they vouch for each other's moves); each is timed as the
    batch's time divided by its size."""
    started = time.perf_counter()
    placed = reanchor_article(anns, edited, TAGLINE)
    each = (time.perf_counter() - started) / max(1, len(anns))
    for (after, _, found), truth in zip(placed, truths, strict=True):
        row["tagline"].times.append(each)
        where = None if after.status == "orphaned" else (after.start, after.end)
        judge(where, after.status, truth, row["tagline"])
        if after.status == REVIEW and found is not None:  # which rule cast the doubt
            on_truth = truth is not None and overlap((after.start, after.end), truth) >= 0.5
            row["tagline"].doubts[(found.doubt, on_truth)] += 1
    for ann, truth in zip(anns, truths, strict=True):
        started = time.perf_counter()
        ref = reference_anchor(edited.text, ann.exact, ann.prefix, ann.suffix, ann.start, ann.end)
        row["reference"].times.append(time.perf_counter() - started)
        judge(ref, "reanchored", truth, row["reference"])


def annotation(article: Article, text: str, span: tuple[int, int]) -> Annotation:
    return Annotation.create(
        article_id=article.id,
        text=text,
        sha256="before",
        start=span[0],
        end=span[1],
        themes=["t"],
        author="bench",
    )


Results = dict[str, dict[str, Tally]]


def run(rounds: int, seed: int, per_article: int = 30, hard_per_article: int = 8):
    """(easy rows, hard rows, hard rows by span kind)."""
    rng = random.Random(seed)
    articles: list[Article] = list(load_corpus())
    easy: Results = {name: {r: Tally() for r in RULES} for name in SCENARIOS}
    hard: Results = {name: {r: Tally() for r in RULES} for name in HARD}
    kinds: Results = {kind: {r: Tally() for r in RULES} for kind in KINDS}
    for _ in range(rounds):
        for article in articles:
            spans = pick_spans(article.text, rng, per_article)
            anns = [annotation(article, article.text, s) for s in spans]
            for name, edit in SCENARIOS.items():
                doc = Doc(article.text, list(spans))
                edit(doc, rng)
                edited = article_from_text(article.id, article.path, doc.text)
                assert edited.text == doc.text  # the edits keep the text normalised
                measure(anns, edited, doc.truths, easy[name])
            for name, make in HARD.items():
                done = tries = 0
                while done < hard_per_article and tries < 50 * hard_per_article:
                    tries += 1
                    case = make(article.text, rng)
                    if case is None:
                        continue
                    before, span, doc, kind = case
                    edited = article_from_text(article.id, article.path, doc.text)
                    assert edited.text == doc.text
                    ann = annotation(article, before, span)
                    row = {r: Tally() for r in RULES}
                    measure([ann], edited, doc.truths, row)
                    for r in RULES:
                        hard[name][r].add(row[r])
                        kinds[kind][r].add(row[r])
                    done += 1
    return easy, hard, kinds


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:.1f}%" if d else "-"


HEADER = "| row | rules | n | right | **wrong, silent** | flagged | orphaned | (gone) | ms/ann (median) |"


def row_line(name: str, label: str, t: Tally) -> str:
    median = 1000 * statistics.median(t.times) if t.times else 0.0
    return (
        f"| {name} | {label} | {t.total} | {pct(t.right, t.total)} | "
        f"**{pct(t.wrong, t.total)}** | {pct(t.flagged, t.total)} | "
        f"{pct(t.orphaned, t.total)} | {pct(t.gone, t.total)} | {median:.2f} |"
    )


def table(results: Results, total_name: str) -> list[str]:
    lines_out = [HEADER, "|---|---|---|---|---|---|---|---|---|"]
    totals = {r: Tally() for r in RULES}
    for name, by_rules in results.items():
        for label, t in by_rules.items():
            totals[label].add(t)
            lines_out.append(row_line(name, label, t))
    for label, t in totals.items():
        lines_out.append(row_line(total_name, label, t))
    return lines_out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    easy, hard, kinds = run(args.rounds, args.seed)
    print("Easy cases (random edits of the whole article)\n")
    print("\n".join(table(easy, "ALL easy")))
    print("\nHard cases (one targeted edit per annotation)\n")
    print("\n".join(table(hard, "ALL hard")))
    print("\nHard cases by span length\n")
    print("\n".join(table(kinds, "ALL hard")))
    everything = Tally()
    for results in (easy, hard):
        for by_rules in results.values():
            everything.add(by_rules["tagline"])
    print(
        f"\nTagline median {1000 * statistics.median(everything.times):.3f} ms per annotation "
        f"over {everything.total} re-anchorings"
    )
    for title, results in (("easy", easy), ("hard", hard)):
        print(f"\nWhy Tagline flagged ({title} rows): on the true passage / elsewhere or gone\n")
        doubts: Counter[tuple[str, bool]] = Counter()
        for by_rules in results.values():
            doubts.update(by_rules["tagline"].doubts)
        for reason in sorted({r for r, _ in doubts}, key=lambda r: -doubts[(r, True)]):
            print(f"- {reason}: {doubts[(reason, True)]} / {doubts[(reason, False)]}")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"\nrun {started:%Y-%m-%d %H:%M} UTC, --rounds {args.rounds} --seed {args.seed}, "
        f"load average at the end {load} ({os.cpu_count()} cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
