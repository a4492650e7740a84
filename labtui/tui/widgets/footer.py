"""The footer: Textual's, rebuilt only when the keys it shows change.

Textual's Footer throws away and rebuilds every key widget each time a screen's bindings
are refreshed (every focus change, every check_action refresh), even when the same keys
come back: opening a lesson rebuilt it four times, about a quarter of the CPU the screen
took to open (issue #21, measured with py-spy). The keys shown are compared first.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.widgets import Footer


class LabFooter(Footer):
    _composed: Hashable = None

    def _shown_keys(self) -> Hashable:
        """What compose() would show: each key, its text, whether enabled, its tooltip."""
        if not self._bindings_ready:
            return None
        keys = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
            if binding.show
        )
        return keys, self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE

    def compose(self) -> ComposeResult:
        self._composed = self._shown_keys()
        yield from super().compose()

    async def recompose(self) -> None:
        if self.is_attached and self._composed is not None and \
                self._shown_keys() == self._composed:
            return
        await super().recompose()
