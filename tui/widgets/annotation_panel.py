"""The annotations of the open article, in text order; highlighting one moves the reader."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotations.model import Annotation
from annotations.text.sanitize import printable
from annotations.themes import Codebook

PASSAGE_CHARS = 90


def shorten(text: str, limit: int = PASSAGE_CHARS) -> str:
    """One line of at most `limit` characters; control characters shown escaped."""
    flat = printable(" ".join(text.split()))
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def annotation_prompt(ann: Annotation, codebook: Codebook) -> Content:
    marks = Content.assemble(*[("■", codebook.color_of(t)) for t in ann.themes])
    themes = Content(printable(", ".join(ann.themes))).stylize("bold")
    parts: list[Content | tuple[str, str] | str] = [marks, " ", themes, "\n", shorten(ann.exact)]
    if ann.note:
        parts += ["\n", (shorten(ann.note), "italic")]
    return Content.assemble(*parts)


class AnnotationPanel(OptionList):
    """Right-hand panel, toggled with `a`."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="panel.down"),
        Binding("k", "cursor_up", "Up", show=False, id="panel.up"),
    ]

    class Chosen(Message):
        """An annotation was highlighted (`focus` False) or selected (`focus` True)."""

        def __init__(self, annotation: Annotation, focus: bool) -> None:
            super().__init__()
            self.annotation = annotation
            self.focus = focus

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.annotations: list[Annotation] = []
        self._quiet = False

    # The screen's `-panel-open` class lets narrow layouts give the list's room to the
    # panel (app.tcss), whoever toggles it.
    def on_show(self) -> None:
        self.screen.add_class("-panel-open")

    def on_hide(self) -> None:
        self.screen.remove_class("-panel-open")

    def show(self, anns: list[Annotation], codebook: Codebook, current: str | None = None) -> None:
        self.annotations = list(anns)
        self._quiet = True
        try:
            self.set_options(
                Option(annotation_prompt(a, codebook), id=a.id) for a in self.annotations
            )
            ids = [a.id for a in self.annotations]
            if current in ids:
                self.highlighted = ids.index(current)
        finally:
            self._quiet = False

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if not self._quiet and self.has_focus and event.option_index < len(self.annotations):
            self.post_message(self.Chosen(self.annotations[event.option_index], False))

    def _on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index < len(self.annotations):
            self.post_message(self.Chosen(self.annotations[event.option_index], True))
