"""Sparklines: a series of counts as one line of block characters, for a narrow cell."""

from __future__ import annotations

from collections.abc import Sequence

#: The eight heights a cell can show, lowest first.
BARS = "▁▂▃▄▅▆▇█"
#: What a series that never moved shows: a level line at mid height, not at the floor
#: (a floor would read as "fell to nothing").
LEVEL = BARS[3]


def resample(values: Sequence[int], width: int) -> list[int]:
    """At most ``width`` values: each the last of an equal run of ``values`` (kept if it fits).

    The last of each run, not its mean, so the newest cell is the newest count.
    """
    if width <= 0:
        return []
    count = len(values)
    if count <= width:
        return list(values)
    return [values[(cell + 1) * count // width - 1] for cell in range(width)]


def sparkline(values: Sequence[int], width: int, *, level: str = LEVEL) -> str:
    """``values`` (oldest first) in at most ``width`` cells, scaled from their lowest to highest.

    Empty for no values (or no room); a steady series is a line of ``level``.
    """
    points = resample(values, width)
    if not points:
        return ""
    low, high = min(points), max(points)
    if low == high:
        return level * len(points)
    top = len(BARS) - 1
    return "".join(BARS[round((value - low) * top / (high - low))] for value in points)
