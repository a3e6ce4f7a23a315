"""A deterministic synthetic news corpus with planted target phrases and typo'd queries.

    generate(n, seed=0) -> list[(article_id, text)]
    planted(n, seed=0)  -> list[Planted]   (phrase, typo'd query, where it sits)
    articles(n, seed=0) -> list[Article]   (via `article_from_text`)

CLI: ``python -m benchmarks.corpus_gen OUTDIR --n 10000`` writes one ``.txt`` per article
and ``planted.json``. Same `n` and `seed` → byte-identical output.

Prose: ~600 words per article, template sentences over a Zipf-weighted news vocabulary,
a pool of generated person, place and organisation names, dates and numbers. Every tenth
article (up to `targets`) carries one planted phrase: common words in a combination that
occurs nowhere else, like "silk road on ice". Its query has one or two typos.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

WORDS_PER_ARTICLE = 600
TARGETS = 100

# The word lists live in a data file so the generator reads as code.
_VOCAB = json.loads(
    (Path(__file__).parent / "data" / "vocabulary.json").read_text(encoding="utf-8")
)
_NOUNS = _VOCAB["nouns"]
_ADJ = _VOCAB["adj"]
_VERBS = _VOCAB["verbs"]
_PREPS = _VOCAB["preps"]
_FILLER = _VOCAB["filler"]
_ROLES = _VOCAB["roles"]
_DAYS = _VOCAB["days"]
_MONTHS = _VOCAB["months"]
_UNITS = _VOCAB["units"]
_SYL = _VOCAB["syl"]
_TEMPLATES = tuple(_VOCAB["templates"])


@dataclass(frozen=True, slots=True)
class Planted:
    """A target phrase at `text[start:end]` of `article_id`, and the typo'd `query` for it."""

    article_id: str
    start: int
    end: int
    phrase: str
    query: str


@lru_cache(maxsize=8)
def _names(seed: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    rng = random.Random(seed * 7919 + 1)

    def word(k: int) -> str:
        return "".join(rng.choice(_SYL) for _ in range(k)).capitalize()

    people = tuple(dict.fromkeys(f"{word(2)} {word(rng.randint(2, 3))}" for _ in range(3000)))
    places = tuple(dict.fromkeys(word(rng.randint(2, 4)) for _ in range(2000)))
    orgs = tuple(
        dict.fromkeys(
            f"{word(2)} {rng.choice(['Group', 'Holdings', 'Institute', 'Bank', 'Energy', 'Logistics'])}"
            for _ in range(1000)
        )
    )
    return people, places, orgs


def _zipf(items: list[str]) -> list[float]:
    cum, total = [], 0.0
    for rank in range(1, len(items) + 1):
        total += 1.0 / rank
        cum.append(total)
    return cum


_NOUN_W = _zipf(_NOUNS)
_ADJ_W = _zipf(_ADJ)
_FILLER_W = _zipf(_FILLER)


class _Writer:
    def __init__(self, rng: random.Random, seed: int) -> None:
        self.rng = rng
        self.people, self.places, self.orgs = _names(seed)

    def noun(self) -> str:
        return self.rng.choices(_NOUNS, cum_weights=_NOUN_W)[0]

    def adj(self) -> str:
        return self.rng.choices(_ADJ, cum_weights=_ADJ_W)[0]

    def filler(self) -> str:
        return " ".join(self.rng.choices(_FILLER, cum_weights=_FILLER_W, k=self.rng.randint(1, 4)))

    def sentence(self) -> str:
        r = self.rng
        verb = r.choice(_VERBS)
        fields = {
            "Name": r.choice(self.people),
            "role": r.choice(_ROLES),
            "Org": r.choice(self.orgs),
            "Agency": r.choice(["Xinhua", "Reuters", "AP", "TASS", "AFP"]),
            "day": r.choice(_DAYS),
            "month": r.choice(_MONTHS),
            "dom": r.randint(1, 28),
            "place": r.choice(self.places),
            "place2": r.choice(self.places),
            "PLACE": r.choice(self.places).upper(),
            "verb": verb,
            "verb_base": r.choice(["expand", "build", "review", "support", "develop", "open"]),
            "adj": self.adj(),
            "adj2": self.adj(),
            "noun": self.noun(),
            "noun2": self.noun(),
            "noun3": self.noun(),
            "prep": r.choice(_PREPS),
            "num": r.randint(2, 990),
            "unit": r.choice(_UNITS),
            "year": r.randint(1995, 2030),
            "pct": round(r.uniform(0.1, 30), 1),
            "filler": self.filler(),
            "filler2": self.filler(),
            "filler3": self.filler(),
        }
        s = r.choice(_TEMPLATES).format(**fields)
        return s[0].upper() + s[1:]

    def article(self, words: int) -> tuple[str, list[str]]:
        title = f"{self.rng.choice(self.places)} and {self.rng.choice(self.places)} {self.rng.choice(_VERBS)} {self.adj()} {self.noun()} {self.noun()}"
        paras: list[str] = []
        count = 0
        while count < words:
            para = [self.sentence() for _ in range(self.rng.randint(2, 5))]
            count += sum(len(s.split()) for s in para)
            paras.append(" ".join(para))
        return title, paras


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # drop
        return word[:i] + word[i + 1 :]
    if kind == 1:  # double
        return word[:i] + word[i] + word[i:]
    if kind == 2:  # swap
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + rng.choice("aeioustrnl") + word[i + 1 :]  # substitute


def _phrase(rng: random.Random, seen: set[str]) -> str:
    while True:
        parts = [
            rng.choice(_ADJ[10:]),
            rng.choice(_NOUNS[20:]),
            rng.choice(["of", "for", "on", "across", "beyond"]),
            rng.choice(_ADJ[10:]),
            rng.choice(_NOUNS[20:]),
        ]
        phrase = " ".join(parts)
        if phrase not in seen:
            seen.add(phrase)
            return phrase


def _query(rng: random.Random, phrase: str) -> str:
    words = phrase.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5]
    for i in rng.sample(long, min(len(long), rng.choice([1, 2]))):
        words[i] = _typo(rng, words[i])
    return " ".join(words)


def _generate(n: int, seed: int, targets: int) -> tuple[list[tuple[str, str]], list[Planted]]:
    rng = random.Random(seed)
    writer = _Writer(rng, seed)
    width = max(5, len(str(n)))
    every = max(1, n // max(1, targets)) if targets else 0
    out: list[tuple[str, str]] = []
    planted: list[Planted] = []
    seen: set[str] = set()
    for k in range(n):
        article_id = f"{k:0{width}d}.txt"
        title, paras = writer.article(WORDS_PER_ARTICLE)
        phrase = None
        if every and k % every == every // 2 and len(planted) < targets:
            phrase = _phrase(rng, seen)
            p = rng.randrange(len(paras))
            sent = f"{writer.rng.choice(writer.people)} said the {phrase} would {rng.choice(['matter', 'last', 'grow'])}."
            paras.insert(p, sent)
        text = title + "\n\n" + "\n\n".join(paras) + "\n"
        if phrase is not None:
            start = text.index(" the " + phrase) + 5
            planted.append(
                Planted(article_id, start, start + len(phrase), phrase, _query(rng, phrase))
            )
        out.append((article_id, text))
    return out, planted


def generate(n: int, seed: int = 0, targets: int = TARGETS) -> list[tuple[str, str]]:
    """`n` articles as (id, text), deterministic for (`n`, `seed`, `targets`)."""
    return _generate(n, seed, targets)[0]


def planted(n: int, seed: int = 0, targets: int = TARGETS) -> list[Planted]:
    """The planted targets of `generate(n, seed, targets)` (cheap to call again: same work)."""
    return _generate(n, seed, targets)[1]


def generate_with_targets(
    n: int, seed: int = 0, targets: int = TARGETS
) -> tuple[list[tuple[str, str]], list[Planted]]:
    """Both at once (one generation pass)."""
    return _generate(n, seed, targets)


def articles(n: int, seed: int = 0, targets: int = TARGETS):
    """The corpus as `Article` objects (ids as file names under a virtual `synthetic/`)."""
    from annotations.corpus import article_from_text

    return [article_from_text(i, Path("synthetic") / i, t) for i, t in generate(n, seed, targets)]


THEMES = ("energy", "digital economy", "Arctic route")


def synthetic_annotations(arts, n: int, seed: int = 3, author: str = "bench") -> list:
    """`n` annotations of 20–200 characters spread round-robin over `arts`, one theme each."""
    from annotations.model import Annotation

    rng = random.Random(seed)
    out = []
    for i in range(n):
        art = arts[i % len(arts)]
        start = rng.randrange(0, max(1, len(art.text) - 200))
        end = min(len(art.text), start + rng.randrange(20, 200))
        out.append(
            Annotation.create(
                article_id=art.id,
                text=art.text,
                sha256=art.sha256,
                start=start,
                end=end,
                themes=[rng.choice(THEMES)],
                note="a short analyst note" if i % 4 == 0 else "",
                author=author,
            )
        )
    return out


def long_text(chars: int, seed: int = 0) -> str:
    """One article of at least `chars` characters: generated articles run together."""
    parts, total, n = [], 0, 0
    while total < chars:
        n += 50
        for _, text in generate(n, seed=seed + n, targets=0)[n - 50 :]:
            parts.append(text)
            total += len(text) + 1
            if total >= chars:
                break
    return "\n".join(parts)


def write_workspace(folder: Path, n_articles: int, n_annotations: int) -> tuple[Path, Path]:
    """A corpus folder of `n_articles` files and a store with `n_annotations` on them."""
    from annotations.corpus import load_corpus
    from annotations.store.tinydb_store import AnnotationStore

    corpus_dir = folder / "corpus"
    corpus_dir.mkdir(parents=True)
    for article_id, text in generate(n_articles, seed=0):
        path = corpus_dir / article_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    corpus = load_corpus([corpus_dir])
    db = folder / "db.json"
    with AnnotationStore(db, author="bench") as store:
        store.put_many(synthetic_annotations(corpus.articles, n_annotations), undoable=False)
    return corpus_dir, db


def write(outdir: Path, n: int, seed: int = 0, targets: int = TARGETS) -> list[Planted]:
    outdir.mkdir(parents=True, exist_ok=True)
    docs, plants = generate_with_targets(n, seed, targets)
    for article_id, text in docs:
        (outdir / article_id).write_text(text, encoding="utf-8")
    (outdir / "planted.json").write_text(
        json.dumps([asdict(p) for p in plants], indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    return plants


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.corpus_gen", description=__doc__.split("\n")[0]
    )
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--targets", type=int, default=TARGETS)
    args = parser.parse_args(argv)
    plants = write(args.outdir, args.n, args.seed, args.targets)
    print(
        f"wrote {args.n} articles and {len(plants)} planted targets to {args.outdir}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
