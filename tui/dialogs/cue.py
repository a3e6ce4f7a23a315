"""After rejecting a suggestion: teach the cue list (keep, drop or narrow the cue)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annotations.analysis.suggest import CueEdit


class CueDialog(ModalScreen[CueEdit | None]):
    """Offers `edits` of one theme's cues; dismisses with the chosen one, None to keep."""

    DEFAULT_CSS = """
    CueDialog { align: center middle; }
    CueDialog > #dialog {
        width: 72; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    CueDialog OptionList { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "keep", "Keep the cue", id="cue.keep")]

    def __init__(self, question: str, edits: list[CueEdit]) -> None:
        super().__init__()
        self.question = question
        self.edits = edits

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.question), classes="question")
            yield OptionList(
                Option(Content("Keep the cue (esc)"), id="keep"),
                *(Option(Content(e.label), id=str(i)) for i, e in enumerate(self.edits)),
                id="cue-options",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_keep(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id
        self.dismiss(None if option_id in (None, "keep") else self.edits[int(option_id)])
