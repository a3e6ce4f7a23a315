"""Orphan review: annotations whose passage was lost or placed with doubt after an edit.

One at a time, orphans and placements that need review (`needs_review`): the stored
quote in its old context beside the highlighted passage in its new context, the
note, and the best candidate passages in the current text (`anchoring.candidates`,
the proposed placement first). `enter` places the annotation on the
highlighted candidate, `x` deletes it, `s` skips it; the screen closes after the
last one, dismissing with the number of orphans resolved. Every string shown comes
from articles or analysts, so it is rendered as `Text`, never parsed as markup.
"""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from annotations.anchoring import REVIEW, Candidate, candidates, orphans, place
from annotations.corpus import Article, Corpus
from annotations.model import Annotation
from annotations.store.protocol import Store
from annotations.text.decode import normalise

CONTEXT = 40  # characters of text shown either side of a candidate


class OrphanCommands(Provider):
    """The screen's actions in the command palette."""

    COMMANDS = (
        ("Orphans: accept candidate", "Place the orphan on the highlighted passage", "accept"),
        ("Orphans: delete orphan", "Delete this orphaned annotation", "delete"),
        ("Orphans: skip orphan", "Leave this orphan for later", "skip"),
    )

    async def discover(self) -> Hits:
        screen = self.screen
        if isinstance(screen, OrphanScreen):
            for name, help_text, action in self.COMMANDS:
                yield DiscoveryHit(name, partial(screen.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        screen = self.screen
        if not isinstance(screen, OrphanScreen):
            return
        matcher = self.matcher(query)
        for name, help_text, action in self.COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(screen.run_action, action),
                    help=help_text,
                )


class OrphanScreen(Screen[int]):
    """Needs a `tui.changes.ChangeApp` (every store change goes through `run_change`)."""

    CSS_PATH = "orphans.tcss"
    COMMANDS = {OrphanCommands}
    BINDINGS = [
        Binding("enter", "accept", "Accept", id="orphans.accept", priority=True),
        Binding("x", "delete", "Delete", id="orphans.delete"),
        Binding("s", "skip", "Skip", id="orphans.skip"),
        Binding("escape", "close", "Close", id="orphans.close"),
    ]

    def __init__(self, store: Store, corpus: Corpus) -> None:
        super().__init__()
        self.store = store
        self.corpus = corpus
        self.queue: list[tuple[Annotation, Article]] = orphans(store, corpus)
        self.index = 0
        self.resolved = 0
        self.choices: list[Candidate] = []

    def compose(self) -> ComposeResult:
        yield Static(id="orphan-heading")
        with Horizontal(id="orphan-compare"):
            yield Static(id="orphan-quote")  # the stored quote in its old context
            yield Static(id="orphan-now")  # the highlighted passage in the current text
        yield Static(Text("Note"), classes="orphan-label")
        yield Static(id="orphan-note")
        yield Static(Text("Candidate passages in the current text"), classes="orphan-label")
        yield OptionList(id="orphan-candidates")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    @property
    def current(self) -> tuple[Annotation, Article] | None:
        return self.queue[self.index] if self.index < len(self.queue) else None

    def show(self) -> None:
        current = self.current
        heading = self.query_one("#orphan-heading", Static)
        options = self.query_one("#orphan-candidates", OptionList)
        options.clear_options()
        if current is None:
            heading.update(Text("No orphaned annotations left."))
            self.query_one("#orphan-quote", Static).update(Text(""))
            self.query_one("#orphan-now", Static).update(Text(""))
            self.query_one("#orphan-note", Static).update(Text(""))
            return
        ann, article = current
        what = "Needs review" if ann.status == REVIEW else "Orphan"
        heading.update(
            Text(f"{what} {self.index + 1} of {len(self.queue)} · {article.title}  ")
            + Text(", ".join(ann.themes), style="italic")
        )
        # normalise(): a note may hold control characters; they never reach the terminal.
        old = Text("Before\n", style="bold")
        old.append(normalise(ann.prefix), style="dim")
        old.append(normalise(ann.exact), style="reverse")
        old.append(normalise(ann.suffix), style="dim")
        self.query_one("#orphan-quote", Static).update(old)
        self.query_one("#orphan-note", Static).update(Text(normalise(ann.note) or "—"))
        self.choices = candidates(ann, article, k=3)
        options.add_options(
            [Option(self.prompt(article.text, c), id=str(i)) for i, c in enumerate(self.choices)]
        )
        if self.choices:
            options.highlighted = 0
        self.show_now(0)
        options.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.show_now(event.option_index)

    def show_now(self, index: int | None) -> None:
        """The highlighted candidate in its new context, beside the old one."""
        now = Text("Now\n", style="bold")
        current = self.current
        if current is not None and index is not None and index < len(self.choices):
            text, cand = current[1].text, self.choices[index]
            now.append(normalise(text[max(0, cand.start - CONTEXT) : cand.start]), style="dim")
            now.append(normalise(text[cand.start : cand.end]), style="reverse")
            now.append(normalise(text[cand.end : cand.end + CONTEXT]), style="dim")
        else:
            now.append("no candidate passage", style="italic")
        self.query_one("#orphan-now", Static).update(now)

    @staticmethod
    def prompt(text: str, cand: Candidate) -> Text:
        before = text[max(0, cand.start - CONTEXT) : cand.start].replace("\n", " ")
        after = text[cand.end : cand.end + CONTEXT].replace("\n", " ")
        line = Text(f"{round(cand.score * 100):3d}%  ", style="bold")
        line.append("…" + before, style="dim")
        line.append(text[cand.start : cand.end].replace("\n", " "), style="reverse")
        line.append(after + "…", style="dim")
        return line

    def advance(self) -> None:
        if self.current is None or self.index + 1 >= len(self.queue):
            self.dismiss(self.resolved)
            return
        self.index += 1
        self.show()

    def action_accept(self) -> None:
        current = self.current
        highlighted = self.query_one("#orphan-candidates", OptionList).highlighted
        if current is None or highlighted is None or highlighted >= len(self.choices):
            self.notify("No candidate to accept: x deletes, s skips", severity="warning")
            return
        ann, article = current
        choice = self.choices[highlighted]
        placed = place(ann, article, choice.start, choice.end, "reanchored")
        # A failed save is shown by the app; the orphan stays on screen to retry.
        if self.app.run_change(lambda: self.store.put_many([placed], label="place orphan")):
            self.resolved += 1
            self.advance()

    def action_delete(self) -> None:
        current = self.current
        if current is None:
            self.advance()
        elif self.app.run_change(lambda: self.store.delete(current[0].id, label="delete orphan")):
            self.resolved += 1
            self.advance()

    def action_skip(self) -> None:
        self.advance()

    def action_close(self) -> None:
        self.dismiss(self.resolved)
