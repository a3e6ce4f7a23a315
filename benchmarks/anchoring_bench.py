"""Re-anchoring on realistic edits of the seed articles: Tagline's rules vs the Hypothesis weights.

    python benchmarks/anchoring_bench.py [--rounds 20] [--seed 0]

Each round annotates every seed article with random passages (single words that
repeat, phrases, sentences) and edits the text the way re-fetched and corrected news
changes: typo fixes, added paragraphs, light rewrites (some words of a sentence
changed), heavy rewrites (a sentence replaced), paragraph moves, and a mix. The
edit simulator tracks where every passage truly went (or that it is gone), so each
re-anchoring outcome is classed as:

- placed: on its true passage (overlap >= 50% of the union with the truth);
- orphaned: not placed (right when the passage is gone, a miss when it still exists);
- misplaced: placed anywhere else, or placed although the passage is gone.

Misplacement is the failure that matters: the analyst is not told.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.anchoring import HYPOTHESIS, TAGLINE, Weights, reanchor
from annotations.corpus import Article, article_from_text, load_corpus
from annotations.model import Annotation

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


@dataclass
class Tally:
    placed: int = 0
    orphaned_gone: int = 0  # orphaned, and the passage is gone: right
    orphaned_missed: int = 0  # orphaned although the passage still exists
    misplaced: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.placed + self.orphaned_gone + self.orphaned_missed + self.misplaced

    def add(self, other: Tally) -> None:
        for name in ("placed", "orphaned_gone", "orphaned_missed", "misplaced", "seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def judge(after: Annotation, truth: Truth, tally: Tally) -> None:
    if after.status == "orphaned":
        if truth is None:
            tally.orphaned_gone += 1
        else:
            tally.orphaned_missed += 1
    elif truth is not None and overlap((after.start, after.end), truth) >= 0.5:
        tally.placed += 1
    else:
        tally.misplaced += 1


def run(rounds: int, seed: int, per_article: int = 30) -> dict[str, dict[str, Tally]]:
    rng = random.Random(seed)
    articles: list[Article] = list(load_corpus())
    results = {name: {"tagline": Tally(), "hypothesis": Tally()} for name in SCENARIOS}
    for _ in range(rounds):
        for article in articles:
            spans = pick_spans(article.text, rng, per_article)
            anns = [
                Annotation.create(
                    article_id=article.id,
                    text=article.text,
                    sha256=article.sha256,
                    start=s,
                    end=e,
                    themes=["t"],
                    author="bench",
                )
                for s, e in spans
            ]
            for name, edit in SCENARIOS.items():
                doc = Doc(article.text, list(spans))
                edit(doc, rng)
                edited = article_from_text(article.id, article.path, doc.text)
                assert edited.text == doc.text  # the edits keep the text normalised
                for label, weights in (("tagline", TAGLINE), ("hypothesis", HYPOTHESIS)):
                    tally = results[name][label]
                    started = time.perf_counter()
                    placed = [reanchor(a, edited, weights) for a in anns]
                    tally.seconds += time.perf_counter() - started
                    for after, truth in zip(placed, doc.truths, strict=True):
                        judge(after, truth, tally)
    return results


def pct(n: int, d: int) -> str:
    return f"{100 * n / d:5.1f}%" if d else "    -"


def report(results: dict[str, dict[str, Tally]]) -> str:
    lines = [
        f"{'scenario':<18} {'rules':<10} {'n':>5} {'placed':>7} {'orphan':>7} "
        f"{'(gone)':>7} {'missed':>7} {'MISPLACED':>9} {'ms/ann':>7}"
    ]
    totals = {"tagline": Tally(), "hypothesis": Tally()}
    for name, by_rules in results.items():
        for label, t in by_rules.items():
            totals[label].add(t)
            lines.append(_row(name, label, t))
    for label, t in totals.items():
        lines.append(_row("ALL", label, t))
    return "\n".join(lines)


def _row(name: str, label: str, t: Tally) -> str:
    orphaned = t.orphaned_gone + t.orphaned_missed
    return (
        f"{name:<18} {label:<10} {t.total:>5} {pct(t.placed, t.total):>7} "
        f"{pct(orphaned, t.total):>7} {pct(t.orphaned_gone, t.total):>7} "
        f"{pct(t.orphaned_missed, t.total):>7} {pct(t.misplaced, t.total):>9} "
        f"{1000 * t.seconds / max(t.total, 1):7.2f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    results = run(args.rounds, args.seed)
    print(report(results))
    tag, hyp = Tally(), Tally()
    for by_rules in results.values():
        tag.add(by_rules["tagline"])
        hyp.add(by_rules["hypothesis"])
    print(
        f"\nmisplacement: tagline {pct(tag.misplaced, tag.total).strip()} vs hypothesis "
        f"{pct(hyp.misplaced, hyp.total).strip()}; "
        f"re-anchoring (placed): tagline {pct(tag.placed, tag.total).strip()} vs "
        f"hypothesis {pct(hyp.placed, hyp.total).strip()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = ["Weights", "run"]
