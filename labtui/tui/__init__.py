"""The Textual TUI: the only package of labtui that imports textual.

Build the app with :func:`labtui.tui.app.create_app`; ``labtui`` with no
arguments runs it through :func:`labtui.tui.app.run_app`.
"""
