"""Mentions that arrived out of sight: counted, with the way they lie, until seen.

A mention that lands in the list while the manager is reading further down
(the cursor away from the top) and outside the rows on screen would otherwise
arrive unnoticed. The feed's status line shows ``↓ 2 arrived`` until those
rows come into view, or the cursor goes back to the top.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.content import Content

#: Finds a mention's row in the list (None when it is not listed).
RowOf = Callable[[str], int | None]


class Arrivals:
    """Ids of mentions that arrived off screen and have not been in view since."""

    def __init__(self) -> None:
        self._ids: set[str] = set()

    def land(self, mention_ids: Iterable[str], row_of: RowOf, in_view: range) -> bool:
        """Count the listed ones outside ``in_view``; whether the count changed."""
        before = len(self._ids)
        for mention_id in mention_ids:
            row = row_of(mention_id)
            if row is not None and row not in in_view:
                self._ids.add(mention_id)
        return len(self._ids) != before

    def seen(self, row_of: RowOf, in_view: range) -> bool:
        """Forget those now in view or no longer listed; whether the count changed."""
        gone = {m for m in self._ids if (row := row_of(m)) is None or row in in_view}
        self._ids -= gone
        return bool(gone)

    def clear(self) -> bool:
        """Forget them all (the cursor is back at the top); whether any were counted."""
        had = bool(self._ids)
        self._ids.clear()
        return had

    def content(self, row_of: RowOf, in_view: range) -> Content:
        """A badge, `` ↑ 1 ↓ 2 arrived ``, or nothing when none are waiting."""
        rows = [row for m in self._ids if (row := row_of(m)) is not None]
        above = sum(1 for row in rows if row < in_view.start)
        below = len(rows) - above
        if not rows:
            return Content("")
        parts = [f"↑ {above}" if above else "", f"↓ {below}" if below else ""]
        text = " ".join(part for part in parts if part) + " arrived"
        # First on the line, so that a narrow terminal cuts the counts after it instead.
        return Content.assemble((f" {text} ", "bold reverse $accent"), " ")
