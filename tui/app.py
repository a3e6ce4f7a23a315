"""The Tagline app: thin; it opens the main screen on a workspace and holds app-wide keys."""

from __future__ import annotations

from pathlib import Path

from textual.app import App
from textual.binding import Binding

from annotations.workspace import Workspace

from .commands_palette import TaglineCommands
from .screens.main import MainScreen


class TaglineApp(App):
    TITLE = "Tagline"
    # Absolute, so subclasses defined elsewhere (tests) find it too.
    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    COMMANDS = App.COMMANDS | {TaglineCommands}
    BINDINGS = [
        Binding("question_mark,f1", "help", "Help", id="help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="palette"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    def __init__(self, workspace: Workspace, *, theme: str | None = None) -> None:
        super().__init__()
        self.workspace = workspace
        if theme:
            self.theme = theme

    def on_mount(self) -> None:
        self.push_screen(MainScreen(self.workspace))
        for warning in self.workspace.warnings:
            self.notify(warning, severity="warning", markup=False)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())
