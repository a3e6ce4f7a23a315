"""The theme dashboard: where each theme stands across the corpus.

Renders `annotations.analysis.stats.compute` (no figures are computed here). The figures
are computed in a thread worker: on 100,000 annotations that takes seconds, so
the screen shows "Computing…" and fills in when they arrive. Every name or
title that came from a file is passed as a `rich.text.Text`, never as a string,
so DataTable cells and labels do not parse it as markup.
"""

from __future__ import annotations

from itertools import combinations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Label, Sparkline, Static
from textual.worker import Worker, WorkerState

from annotations.analysis.stats import CorpusStats, compute
from annotations.corpus import Corpus
from annotations.coverage import Progress, progress
from annotations.store.protocol import Store


def _sort_value(value: object) -> object:
    """Cells hold `Text` for names: sort on their plain text, numbers as numbers."""
    return value.plain.casefold() if isinstance(value, Text) else value


class DashboardScreen(Screen[str | None]):
    """Per-theme figures, an article × theme matrix, co-occurrence and a timeline.

    Dismisses with the id of the article chosen with `enter` (None on `escape`),
    and posts `DashboardScreen.OpenArticle` so an app can open it.
    """

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("escape", "close", "Close", id="dashboard.close"),
        Binding("s", "sort", "Sort column", id="dashboard.sort"),
        Binding("r", "reverse", "Reverse sort", id="dashboard.reverse", show=False),
    ]

    class OpenArticle(Message):
        def __init__(self, article_id: str) -> None:
            super().__init__()
            self.article_id = article_id

    def __init__(self, store: Store, corpus: Corpus) -> None:
        super().__init__()
        self.store = store
        self.corpus = corpus
        self.stats: CorpusStats | None = None  # set when the worker is done
        self.progress: list[Progress] = []  # articles done per analyst, with the stats
        self._sort_column = 0
        self._reverse = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dashboard-body"):
            yield Static(Text("Computing…"), id="dashboard-progress", classes="section")
        yield Footer()

    def on_mount(self) -> None:
        self._compute()

    @work(thread=True, exclusive=True, exit_on_error=False, name="dashboard")
    def _compute(self) -> CorpusStats:
        # Read-only on the store; the main screen, the only writer, is covered meanwhile.
        authors = [a for a in self.store.authors() if a]
        self.progress = progress(self.store.coverage(), [a.id for a in self.corpus], authors)
        return compute(self.store.all(), self.corpus, self.store.codebook.names())

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "dashboard":
            return
        progress = self.query_one("#dashboard-progress", Static)
        if event.state == WorkerState.ERROR:
            progress.update(Text(f"Could not compute the figures: {event.worker.error}"))
        elif event.state == WorkerState.SUCCESS:
            self.stats = event.worker.result
            body = self.query_one("#dashboard-body", VerticalScroll)
            await progress.remove()
            await body.mount_all(self._widgets(self.stats))
            self.query_one("#matrix", DataTable).focus()

    def _widgets(self, stats: CorpusStats) -> list[Widget]:
        names = stats.theme_names
        out: list[Widget] = [
            Static(
                Text(
                    f"{stats.annotations} annotation(s) in {len(stats.articles)} "
                    f"of {len(self.corpus)} article(s)"
                ),
                classes="section",
            )
        ]
        if self.progress:
            done = " · ".join(p.describe() for p in self.progress)
            out.append(Static(Text(f"Coverage: {done}"), id="progress", classes="section"))
        themes = DataTable(id="themes", cursor_type="row", zebra_stripes=True)
        themes.add_columns(
            "theme", "annotations", "articles", "characters", "share", "first", "last"
        )
        for t in stats.themes:
            themes.add_row(
                Text(t.theme, style=self.store.codebook.color_of(t.theme)),
                t.annotations,
                t.articles,
                t.characters,
                Text(f"{100 * t.share:.2f}%", justify="right"),
                Text(t.first_date or "-"),
                Text(t.last_date or "-"),
                key=t.theme,
            )
        out.append(themes)
        out.append(Static(Text("Articles × themes (enter opens, s sorts)"), classes="section"))
        matrix = DataTable(id="matrix", cursor_type="row", zebra_stripes=True)
        # The title column is bounded so every theme column fits beside it: what is
        # left of the screen after the numbers, at least 16 and at most 60 cells.
        numbers = 10 + sum(max(len(n), 3) + 2 for n in names) + 12 + 13 + 2
        longest = max((len(r.title) for r in stats.articles), default=8)
        title_width = max(16, min(60, longest, self.size.width - numbers - 4))
        matrix.add_column("article", width=title_width)
        matrix.add_columns("date", *names, "theme uses", "annotations")
        for row in stats.articles:
            matrix.add_row(
                Text(row.title, no_wrap=True, overflow="ellipsis"),
                Text(row.date or "-"),
                *(row.counts.get(n, 0) for n in names),
                row.total,
                row.annotations,
                key=row.article_id,
            )
        out.append(matrix)
        out.append(Static(Text("Co-occurrence (within each analyst)"), classes="section"))
        co = DataTable(id="cooccurrence", cursor_type="row")
        co.add_columns("theme", "with", "overlapping", "same article")
        for a, b in combinations(names, 2):
            co.add_row(
                Text(a),
                Text(b),
                stats.overlap.get((a, b), 0),
                stats.same_article.get((a, b), 0),
            )
        out.append(co)
        # Textual's own Sparkline rather than textual-plotext: no extra dependency,
        # one line per theme lines up under the tables, and the exact counts are
        # in `tagline stats`; a trend per theme is what the dashboard must show.
        out.append(Static(Text("Over time (annotations per month)"), classes="section"))
        for name in names:
            out.append(
                Horizontal(
                    Label(Text(name, style=self.store.codebook.color_of(name))),
                    Sparkline(stats.series(name), summary_function=max),
                    classes="timeline-row",
                )
            )
        if stats.months:
            out.append(Label(Text(f"{stats.months[0]} … {stats.months[-1]}"), id="months"))
        return out

    @on(DataTable.RowSelected, "#matrix")
    def _open(self, event: DataTable.RowSelected) -> None:
        article_id = event.row_key.value
        if article_id is not None:
            self.post_message(self.OpenArticle(article_id))
            self.dismiss(article_id)

    @on(DataTable.HeaderSelected, "#matrix")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        self._reverse = not self._reverse if event.column_index == self._sort_column else True
        self._sort_column = event.column_index
        self._apply_sort()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_sort(self) -> None:
        """Sort the matrix by the next column (counts descending first)."""
        if self.stats is None:
            return
        matrix = self.query_one("#matrix", DataTable)
        self._sort_column = (self._sort_column + 1) % len(matrix.columns)
        self._reverse = self._sort_column >= 2  # counts: biggest first
        self._apply_sort()

    def action_reverse(self) -> None:
        if self.stats is None:
            return
        self._reverse = not self._reverse
        self._apply_sort()

    def _apply_sort(self) -> None:
        matrix = self.query_one("#matrix", DataTable)
        column = list(matrix.columns)[self._sort_column]
        matrix.sort(column, key=_sort_value, reverse=self._reverse)
