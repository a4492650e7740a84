"""Classroom mode: an instructor hosts a room, students join from a browser or a terminal.

- :mod:`labtui.classroom.store` rooms, students, results and live quizzes (SQLite/PostgreSQL);
- :mod:`labtui.classroom.room` pacing, live quizzes and the dashboard view over the store;
- :mod:`labtui.classroom.server` the aiohttp app: join page, student and instructor APIs,
  the dashboard, and each student's labtui over textual-serve;
- :mod:`labtui.classroom.client` what a student's labtui process uses to talk to the room;
- :mod:`labtui.classroom.gradebook` and :mod:`labtui.classroom.certificates` for the end.

Importing this package is cheap: aiohttp, textual-serve and SQLAlchemy load on use.
"""
