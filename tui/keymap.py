"""The keymap for help and the palette: the registry's sections and the widgets' own bindings."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding
from textual.keys import format_key
from textual.widgets import TextArea

from annotations.themes import Codebook
from tui.actions import ANNOTATING, APP, INSIGHT, PALETTE_ONLY, SEARCH, Section
from tui.widgets.annotation_panel import AnnotationPanel
from tui.widgets.article_list import ArticleList
from tui.widgets.reader import Reader


@dataclass(frozen=True, slots=True)
class KeyEntry:
    section: str
    keys: str  # as shown: "u / ctrl+z"
    description: str
    action: str  # as the palette runs it: "screen.undo", "app.help"; bare for widget keys
    binding_id: str | None


def _keys(keys: str) -> str:
    return " / ".join(format_key(k.strip()) for k in keys.split(",")) if keys else ""


def _own(bindings) -> list[Binding]:
    return [b for b in bindings if isinstance(b, Binding)]


def _qualified(action: str, owner: str) -> str:
    return action if action.startswith(("app.", "screen.")) or not owner else f"{owner}.{action}"


def _from_section(section: Section) -> list[KeyEntry]:
    return [
        KeyEntry(
            section.name,
            _keys(a.keys) or a.hint,
            a.description,
            _qualified(a.action, section.owner),
            a.id,
        )
        for a in section.actions
    ]


def _from_bindings(name: str, bindings: list[Binding]) -> list[KeyEntry]:
    return [KeyEntry(name, _keys(b.key), b.description, b.action, b.id) for b in bindings]


def _sections() -> list[list[KeyEntry]]:
    # Imported when the keys are listed (help, palette), not when the app starts.
    from tui.screens.retrieve import RetrieveScreen

    # The reader's movement keys are TextArea's own bindings: list those that move the caret.
    moves = [
        b
        for b in _own(TextArea.BINDINGS)
        if b.action.startswith("cursor_") and "word" not in b.action
    ]
    return [
        _from_bindings("Article list", _own(ArticleList.BINDINGS)),
        _from_bindings("Reader: selecting", _own(Reader.BINDINGS) + moves),
        _from_section(ANNOTATING),
        _from_section(INSIGHT),
        _from_bindings("Annotations panel", _own(AnnotationPanel.BINDINGS)),
        _from_section(SEARCH),
        _from_bindings("Coded segments", _own(RetrieveScreen.BINDINGS)),
        _from_section(APP),
    ]


def _merged(entries: list[KeyEntry]) -> list[KeyEntry]:
    """One entry per action: keys of bindings for the same action are joined."""
    out: list[KeyEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for e in entries:
        key = (e.action, e.description)
        if key in seen:  # e.g. the theme keys 1..9 stay separate (different actions)
            prev = out[seen[key]]
            out[seen[key]] = KeyEntry(
                e.section, f"{prev.keys} / {e.keys}", prev.description, prev.action, prev.binding_id
            )
            continue
        seen[key] = len(out)
        out.append(e)
    return out


def keymap(codebook: Codebook | None = None) -> list[KeyEntry]:
    """Every key the help screen lists, section by section. With the codebook, the theme
    keys read "1 energy" and keys with no theme are left out."""
    entries = [e for section in _sections() for e in _merged(section)]
    return entries if codebook is None else with_theme_names(entries, codebook)


def with_theme_names(entries: list[KeyEntry], codebook: Codebook) -> list[KeyEntry]:
    """Theme keys described by their theme ("1 energy"); a key with no theme is dropped."""
    out = []
    for e in entries:
        if e.binding_id and e.binding_id.startswith("theme.") and e.binding_id != "theme.pick":
            theme = codebook.by_hotkey(e.binding_id.removeprefix("theme."))
            if theme is None:
                continue
            e = replace(e, description=f"{theme.hotkey} {theme.name}")
        out.append(e)
    return out


def palette_only() -> list[KeyEntry]:
    return _from_section(PALETTE_ONLY)
