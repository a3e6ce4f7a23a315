"""Apps on a temporary store for the TUI tests and snapshots (fixed theme, no blink)."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from annotations.corpus import Corpus, load_corpus
from annotations.store.tinydb_store import AnnotationStore
from annotations.text.segment import sentences
from annotations.workspace import Workspace
from tui.app import TaglineApp
from tui.widgets.reader import Reader

THEME = "textual-dark"


def make_workspace(
    db: Path, corpus: Corpus | None = None, *, read_only: bool = False, locked: bool = False
) -> Workspace:
    store = AnnotationStore(db, read_only=read_only, author="tester")
    return Workspace(corpus or load_corpus(), store, [], [], locked)


class SteadyApp(TaglineApp):
    """The app with a fixed theme, colour system and a steady caret, so screens are
    reproducible (the reader picks highlight colours per colour system)."""

    colour_system = "truecolor"

    def on_mount(self) -> None:
        # Textual calls every class's `on_mount` in the MRO: calling super() here would
        # run TaglineApp's twice (two main screens, and in team mode two watchers).
        self.call_after_refresh(self._steady)

    def _steady(self) -> None:
        for reader in self.screen.query(Reader):
            reader.cursor_blink = False


def make_app(db: Path, corpus: Corpus | None = None, **kwargs) -> SteadyApp:
    return SteadyApp(make_workspace(db, corpus, **kwargs), theme=THEME)


def first_sentence(text: str) -> tuple[int, int]:
    """The first sentence of `text` as the reader's `s` selects it (whitespace trimmed)."""
    start, end = next((s, e) for s, e in sentences(text) if text[s:e].strip())
    while text[start].isspace():
        start += 1
    while text[end - 1].isspace():
        end -= 1
    return start, end


def pretagged_app(db: Path, theme: str = THEME) -> SteadyApp:
    """The seeds with a few tags on the first article, including an overlap and a note."""
    corpus = load_corpus()
    store = AnnotationStore(db, author="tester")
    article = corpus.articles[0]
    text = article.text
    s1 = first_sentence(text)
    store.tag(article, *s1, ["energy"])
    i = text.index("digital economy")
    store.tag(article, i, i + len("digital economy"), ["digital economy"], note="key phrase")
    j = text.index("Arctic shipping route")
    store.tag(article, j - 20, j + len("Arctic shipping route"), ["Arctic route"])
    store.tag(article, j, j + len("Arctic shipping route"), ["energy", "Arctic route"])
    store.close()
    app = SteadyApp(make_workspace(db, corpus), theme=theme)
    return app


def sync(fn):
    """Run an async test with asyncio (no pytest async plugin needed)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


def overlaps_app(db: Path) -> SteadyApp:
    """The first seed with what the reader must show apart (issue 12): a sentence coded
    energy + digital economy holding a phrase coded digital economy with a note, and
    the Arctic sentence coded Arctic route holding "Arctic shipping route" coded Arctic
    route again (same theme, nested), plus a plain energy sentence."""
    from annotations.text.segment import sentence_at

    corpus = load_corpus()
    store = AnnotationStore(db, author="tester")
    article = corpus.articles[0]
    text = article.text
    store.tag(article, *first_sentence(text), ["energy"])
    i = text.index("digital economy", text.index("MOSCOW"))
    s, e = sentence_at(text, i)
    s, e = s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip())
    store.tag(article, s, e, ["energy", "digital economy"])
    store.tag(article, i, i + len("digital economy"), ["digital economy"], note="key phrase")
    j = text.index("Arctic shipping route")
    s, e = sentence_at(text, j)
    s, e = s + len(text[s:e]) - len(text[s:e].lstrip()), s + len(text[s:e].rstrip())
    store.tag(article, s, e, ["Arctic route"])
    store.tag(article, j, j + len("Arctic shipping route"), ["Arctic route"])
    store.close()
    return SteadyApp(make_workspace(db, corpus), theme=THEME)
