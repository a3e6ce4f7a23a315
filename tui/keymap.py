"""The keymap, read from the bindings themselves: the help screen and palette use it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.keys import format_key
from textual.widgets import TextArea


@dataclass(frozen=True, slots=True)
class KeyEntry:
    section: str
    keys: str  # as shown: "u / ctrl+z"
    description: str
    action: str
    binding_id: str | None


def _keys(binding: Binding) -> str:
    return " / ".join(format_key(k.strip()) for k in binding.key.split(","))


def _sections() -> list[tuple[str, list[Binding]]]:
    from tui.app import TaglineApp
    from tui.screens.main import ANNOTATING_BINDINGS, INSIGHT_BINDINGS
    from tui.screens.retrieve import RetrieveScreen
    from tui.screens.search import SearchScreen
    from tui.widgets.annotation_panel import AnnotationPanel
    from tui.widgets.article_list import ArticleList
    from tui.widgets.reader import Reader

    def own(bindings) -> list[Binding]:
        return [b for b in bindings if isinstance(b, Binding)]

    # The reader's movement keys are TextArea's own bindings: list those that move the caret.
    moves = [
        b
        for b in own(TextArea.BINDINGS)
        if b.action.startswith("cursor_") and "word" not in b.action
    ]
    return [
        ("Article list", own(ArticleList.BINDINGS)),
        ("Reader: selecting", own(Reader.BINDINGS) + moves),
        ("Annotating", own(ANNOTATING_BINDINGS)),
        ("Insight", own(INSIGHT_BINDINGS)),
        ("Annotations panel", own(AnnotationPanel.BINDINGS)),
        ("Search", own(SearchScreen.BINDINGS)),
        ("Coded segments", own(RetrieveScreen.BINDINGS)),
        ("App", own(TaglineApp.BINDINGS)),
    ]


def keymap() -> list[KeyEntry]:
    """Every binding, one entry per action, keys merged."""
    out: list[KeyEntry] = []
    for section, bindings in _sections():
        seen: dict[tuple[str, str], int] = {}
        for b in bindings:
            key = (b.action, b.description)
            if key in seen:  # e.g. the theme keys 1..9 stay separate (different actions)
                prev = out[seen[key]]
                out[seen[key]] = KeyEntry(
                    section,
                    f"{prev.keys} / {_keys(b)}",
                    prev.description,
                    prev.action,
                    prev.binding_id,
                )
                continue
            seen[key] = len(out)
            out.append(KeyEntry(section, _keys(b), b.description, b.action, b.id))
    return out
