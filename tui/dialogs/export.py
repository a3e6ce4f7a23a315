"""Export dialog: format, filters, file path; reports where it wrote and how many."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from annotations.corpus import Article
from annotations.formats import FORMATS, ExportContext, get_format, select
from annotations.workspace import Workspace
from tui.cli.export import write_file
from tui.dialogs.base import Dialog


class ExportScreen(Dialog[None]):
    DEFAULT_CSS = """
    ExportScreen #themes {
        height: auto;
        max-height: 8;
    }
    ExportScreen #result {
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="export.close"),
        Binding("ctrl+s", "export", "Export", id="export.run"),
    ]

    def __init__(self, workspace: Workspace, article: Article | None) -> None:
        super().__init__()
        self.workspace = workspace
        self.article = article

    def compose(self) -> ComposeResult:
        writable = [f for f in FORMATS.values() if f.writer is not None]
        with self.frame():
            yield Label("Export annotations", classes="dialog-title")
            yield Label("Format")
            yield Select(
                [(f"{f.name}: {f.description}", f.name) for f in writable],
                value="jsonl" if "jsonl" in FORMATS else writable[0].name,
                allow_blank=False,
                id="format",
            )
            yield Label("Themes (none ticked: all)")
            yield SelectionList[str](
                *[(t.name, t.name) for t in self.workspace.store.codebook], id="themes"
            )
            yield Label("Articles")
            yield Select(
                [("All articles", "all"), ("Only the open article", "one")],
                value="all",
                allow_blank=False,
                id="scope",
            )
            yield Label("File")
            yield Input(str(Path.cwd() / "tagline-export.jsonl"), id="path")
            with Horizontal(classes="buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="go")
                yield Button("Close (esc)", id="close")
            yield Static("", id="result", markup=False)

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        box = self.query_one("#path", Input)
        path = Path(box.value or "tagline-export")
        box.value = str(path.with_suffix(get_format(str(event.value)).extension))

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#go")
    def action_export(self) -> None:
        fmt = get_format(str(self.query_one("#format", Select).value))
        themes = list(self.query_one("#themes", SelectionList).selected)
        one = self.query_one("#scope", Select).value == "one" and self.article is not None
        articles = [self.article.id] if one and self.article else []
        path = Path(self.query_one("#path", Input).value.strip() or "tagline-export").expanduser()
        self.query_one("#result", Static).update(f"Exporting to {path}…")
        ws = self.workspace
        # Selected here, on the UI thread: the store is not shared with the worker.
        anns = list(select(ws.store.all(), themes=themes, articles=articles))
        self._run(fmt.name, anns, ExportContext(ws.corpus, ws.store.codebook), path)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _run(self, name: str, anns: list, ctx: ExportContext, path: Path) -> None:
        fmt = get_format(name)
        try:
            count = write_file(path, lambda fh: fmt.writer(anns, fh, ctx), fmt.binary)
        except Exception as exc:  # shown, never raised into the UI
            message = f"Export failed: {exc}"
        else:
            message = f"Wrote {count} annotation(s) to {path}"
        self.app.call_from_thread(self._done, message)

    def _done(self, message: str) -> None:
        self.query_one("#result", Static).update(message)
        self.notify(message, markup=False)
