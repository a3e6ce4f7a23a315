"""The key footer, recomposed only when the keys it shows change.

Textual's `Footer` rebuilds all its key widgets whenever the screen's bindings are
signalled as changed, which is every focus change, whether or not a shown key
changed. At start-up that was a dozen rebuilds (CSS applied to every key each time),
a third of the app's own work before the first frame; moving between the list and
the reader did it again on each move.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    _shown: tuple | None = None  # what the last recompose showed

    def _signature(self, screen: Screen) -> tuple:
        keys = tuple(
            (binding.key, binding.description, binding.action, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show or binding.action == "app.command_palette"
        )
        return (keys, self.show_command_palette)

    def bindings_changed(self, screen: Screen) -> None:
        composing = screen.app.app_focus and self.is_attached and screen is self.screen
        if not composing:
            super().bindings_changed(screen)
            return
        signature = self._signature(screen)
        if signature == self._shown and self._bindings_ready:
            return
        self._shown = signature
        super().bindings_changed(screen)
