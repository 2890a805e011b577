"""The feed's views bar: each saved view with its count, the current one highlighted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.widgets import Static

from smm_tui.widgets.render import views_bar


class ViewsBar(Static):
    """`` Queue 42  Unassigned 12  All 1,204 …``: live counts, or the last a worker gave.

    A view counted live has its count passed to :meth:`show`; one only a worker can
    count (a query over everything) shows what :meth:`counted` last received.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._slow_counts: dict[int, int] = {}
        #: The bar as last drawn (names and counts), so unchanged counts cost nothing.
        self._shown: tuple[int, list[tuple[str, int | None]]] | None = None

    def counted(self, counts: Mapping[int, int]) -> None:
        """Take the counts a worker made, by view index (drawn at the next :meth:`show`)."""
        self._slow_counts = dict(counts)

    def show(self, names: Sequence[str], counts: Sequence[int | None], current: int) -> None:
        """Draw the views with their counts (None: the worker's count, if any yet)."""
        shown = [
            (name, self._slow_counts.get(index) if count is None else count)
            for index, (name, count) in enumerate(zip(names, counts, strict=True))
        ]
        if (current, shown) != self._shown:
            self._shown = (current, shown)
            self.update(views_bar(shown, current))
