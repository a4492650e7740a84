"""Home's keys on every screen (issue #21): the rule, the bindings and the jumps.

The rule, as the help panel (F1) and the README say it:

- The home screen's letters (l lesson, e exercise, q quiz, r review, x mock exam,
  s settings, c continue, p problems) work on every screen, for the module that screen
  is about (else the one highlighted at home).
- Not while you type (the workbench shell and editor, a text box): those keep every
  letter. Not while you answer (a quiz, an exam, a question in a dialog): there letters
  are answers or the screen's own keys, and an exam is left only on purpose (Esc saves
  and leaves, ctrl+s submits after a confirm). There, Esc first: it leaves the shell,
  the editor or the screen, and then the key works.
- A screen's own key wins where it has one; none of the workbench's keys (h k w o z v
  R 1-5) or the lesson's (t y d n b, and its e and q, which mean the same) is one of
  these letters.
- A jump never stacks a second copy of a screen: a screen of the same kind already open
  is brought back (the same lesson or exercise), or closed first (another one), so Esc
  walks back through at most one lesson, one exercise and one settings screen.

The bindings are app-level and not "priority": Textual offers a key to the app only after
the focused widget and the screen let it pass, which is exactly "typing wins, then the
screen, then the app". Dialogs are modal screens, which Textual keeps from app bindings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding

if TYPE_CHECKING:
    from textual.screen import Screen

    from labtui.tui.app import LabApp
    from labtui.tui.screens.home import HomeScreen

# key -> (place, description, the home screen's action that opens it)
GLOBAL_KEYS: dict[str, tuple[str, str, str]] = {
    "l": ("lesson", "Lesson", "open_lesson"),
    "e": ("exercise", "Exercise", "open_exercise"),
    "q": ("quiz", "Quiz", "quiz"),
    "r": ("review", "Review", "review"),
    "x": ("exam", "Mock exam", "exam"),
    "s": ("settings", "Settings", "settings"),
    "c": ("continue", "Continue", "continue"),
    "p": ("problems", "Problems", "problems"),
}
GLOBAL_BINDINGS = [Binding(key, f"go('{place}')", label, show=False)
                   for key, (place, label, _) in GLOBAL_KEYS.items()]
_HOME_ACTION = {place: action for place, _, action in GLOBAL_KEYS.values()}
_REGISTERED = ("quiz", "review", "exam")

KEYS_HELP = """\
**Keys anywhere.** Home's letters work on every screen: l lesson, e exercise,
q quiz, r review, x mock exam, s settings, c continue, p problems.
In the shell, the editor and text boxes letters are typed, and in a quiz or
an exam they answer: press **Esc** first (Esc always leads out), then the key.
F1 shows or hides this panel, ctrl+q quits, from anywhere.
"""


def jump_allowed(app: LabApp, place: str) -> bool:
    """Whether a global key may jump now (False lets the key go on, unused)."""
    from labtui.tui.screens.base import LabScreen

    screen = app.screen
    if not isinstance(screen, LabScreen) or not screen.GLOBAL_KEYS:
        return False
    if place in _REGISTERED:
        return place in app.screen_factories
    if place == "problems":
        return bool(app.summary.problems)
    return _home(app) is not None


def jump(app: LabApp, place: str) -> None:
    """Open ``place`` as the home screen would, for the module the learner is in."""
    home = _home(app)
    if home is None or place not in _HOME_ACTION:
        return
    module_id = getattr(app.screen, "topic_module", None)
    if isinstance(module_id, str):
        home.select_module(module_id)
    getattr(home, f"action_{_HOME_ACTION[place]}")()


def bring_back(app: LabApp, place: str, target: str | None = None) -> bool:
    """Make room for a screen of ``place`` showing ``target``.

    True when such a screen is open: what was opened above it is closed and it is on top
    again. False when the caller should push a new one; another screen of the same place
    (and what was opened above it) has been closed first.
    """
    stack = app.screen_stack
    index = next((i for i in range(len(stack) - 1, -1, -1)
                  if getattr(stack[i], "place", None) == place), None)
    if index is None:
        return False
    same = getattr(stack[index], "place_target", None) == target
    for screen in reversed(stack[index + 1 if same else index:]):
        close(app, screen)
    return same


def close(app: LabApp, screen: Screen[Any]) -> None:
    """Pop the top screen after it saved what leaving would lose."""
    from labtui.tui.screens.base import LabScreen

    if isinstance(screen, LabScreen):
        screen.leave()
    app.pop_screen()


def _home(app: LabApp) -> HomeScreen | None:
    from labtui.tui.screens.home import HomeScreen

    return next((s for s in app.screen_stack if isinstance(s, HomeScreen)), None)
