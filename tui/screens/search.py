"""Search across the corpus (the search issue fills this in)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from annotations.workspace import Workspace


class SearchScreen(ModalScreen[None]):
    """Placeholder: full-text and annotation search arrive with the search core."""

    BINDINGS = [Binding("escape,q", "dismiss(None)", "Close", id="search.close")]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Search", classes="dialog-title")
            yield Static("Search is coming soon. Press escape to go back.")
