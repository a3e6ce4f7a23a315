"""The article list: one `OptionList` fed by one `set_options()` call, filtered in place.

Options are plain one-line `Content` prompts (never markup: titles come from
files), so 10,000 articles cost one list of options, not 10,000 widgets. A row's
prompt (its theme counts and title) is built when the row is first drawn, so
start-up neither counts every annotation nor builds 10,000 prompts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.content import Content, Span
from textual.geometry import Size
from textual.style import Style
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from annotations.corpus import Article
from annotations.themes import Codebook
from tui import colour
from tui.widgets.legend import ThemeLegend

if TYPE_CHECKING:
    from annotations.search.titles import TitleMatcher

NO_MATCH = "no matching titles"


_DIM = Style.parse("dim")
_DONE = Style.parse("bold #5FAF5F")
DONE_MARK = "✓ "  # the current analyst marked the article done
_GREY = "#8A8A8A"


@lru_cache(maxsize=64)
def _colour(color: str) -> Style:
    return Style.parse(color)


def article_prompt(
    article: Article, counts: Counter[str], codebook: Codebook, done: bool = False
) -> Content:
    """A done mark, the date (dimmed), theme marks with counts, the title, then the source.

    Built as one string with spans (not `Content.assemble`): 10,000 of these are
    made at start-up, and assembling parses styles for every part.
    """
    text: list[str] = []
    spans: list[Span] = []
    at = 0

    def add(piece: str, style: Style | None = None) -> None:
        nonlocal at
        text.append(piece)
        if style is not None:
            spans.append(Span(at, at + len(piece), style))
        at += len(piece)

    if done:
        add(DONE_MARK, _DONE)
    if article.date:  # early, so it shows however narrow the list is
        add(article.date + " ", _DIM)
    if counts:
        for theme in codebook:
            n = counts.get(theme.name, 0)
            if n:
                add(f"■{n} ", _colour(theme.color))
        # Themes no longer in the codebook (imported, removed) still show, in grey.
        known = {t.name for t in codebook}
        for name, n in sorted(counts.items()):
            if n and name not in known:
                add(f"■{n} ", _colour(_GREY))
    add(article.title)
    if article.source:
        add("  " + article.source, _DIM)
    return Content("".join(text), spans)


class _OneLineRows(Sequence[tuple[int, int]]):
    """`OptionList._lines` when option i is line i: (option index, line in option)."""

    __slots__ = ("_n",)

    def __init__(self, n: int) -> None:
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, y):  # type: ignore[override]
        if isinstance(y, slice):
            return [(i, 0) for i in range(*y.indices(self._n))]
        if y < 0:
            y += self._n
        if not 0 <= y < self._n:
            raise IndexError(y)
        return (y, 0)


class _Ones(dict):
    """`OptionList._heights`: every option is one line high."""

    def __getitem__(self, key: int) -> int:
        return 1


class _Identity(dict):
    """`OptionList._index_to_line`: option i starts on line i."""

    def __getitem__(self, key: int) -> int:
        return key


_ONES, _IDENTITY = _Ones(), _Identity()


class _Row(Option):
    """One article's row; its prompt comes from the list, built on first draw."""

    def __init__(self, rows: ArticleList, index: int) -> None:
        super().__init__("", id=rows.articles[index].id)
        self._rows = rows
        self._index = index

    @property
    def prompt(self) -> Content:
        return self._rows.prompt_at(self._index)


class ArticleList(OptionList):
    """Articles by id; moving the highlight opens the article (the screen listens)."""

    # Every row is exactly one line: `_update_lines` relies on it. The cursor is in a
    # colour no highlight is given (`tui.colour.RESERVED`), focused or not.
    DEFAULT_CSS = f"""
    ArticleList {{
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }}
    ArticleList > .option-list--option-highlighted,
    ArticleList:focus > .option-list--option-highlighted {{
        background: {colour.LIST_CURSOR_BG};
        color: {colour.LIST_CURSOR_FG};
    }}
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up"),
        Binding("right", "select", "Read", show=False, id="list.read"),
    ]

    def __init__(self, articles: list[Article], **kwargs) -> None:
        super().__init__(**kwargs)
        self.articles = articles
        self._matcher: TitleMatcher | None = None  # built on the first filter
        self._last_id: str | None = None
        self._index = {a.id: i for i, a in enumerate(articles)}
        self._prompts: list[Content | None] = []  # None: not built yet
        self._counts: Callable[[str], Counter[str]] = lambda _id: Counter()
        self._codebook = Codebook()
        self.done: set[str] = set()  # articles the current analyst marked done
        self.shown: list[int] = []  # indices into `articles`, in display order

    # Every row is one line (`text-wrap: nowrap` in DEFAULT_CSS), so option i is line i.
    # OptionList measures every option's height into a line cache and rebuilds it after
    # each resize and `set_options`; with 10,000 articles that was ~0.3 s before the first
    # frame (filled 10,000 entries at a time). These views answer in O(1) instead.
    @property
    def _lines(self) -> _OneLineRows:
        return _OneLineRows(len(self.options))

    @property
    def _heights(self) -> _Ones:
        return _ONES

    @property
    def _index_to_line(self) -> _Identity:
        return _IDENTITY

    def _update_lines(self) -> None:
        if not self.scrollable_content_region:
            return
        width = self.scrollable_content_region.width - self._get_left_gutter_width()
        virtual_size = Size(width, len(self.options))
        if virtual_size != self.virtual_size:
            self.virtual_size = virtual_size
            self._scroll_update(virtual_size)

    def prompt_at(self, i: int) -> Content:
        """Article `i`'s prompt, built (counts included) the first time it is drawn."""
        prompt = self._prompts[i]
        if prompt is None:
            article = self.articles[i]
            prompt = self._prompts[i] = article_prompt(
                article, self._counts(article.id), self._codebook, article.id in self.done
            )
        return prompt

    def load(
        self,
        counts: Callable[[str], Counter[str]],
        codebook: Codebook,
        done: set[str] | None = None,
    ) -> None:
        """Take the rows' counts (`counts(article_id)`) and codebook: at start, and
        after a codebook change. Prompts are built as rows are drawn.

        A reload keeps the rows shown (the filter) and the highlighted article, and
        says nothing: the open article must not change under the analyst. `done`
        (the current analyst's done articles) replaces the marks when given.
        """
        if done is not None:
            self.done = set(done)
        first = not self._prompts
        self._counts, self._codebook = counts, codebook
        self._prompts = [None] * len(self.articles)
        for legend in self.screen.query(ThemeLegend):  # the key to the badges, if shown
            legend.show(codebook)
        if first:
            self.filter("")
            return
        keep = self.highlighted
        with self.prevent(OptionList.OptionHighlighted):
            self.set_options(_Row(self, i) for i in self.shown)
            if keep is not None and self.shown:
                self.highlighted = min(keep, len(self.shown) - 1)

    def filter(self, query: str, keep: str | None = None) -> None:
        """Titles matching `query` word by word, typos and an unfinished last word allowed
        (see `TitleMatcher`), the best first, highlighted. An empty query shows everything in
        id order with the highlight back on `keep` (default: the article it was on), so the
        open article and its caret stay."""
        current = keep or self.highlighted_id or self._last_id
        self._last_id = current  # the open article, even while no title matches
        if not query.strip():
            self.shown = list(range(len(self.articles)))
        else:
            if self._matcher is None:
                # Imported on the first filter: the search package is not needed to start.
                from annotations.search.titles import TitleMatcher

                self._matcher = TitleMatcher([a.title for a in self.articles])
            self.shown = self._matcher.match(query)
        if not self.shown:
            self.set_options([Option(Content(NO_MATCH).stylize("dim italic"), disabled=True)])
            return
        self.set_options(_Row(self, i) for i in self.shown)
        at = self._index.get(current) if current and not query.strip() else None
        if at is not None and at in self.shown:
            self.highlighted = self.shown.index(at)
        else:
            self.highlighted = 0

    def update_article(self, article_id: str, counts: Counter[str], codebook: Codebook) -> None:
        """Refresh one row's marks after its annotations changed."""
        i = self._index.get(article_id)
        if i is None or not self._prompts:
            return
        self._prompts[i] = article_prompt(
            self.articles[i], counts, codebook, article_id in self.done
        )
        try:
            # The row reads the new prompt from `_prompts`; this drops its drawn copy.
            self.replace_option_prompt(article_id, self._prompts[i])
        except OptionDoesNotExist:  # filtered out: the new prompt is used when it shows again
            pass

    def set_done(
        self, article_id: str, done: bool, counts: Counter[str], codebook: Codebook
    ) -> None:
        """Show or hide one row's done mark."""
        (self.done.add if done else self.done.discard)(article_id)
        self.update_article(article_id, counts, codebook)

    @property
    def highlighted_id(self) -> str | None:
        option = self.highlighted_option
        return option.id if option else None

    def highlight_id(self, article_id: str) -> None:
        try:
            self.highlighted = self.get_option_index(article_id)
        except OptionDoesNotExist:
            pass
