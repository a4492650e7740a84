"""Keep server-side tracebacks off the learner's screen.

The sandbox serves in the learner's own process (``labtui check``, the TUI, ``labtui
sandbox serve``), so anything moto's Flask app or werkzeug's server logs lands on their
terminal. Both attach a stderr handler of their own when their logger has none: moto's
app logs every exception it turns into a 500 (``Exception on /... [PUT]`` and the
traceback), werkzeug logs an application error the same way. A NullHandler on each
logger stops that; records still propagate, so a configured log (``LABTUI_LOG`` in
classroom hosting) keeps them for whoever runs the server.
"""

from __future__ import annotations

import logging

SERVER_LOGGERS = ("moto", "werkzeug")


def keep_tracebacks_off_screen() -> None:
    for name in SERVER_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
