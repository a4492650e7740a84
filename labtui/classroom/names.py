"""Look-alike student names (issue #16): "Ana" and "ana", "Ana" and "Аna" (Cyrillic А).

A name's skeleton folds case and compatibility forms (NFKC, casefold), drops accents, spaces
and punctuation, and maps the Cyrillic and Greek letters that are drawn like Latin ones to
those Latin letters (a short table after Unicode's confusables.txt, the letters that matter
for names). Two different names with the same skeleton are flagged on the dashboard, never
refused: two real people may share a name.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable

# Cyrillic and Greek letters that render like Latin ones (after casefold)
_CONFUSABLES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ζ": "z",
    "ł": "l", "ø": "o", "đ": "d", "ı": "i", "0": "o", "1": "l", "|": "l",
})


def skeleton(name: str) -> str:
    folded = unicodedata.normalize("NFKC", name).casefold()
    stripped = "".join(c for c in unicodedata.normalize("NFD", folded)
                       if not unicodedata.combining(c))
    mapped = stripped.translate(_CONFUSABLES).replace("i", "l")  # I and l look alike too
    return "".join(c for c in mapped if c.isalnum())


def look_alikes(names: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """``{id: [other names that look like this one]}`` for ``(id, name)`` pairs."""
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, name in names:
        groups[skeleton(name)].append((key, name))
    flagged: dict[str, list[str]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        for key, name in members:
            flagged[key] = [other for k, other in members if k != key and other != name] or \
                [other for k, other in members if k != key]
    return flagged
