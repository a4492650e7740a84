"""The workbench's tabs: the tab the learner chose decides focus, never the reverse.

Textual's TabbedContent switches to the pane of any widget that gets focus, through a
chain of messages (focus is applied later, then DescendantFocus, then TabPane.Focused).
A focus asked for while one tab was shown therefore landed after the learner's next key
and switched back to that tab: right after an exercise opened, ``3`` showed the Shell
for a moment and then the Files tab again (issue #21). In the workbench focus follows
the tab (ExerciseScreen focuses what a tab is for when it is shown), so a pane's focus
never changes the tab.
"""

from __future__ import annotations

from textual.widgets import TabbedContent, TabPane


class WorkbenchTabs(TabbedContent):
    def _on_tab_pane_focused(self, event: TabPane.Focused) -> None:
        event.stop()
        event.prevent_default()  # TabbedContent's own handler would switch the tab
