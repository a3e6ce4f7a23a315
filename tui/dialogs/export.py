"""Export dialog: format, filters, file path; reports where it wrote and how many."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, Select, SelectionList, Static

from annotations import report
from annotations.atomic import atomic_write
from annotations.corpus import Article
from annotations.export import ExportFilters, ExportJob, prepare_export
from annotations.formats import FORMATS, get_format, select
from annotations.store.errors import StoreError
from annotations.workspace import Workspace
from tui.dialogs.base import Dialog
from tui.live import is_remote, unreachable


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
                [(f"{f.name}: {f.description}", f.name) for f in writable]
                + [
                    ("report (Markdown): codebook, coded segments, figures", "report-md"),
                    ("report (HTML, self-contained): the same, with charts", "report-html"),
                ],
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
        name = str(event.value)
        if name.startswith("report-"):
            suffix = report.EXTENSIONS[name.removeprefix("report-")]
        else:
            suffix = get_format(name).extension
        box.value = str(path.with_suffix(suffix))

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#go")
    def action_export(self) -> None:
        name = str(self.query_one("#format", Select).value)
        themes = list(self.query_one("#themes", SelectionList).selected)
        one = self.query_one("#scope", Select).value == "one" and self.article is not None
        articles = [self.article.id] if one and self.article else []
        path = Path(self.query_one("#path", Input).value.strip() or "tagline-export").expanduser()
        self.query_one("#result", Static).update(f"Exporting to {path}…")
        if is_remote(self.workspace.store):
            # Team mode: the annotations come from the server; read in the worker so
            # the UI thread never waits for the network (or for it to come back).
            self.query_one("#result", Static).update(
                f"Exporting to {path}… loading from the server…"
            )
            self._remote(name, themes, articles, path)
            return
        if name.startswith("report-"):
            # The report is a document, not an annotation format: the same use case as
            # `tagline report`, on a snapshot taken here.
            ws = self.workspace
            anns = list(select(ws.annotations(), themes=themes, articles=articles))
            self._report(name.removeprefix("report-"), anns, ws.store.codebook.copy(), themes, path)
            return
        try:
            # Prepared here, on the UI thread: the worker gets a snapshot, not the store.
            job = prepare_export(
                self.workspace, name, ExportFilters.of(themes=themes, articles=articles)
            )
        except ValueError as exc:
            self._done(f"Export failed: {exc}")
            return
        self._run(job, path)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _remote(self, name: str, themes: list[str], articles: list[str], path: Path) -> None:
        """Team mode: snapshot and write in this worker; the server away is said so."""
        ws = self.workspace
        try:
            if name.startswith("report-"):
                anns = list(select(ws.annotations(), themes=themes, articles=articles))
                fmt, codebook = name.removeprefix("report-"), ws.store.codebook.copy()
                doc, count = report.render(anns, ws.corpus, codebook, fmt, themes=themes)
                atomic_write(path, lambda fh: fh.write(doc))
                message = f"Wrote a report of {count} coded segment(s) to {path}"
            else:
                filters = ExportFilters.of(themes=themes, articles=articles)
                count = prepare_export(ws, name, filters).write_to(path)
                message = f"Wrote {count} annotation(s) to {path}"
        except StoreError as exc:
            message = f"Export failed: {unreachable(exc)}"
        except Exception as exc:  # shown, never raised into the UI
            message = f"Export failed: {exc}"
        self.app.call_from_thread(self._done, message)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _run(self, job: ExportJob, path: Path) -> None:
        try:
            count = job.write_to(path)
        except Exception as exc:  # shown, never raised into the UI
            message = f"Export failed: {exc}"
        else:
            message = f"Wrote {count} annotation(s) to {path}"
        self.app.call_from_thread(self._done, message)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _report(self, fmt: str, anns: list, codebook, themes: list[str], path: Path) -> None:
        try:
            doc, count = report.render(anns, self.workspace.corpus, codebook, fmt, themes=themes)
            atomic_write(path, lambda fh: fh.write(doc))
        except Exception as exc:  # shown, never raised into the UI
            message = f"Report failed: {exc}"
        else:
            message = f"Wrote a report of {count} coded segment(s) to {path}"
        self.app.call_from_thread(self._done, message)

    def _done(self, message: str) -> None:
        self.query_one("#result", Static).update(message)
        self.notify(message, markup=False)
