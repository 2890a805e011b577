"""What the post editor draws: account choices, the length gauge, the versions menu."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from textual.binding import BindingType
from textual.content import Content
from textual.widgets import SelectionList

from smm_tui.core.platforms import Platform
from smm_tui.widgets.key_table import key_table
from smm_tui.widgets.render import PLATFORM_LABELS, PLATFORM_NAMES, cut, one_line

#: The versions menu's value for the main text (every other value is a network's name).
MAIN = ""
#: How much of an account's name a gauge line or a choice shows.
ACCOUNT_CELLS = 14


#: AccountChoices' keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_CHOICE_KEYS = """
account_down   | j | cursor_down | (Down)   | The next account
account_up     | k | cursor_up   | (Up)     | The previous account
account_first  | g | first       | (Top)    | The first account
account_last   | G | last        | (Bottom) | The last account
"""


class AccountChoices(SelectionList[str]):
    """The accounts a post goes to: space ticks one, j/k and g/G move as in every list."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("post_editor", _CHOICE_KEYS)


def account_choice(account: str, platform: Platform | None) -> Content:
    """``bank-x          X``: an account and its network's label (``?`` when not configured)."""
    label = PLATFORM_LABELS[platform] if platform is not None else "?"
    return Content.assemble(
        cut(one_line(account), ACCOUNT_CELLS).ljust(ACCOUNT_CELLS + 1),
        (label, "$text-secondary"),
    )


def version_options(platforms: Iterable[Platform]) -> list[tuple[str, str]]:
    """The versions menu: the main text, then a version per chosen network, as (label, value)."""
    options = [("Main text (every network)", MAIN)]
    for platform in dict.fromkeys(platforms):
        options.append((f"{PLATFORM_NAMES[platform]} version", platform.value))
    return options


def version_placeholder(platform_name: str) -> str:
    """What an empty network version says: that the main text goes there instead."""
    return f"Empty: {platform_name} gets the main text."


def gauge(
    rows: Sequence[tuple[str, int, int]],
    platforms: Mapping[str, Platform],
    own_versions: Iterable[str] = (),
) -> Content:
    """A line per chosen account: its length as its network counts it, against its limit.

    Over the limit the line is in the error colour and says by how much; within
    a tenth of it, in the warning colour. ``own_versions`` names the networks
    (``"x"``) with their own text, marked ``*``.
    """
    if not rows:
        return Content.assemble(("Choose at least one account.", "$text-muted"))
    own = set(own_versions)
    names = min(ACCOUNT_CELLS, max(len(account) for account, _, _ in rows))
    lines = []
    for account, used, limit in rows:
        platform = platforms.get(account)
        label = PLATFORM_LABELS[platform] if platform is not None else "?"
        mark = "*" if platform is not None and platform.value in own else " "
        head = f"{cut(one_line(account), names).ljust(names)} {label:<2}{mark}"
        count = f"{used:>4}/{limit}"
        if used > limit:
            lines.append(
                Content.assemble(
                    head, (f"{count} ", "bold $text-error"), (f"{used - limit} over", "$text-error")
                )
            )
        else:
            style = "$text-warning" if used > limit * 0.9 else "$text-muted"
            lines.append(Content.assemble(head, (count, style)))
    return Content("\n").join(lines)


def problem_line(message: str) -> Content:
    """A reason the post cannot be saved, as one line in the error colour."""
    return Content.assemble(("✖ ", "bold $text-error"), (one_line(message), "$text-error"))
