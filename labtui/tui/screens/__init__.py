"""Screens of the labtui TUI (the quiz team adds ``quiz.py`` with a ``register(app)``)."""
