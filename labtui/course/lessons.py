"""Lessons: Markdown with YAML front matter, parsed with markdown-it-py.

Authoring conventions (README, "Writing content"):
- headings may end with ``{#anchor}``; quiz refs point at ``module#anchor``;
- ``{{fact:name}}`` / ``{{fact:name.min}}`` / ``{{fact:name.max}}`` render numbers
  from :mod:`labtui.facts`, so a lesson cannot disagree with the engine;
- fenced blocks with the info string ``tryit`` hold a small YAML mapping that
  opens an exercise or runs a simulator scenario.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

from labtui.course.problems import Problem
from labtui.facts import FACTS

_ANCHOR = re.compile(r"\s*\{#([a-z0-9][a-z0-9-]*)\}\s*$")
_FACT = re.compile(r"\{\{\s*fact:([a-z0-9_]+)(?:\.(min|max))?\s*\}\}")
_SLUG_DROP = re.compile(r"[^a-z0-9\s-]")


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    title: str
    anchor: str
    line: int


@dataclass(frozen=True, slots=True)
class TryIt:
    line: int
    spec: dict[str, Any]


@dataclass
class ParsedLesson:
    path: Path
    front_matter: str | None
    front_matter_line: int
    body: str
    headings: list[Heading] = field(default_factory=list)
    try_its: list[TryIt] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def anchors(self) -> set[str]:
        return {heading.anchor for heading in self.headings}


def slugify(title: str) -> str:
    slug = _SLUG_DROP.sub("", title.lower()).strip()
    return re.sub(r"[\s-]+", "-", slug)


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin)


def parse_lesson(path: Path, text: str) -> ParsedLesson:
    """Split front matter from body and collect headings and try-it blocks."""
    from labtui import safeyaml

    tokens = _parser().parse(text)
    lesson = ParsedLesson(path=path, front_matter=None, front_matter_line=1, body=text)
    lines = text.splitlines(keepends=True)
    for index, token in enumerate(tokens):
        line = (token.map[0] + 1) if token.map else 0
        if token.type == "front_matter":
            lesson.front_matter = token.content
            lesson.front_matter_line = line + 1
            end = token.map[1] if token.map else 0
            lesson.body = "".join(lines[end:])
        elif token.type == "heading_open" and token.tag in ("h2", "h3"):
            inline = tokens[index + 1].content
            match = _ANCHOR.search(inline)
            title = _ANCHOR.sub("", inline).strip()
            anchor = match.group(1) if match else slugify(title)
            lesson.headings.append(Heading(int(token.tag[1]), title, anchor, line))
        elif token.type == "fence" and token.info.strip() == "tryit":
            try:
                spec = safeyaml.load(token.content)
            except safeyaml.YamlProblem:
                spec = None
            if isinstance(spec, dict):
                lesson.try_its.append(TryIt(line, spec))
            else:
                lesson.problems.append(
                    Problem(
                        path,
                        line,
                        "tryit block must be a YAML mapping (scenario: FILE or exercise: ID)",
                    )
                )
    seen: dict[str, int] = {}
    for heading in lesson.headings:
        if heading.anchor in seen:
            lesson.problems.append(
                Problem(
                    path,
                    heading.line,
                    f"duplicate anchor #{heading.anchor} (first at line {seen[heading.anchor]})",
                )
            )
        seen.setdefault(heading.anchor, heading.line)
    return lesson


def fact_problems(path: Path, text: str) -> list[Problem]:
    """Every ``{{fact:...}}`` that names no fact or no such bound."""
    problems = []
    for match in _FACT.finditer(text):
        name, bound = match.group(1), match.group(2)
        fact = FACTS.get(name)
        line = text.count("\n", 0, match.start()) + 1
        if fact is None:
            problems.append(Problem(path, line, f"unknown fact '{name}' in {match.group(0)}"))
        elif bound and getattr(fact, "minimum" if bound == "min" else "maximum") is None:
            problems.append(Problem(path, line, f"fact '{name}' has no {bound} value"))
    return problems


def render_facts(text: str) -> str:
    """Replace ``{{fact:...}}`` with the numbers from :mod:`labtui.facts`."""

    def substitute(match: re.Match[str]) -> str:
        fact = FACTS.get(match.group(1))
        if fact is None:
            return match.group(0)
        bound = match.group(2)
        if bound:
            value = fact.minimum if bound == "min" else fact.maximum
            return match.group(0) if value is None else f"{value:,}"
        return fact.render()

    return _FACT.sub(substitute, text)


def display_markdown(body: str) -> str:
    """The body as a reader sees it: facts rendered, anchors and run options hidden."""
    from labtui.course.runnable import plain_fences

    rendered = plain_fences(render_facts(body))
    return re.sub(r"^(#{1,6} .*?)\s*\{#[a-z0-9-]+\}\s*$", r"\1", rendered, flags=re.MULTILINE)
