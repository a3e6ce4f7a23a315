"""One registry of the app's and main screen's actions: keys, ids and descriptions.

The bindings of `TaglineApp` and `MainScreen` are generated from it, and so are
the help screen's sections and the command palette (with the widgets' own
bindings, which stay on the widgets that own them). Nothing needs to import
the app to learn its keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from annotations.themes import HOTKEYS


@dataclass(frozen=True, slots=True)
class Action:
    id: str  # the binding id users remap (`App.set_keymap`)
    keys: str  # comma-separated Textual keys; "" for palette-only actions
    action: str  # as its owner runs it: "pick_theme", "toggle_theme('1')"
    description: str
    show: bool = False  # in the footer
    hint: str = ""  # keys to show for a palette-only action that borrows another key
    priority: bool = False  # before the focused widget (the search box takes enter)

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.description,
            show=self.show,
            id=self.id,
            priority=self.priority,
        )


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    owner: str  # the palette's namespace: "app", "screen" (the main screen) or "search"
    actions: tuple[Action, ...]
    in_help: bool = True

    def bindings(self) -> list[Binding]:
        return [a.binding() for a in self.actions if a.keys]


ANNOTATING = Section(
    "Annotating",
    "screen",
    (
        *(Action(f"theme.{k}", k, f"toggle_theme('{k}')", f"Theme {k}") for k in HOTKEYS),
        Action("theme.pick", "t", "pick_theme", "Themes", show=True),
        Action("annotation.note", "n", "edit_note", "Note", show=True),
        Action("annotation.next", "]", "next_annotation", "Next"),
        Action("annotation.prev", "[", "prev_annotation", "Prev"),
        Action("undo", "u,ctrl+z", "undo", "Undo", show=True),
        Action("redo", "U,ctrl+y", "redo", "Redo"),
        Action("panel.toggle", "a", "toggle_panel", "Annotations", show=True),
        Action("list.filter", "f,ctrl+f", "filter", "Filter"),
        Action("search", "slash", "search", "Search", show=True),
        Action("retrieve", "r", "retrieve", "Coded segments, by theme"),
        Action("export", "e", "export", "Export", show=True),
        Action("article.done", "D", "toggle_done", "Done: mark / unmark this article"),
        Action("pane.next", "tab", "app.focus_next", "Next pane"),
        Action("pane.prev", "shift+tab", "app.focus_previous", "Previous pane"),
    ),
)

# Out of the footer (it is full at 120 columns): the help screen and the palette
# list them, and the status line names the keys while a mode is on.
INSIGHT = Section(
    "Insight",
    "screen",
    (
        Action("insight.dashboard", "d", "dashboard", "Dashboard: themes across the corpus"),
        Action("insight.orphans", "o", "review_orphans", "Review orphaned annotations"),
        Action("suggest.toggle", "g", "toggle_suggestions", "Suggestions: show / hide"),
        Action("suggest.accept", "y", "accept_suggestion", "Accept suggestion"),
        Action("view.authors", "A", "cycle_author_view", "View: all / one author / disagreements"),
    ),
)

# Main-screen actions with no key of their own (`x` rejects through the reader's
# delete key while suggestions are shown).
PALETTE_ONLY = Section(
    "More",
    "screen",
    (
        Action("codebook", "", "codebook", "Codebook: add, rename, recolour, remove themes"),
        Action(
            "suggest.reject", "", "reject_suggestion", "Reject suggestion at the caret", hint="x"
        ),
    ),
    in_help=False,
)

# The search screen (`tui/screens/search.py`). The query box has the focus, so the keys
# that act on results are priority bindings. shift+enter is not sent by every terminal
# (many send plain enter): ctrl+o does the same and is the one the footer shows.
SEARCH = Section(
    "Search",
    "search",
    (
        Action("search.close", "escape", "close", "Back", show=True),
        Action("search.open", "enter", "open", "Open passage", show=True, priority=True),
        Action(
            "search.open_span",
            "ctrl+o,shift+enter",
            "open(True)",
            "Open span",
            show=True,
            priority=True,
        ),
        Action("search.help", "question_mark", "help", "Help", show=True, priority=True),
        Action("search.next", "down,ctrl+n", "move(1)", "Next result"),
        # ctrl+p is the app's command palette elsewhere; here it moves up (priority beats
        # the app binding), and the palette moves to f2 (in the footer).
        Action("search.prev", "up,ctrl+p", "move(-1)", "Previous result", priority=True),
        Action("search.palette", "f2", "app.command_palette", "Commands", show=True),
        Action("search.page_down", "pagedown", "move(10)", "Page down"),
        Action("search.page_up", "pageup", "move(-10)", "Page up"),
    ),
)

APP = Section(
    "App",
    "app",
    (
        Action("help", "question_mark,f1", "help", "Help", show=True),
        Action("palette", "ctrl+p", "command_palette", "Commands"),
        Action("quit", "q", "quit", "Quit", show=True),
    ),
)
