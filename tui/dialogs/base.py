"""The base of every modal dialog: a framed box centred over a dimmed screen.

Each dialog composes its content inside `self.frame()`; the box's look lives
here, and a dialog's own sizes in its `DEFAULT_CSS`, scoped by its class, so no
two dialogs share an id rule.
"""

from __future__ import annotations

from typing import TypeVar

from textual.containers import Vertical
from textual.screen import ModalScreen

T = TypeVar("T")


class Dialog(ModalScreen[T]):
    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        background: $background 60%;
    }
    Dialog > .dialog {
        width: 72;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        overflow-y: auto;  /* at 80x24 the export dialog is taller than the screen */
        padding: 1 2;
        border: thick $primary;
        background: $surface;
    }
    Dialog.-narrow > .dialog {
        padding: 0 1;
    }
    Dialog .dialog-title {
        text-style: bold;
        margin-bottom: 1;
    }
    Dialog .passage {
        color: $text-muted;
        margin-bottom: 1;
    }
    Dialog .buttons {
        height: auto;
        margin-top: 1;
    }
    Dialog .buttons Button {
        margin-right: 2;
    }
    """

    def frame(self) -> Vertical:
        """The dialog's box: compose the content inside it (`with self.frame():`)."""
        return Vertical(classes="dialog")
