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
from textual.widgets._footer import FooterKey


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
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                # A key starts compact and is then bound to the footer's setting: styled
                # twice over on mounting, a sixth of opening a lesson's restyling (issue
                # #21). Given the footer's setting before it is mounted, it is styled once.
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        if self.is_attached and self._composed is not None and \
                self._shown_keys() == self._composed:
            return
        await super().recompose()
