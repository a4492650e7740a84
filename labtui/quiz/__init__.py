"""Quizzes, timed mock exams and spaced review (curriculum.md §4-§5).

- :mod:`scoring` marks one answer (single, multiple response all-or-nothing,
  numeric within tolerance, ordering with partial credit in practice only);
- :mod:`exam` assembles a mock exam by domain weight and turns raw scores into
  the approximate 100-1,000 scale;
- :mod:`session` runs practice and exam attempts, saving after every answer;
- :mod:`review` schedules review cards with FSRS.

Nothing here imports textual, moto or boto3; the TUI and the plain-text runner
(:mod:`plain`) are shells over these services.
"""
