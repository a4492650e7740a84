"""Settings: theme, learner name, plain mode, content path; the data directory shown."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static, Switch

from labtui.tui.app import THEMES
from labtui.tui.screens.base import LabScreen


class SettingsScreen(LabScreen):
    place = "settings"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+t", "toggle_theme", "Light/dark"),
    ]

    def compose(self) -> ComposeResult:
        from labtui.paths import labtui_home

        lab = self.lab
        yield from self.compose_header()
        with VerticalScroll(id="settings"):
            yield Label("Your name")
            yield Input(lab.learner_name(), id="learner-name", placeholder="how labtui greets you")
            with Horizontal(classes="setting-row"):
                yield Switch(value=lab.settings.get("theme", "dark") == "light", id="light-theme")
                yield Label("Light theme (ctrl+t)")
            with Horizontal(classes="setting-row"):
                yield Switch(value=bool(lab.settings.get("plain")) or lab.plain, id="plain-mode")
                yield Label("Plain high-contrast mode for screen readers (next start)")
            yield Label("Course content path (next start; LABTUI_CONTENT wins)")
            yield Input(str(lab.settings.get("content_path") or lab.content_root or ""),
                        id="content-path")
            yield Static(Text.assemble(("Data directory: ", "bold"), str(labtui_home()),
                                       ("\nProgress database and your workspaces live here.",
                                        "dim")), id="data-dir")
            yield Button("Save (ctrl+s)", id="save", variant="primary")
        yield from self.compose_footer()

    def on_mount(self) -> None:
        self.title = "Settings"
        self.query_one("#learner-name", Input).focus()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        if event.switch.id == "light-theme":
            self._apply_theme("light" if event.value else "dark")

    def _apply_theme(self, theme: str) -> None:
        if not self.lab.plain:
            self.app.theme = THEMES[theme]
        self.lab.save_settings(theme=theme)
        self.lab.announce(f"Theme: {theme}.")

    def action_toggle_theme(self) -> None:
        switch = self.query_one("#light-theme", Switch)
        switch.value = not switch.value

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_save()

    def action_save(self) -> None:
        lab = self.lab
        name = self.query_one("#learner-name", Input).value.strip()
        if name:
            lab.store.ensure_learner(lab.learner_id, name)
        content = self.query_one("#content-path", Input).value.strip()
        content_path: str | None = None
        if content and Path(content).expanduser() != lab.content_root:
            path = Path(content).expanduser()
            if not (path / "lessons" / "course.yaml").is_file():
                lab.announce(f"{path} has no lessons/course.yaml; content path not changed.",
                             severity="warning")
            else:
                content_path = str(path.resolve())
        changes: dict[str, object] = {"plain": self.query_one("#plain-mode", Switch).value}
        if content_path is not None:
            changes["content_path"] = content_path
        lab.save_settings(**changes)
        lab.announce("Settings saved.")

    def action_back(self) -> None:
        self.app.pop_screen()

    def on_screen_resume(self) -> None:
        self.lab.remember_screen("home")
