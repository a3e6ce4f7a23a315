"""Theme picker: fuzzy filter over the codebook; a new name offers to create the theme."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from annotations.store.protocol import Store
from tui.dialogs.base import Dialog

CREATE = "\x00create"  # option id of the "create theme" row (cannot clash with a name)


class ThemePicker(Dialog[tuple[str, bool] | None]):
    """Dismisses with (theme name, create?) or None."""

    DEFAULT_CSS = """
    ThemePicker #picker-list {
        height: auto;
        max-height: 16;
        margin-top: 1;
    }
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Down", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Up", show=False, id="picker.up"),
    ]

    def __init__(
        self,
        store: Store,
        *,
        title: str = "Toggle a theme on the selection",
        create: bool = True,
    ) -> None:
        super().__init__()
        self.store = store
        self.title_text = title
        self.create = create  # offer "Create theme" for a new name (not when only choosing)

    def compose(self) -> ComposeResult:
        placeholder = "Type to filter, or a new theme name…" if self.create else "Type to filter…"
        with self.frame():
            yield Label(self.title_text, classes="dialog-title", markup=False)
            yield Input(placeholder=placeholder, id="picker-input")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        codebook = self.store.codebook
        themes = list(codebook)
        if query.strip():
            names = [utils.default_process(t.name) for t in themes]
            hits = process.extract(
                utils.default_process(query),
                names,
                scorer=fuzz.WRatio,
                processor=None,
                score_cutoff=50,
                limit=None,
            )
            themes = [themes[h[2]] for h in sorted(hits, key=lambda h: (-h[1], h[2]))]
        options: list[Option] = []
        for theme in themes:
            prompt = Content.assemble(
                ("■ ", theme.color), (f"{theme.hotkey or ' '}  ", "bold"), Content(theme.name)
            )
            options.append(Option(prompt, id=theme.name))
        name = " ".join(query.split())
        if self.create and name and codebook.get(name) is None:
            hotkey = codebook.next_hotkey() or "no key"
            options.append(
                Option(
                    Content.assemble(
                        ("+ ", codebook.next_color()),
                        "Create theme ",
                        Content(repr(name)).stylize("bold"),
                        (f"  (key {hotkey})", "dim"),
                    ),
                    id=CREATE,
                )
            )
        box = self.query_one(OptionList)
        box.set_options(options)
        if options:
            box.highlighted = 0

    @on(Input.Changed, "#picker-input")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, delta: int) -> None:
        box = self.query_one(OptionList)
        if box.option_count:
            box.highlighted = ((box.highlighted or 0) + delta) % box.option_count

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        box = self.query_one(OptionList)
        option = box.highlighted_option
        if option is not None:
            self._choose(option.id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id == CREATE:
            self.dismiss((" ".join(self.query_one(Input).value.split()), True))
        elif option_id:
            self.dismiss((option_id, False))
