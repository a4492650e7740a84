"""Course content: models, loaders, the linter and the content resolver.

Content is plain files (design.md §2): ``lessons/course.yaml`` and
``lessons/NN-<module>.md``, ``quizzes/<module>.yaml`` and ``quizzes/exams.yaml``,
``sandbox/<exercise>/``. :func:`labtui.course.loader.load_course` reads all of
it and collects every problem as ``file:line: message`` instead of stopping at
the first.
"""
