"""The Tagline app (minimal shell; the reader and annotator fill it in)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, OptionList, TextArea

from annotations.workspace import Workspace


class TaglineApp(App):
    TITLE = "Tagline"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        from rich.text import Text

        yield OptionList(*[Text(a.title) for a in self.workspace.corpus])
        yield TextArea(
            self.workspace.corpus.articles[0].text if len(self.workspace.corpus) else "",
            read_only=True,
        )
        yield Footer()
