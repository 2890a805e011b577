"""Counted words and edited tag lists, worded the way a person reads them."""

from __future__ import annotations

import re
from collections.abc import Sequence

#: Plurals that the ``-s``/``-ies`` rule gets wrong.
_IRREGULAR = {"reply": "replies", "entry": "entries", "person": "people"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 mention``, ``2 mentions``, ``0 entries``; ``many`` overrides the plural form."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {many or _IRREGULAR.get(word) or _regular_plural(word)}"


def _regular_plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in set("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


#: A tag in the tag box: ``"two words"`` (``-"two words"`` removes it), or a word.
_TAG_WORD = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def tag_words(typed: str) -> list[str]:
    """The words of a tag box; a quoted tag keeps its spaces (a rule may set one)."""
    words = []
    for match in _TAG_WORD.finditer(typed):
        sign, quoted, word = match.groups()
        if word is not None:
            words.append(word)
        elif quoted.strip():
            words.append(sign + " ".join(quoted.split()))
    return words


def shown_tags(tags: Sequence[str]) -> str:
    """Tags as the tag box shows them, to be read back by :func:`tag_words`."""
    return " ".join(f'"{tag}"' if any(c.isspace() for c in tag) else tag for tag in tags)


def tag_edit(shown: Sequence[str], typed: str) -> tuple[list[str], list[str]]:
    """The tags to add and to remove after the user edited ``shown`` into ``typed``.

    A word adds a tag and ``-word`` removes one; a shown tag left out of what
    was typed is removed too, so editing the shown list is what it looks like.
    A tag with spaces is shown and typed in double quotes. Tags compare without
    case, as ``tag:`` queries do.
    """
    words = tag_words(typed)
    kept = [w for w in words if not w.startswith("-")]
    drop = [w[1:] for w in words if w.startswith("-") and len(w) > 1]
    had = {tag.casefold() for tag in shown}
    wanted = {w.casefold() for w in kept}
    drop += [tag for tag in shown if tag.casefold() not in wanted]
    add = [w for w in kept if w.casefold() not in had]
    return add, list(dict.fromkeys(drop))


def shared_tags(tag_lists: Sequence[Sequence[str]]) -> list[str]:
    """The tags that every list has, in the first list's order."""
    if not tag_lists:
        return []
    rest = [{t.casefold() for t in tags} for tags in tag_lists[1:]]
    return [t for t in tag_lists[0] if all(t.casefold() in other for other in rest)]


def acted_on(count: int) -> str:
    """What a dialog acts on: ``this mention`` or ``3 marked mentions``."""
    return "this mention" if count == 1 else plural(count, "marked mention")
