"""Suggestion quality on the hand-labelled seed sentences, and corpus-wide speed.

    python benchmarks/suggest_bench.py [--cues-from-store DB] [--scale N]

Quality: every sentence of `benchmarks/data/labelled_sentences.jsonl` (labelled by
reading, before the cues were tuned) is matched against the default cue phrases;
a theme is predicted when any of its cues matches. Precision, recall and F1 per
theme and micro-averaged. The labelled spans are the unit, so the figures do not
depend on the sentence splitter in use.

Speed: `suggest_corpus` over the seeds copied N times (default 2,000 articles).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from annotations.analysis.suggest import CueMatcher, suggest_corpus
from annotations.corpus import Corpus, article_from_text, load_corpus
from annotations.themes import Codebook, Theme
from benchmarks.harness import print_header

LABELLED = Path(__file__).resolve().parent / "data" / "labelled_sentences.jsonl"

# The cue phrases as they were before tuning (the baseline the figures compare to).
BASELINE_CUES = {
    "energy": (
        "oil", "natural gas", "gas pipeline", "pipeline", "LNG", "liquefied natural gas",
        "Power of Siberia", "nuclear energy", "nuclear power plant", "energy cooperation",
        "coal", "electricity", "Rosneft", "Gazprom", "crude", "renewable energy",
    ),
    "digital economy": (
        "digital economy", "e-commerce", "cross-border e-commerce", "big data",
        "Internet of Things", "smart cities", "artificial intelligence", "5G",
        "information technology", "digital", "online payment", "cloud computing", "hi-tech",
        "high technology",
    ),
    "Arctic route": (
        "Arctic", "Northern Sea Route", "Silk Road on Ice", "Polar Silk Road", "Yamal",
        "icebreaker", "polar", "Arctic shipping route", "Arctic LNG",
        "international transportation corridor",
    ),
}  # fmt: skip


def baseline_codebook() -> Codebook:
    return Codebook([Theme(t.name, t.color, t.hotkey, BASELINE_CUES[t.name]) for t in Codebook()])


def quality(codebook: Codebook) -> dict[str, dict[str, float]]:
    matcher = CueMatcher.from_codebook(codebook)
    names = codebook.names()
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in names}
    errors: list[str] = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold = set(row["themes"])
        found = matcher.match(row["text"])
        for t in names:
            predicted, truth = t in found, t in gold
            if predicted and truth:
                counts[t]["tp"] += 1
            elif predicted:
                counts[t]["fp"] += 1
                errors.append(f"  FP {t}: cue {found[t][1]!r} in {row['text'].strip()[:90]!r}")
            elif truth:
                counts[t]["fn"] += 1
                errors.append(f"  FN {t}: {row['text'].strip()[:100]!r}")
    counts["(micro)"] = {k: sum(c[k] for c in counts.values()) for k in ("tp", "fp", "fn")}
    out = {}
    for t, c in counts.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[t] = {**c, "precision": p, "recall": r, "f1": f1}
    out["_errors"] = errors  # type: ignore[assignment]
    return out


def speed(codebook: Codebook, scale: int) -> tuple[int, int, float]:
    seeds = load_corpus()
    articles = []
    for i in range(scale):
        for a in seeds:
            articles.append(article_from_text(f"{i:05d}/{a.id}", a.path, a.text))
    corpus = Corpus(articles)
    t0 = time.perf_counter()
    found = suggest_corpus(corpus, codebook, lambda _id: ())
    return len(corpus), len(found), time.perf_counter() - t0


def report(title: str, codebook: Codebook, show_errors: bool) -> dict[str, dict[str, float]]:
    result = quality(codebook)
    errors = result.pop("_errors")
    print(title)
    print(f"{'theme':16} {'TP':>3} {'FP':>3} {'FN':>3} {'precision':>9} {'recall':>6} {'F1':>5}")
    for t, m in result.items():
        print(
            f"{t:16} {m['tp']:3d} {m['fp']:3d} {m['fn']:3d} "
            f"{m['precision']:9.2f} {m['recall']:6.2f} {m['f1']:5.2f}"
        )
    if show_errors:
        print("\n".join(errors))
    print()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=400, help="copies of the 5 seeds")
    parser.add_argument("--errors", action="store_true", help="list false positives/negatives")
    args = parser.parse_args()
    print_header("benchmarks.suggest_bench")
    base = report("Baseline cues (before tuning)", baseline_codebook(), args.errors)
    codebook = Codebook()
    tuned = report("Default cues (tuned)", codebook, args.errors)
    ratio = tuned["(micro)"]["f1"] / base["(micro)"]["f1"] if base["(micro)"]["f1"] else 0.0
    print(f"micro F1: {tuned['(micro)']['f1']:.2f} vs baseline {base['(micro)']['f1']:.2f}"
          f" (x{ratio:.2f})")  # fmt: skip
    n, hits, seconds = speed(codebook, args.scale)
    print(f"\nsuggest_corpus: {n} articles, {hits} suggestions in {seconds:.2f} s")


if __name__ == "__main__":
    main()
