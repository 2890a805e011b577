"""A list whose ``enter`` belongs to its screen: the screen's binding (with its id, its
remapping and its line in help) opens the highlighted row."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import OptionList

from smm_tui.widgets.key_table import key_table

#: PickList's keys: name | keys | action | label ("(label)": not in the footer) | tooltip.
_KEYS = """
down      | down     | cursor_down | (Down)      | The next row
up        | up       | cursor_up   | (Up)        | The previous row
first     | home     | first       | (First)     | The first row
last      | end      | last        | (Last)      | The last row
page_down | pagedown | page_down   | (Page down) | A page further down
page_up   | pageup   | page_up     | (Page up)   | A page further up
"""


class PickList(OptionList, inherit_bindings=False):
    """An OptionList without its own ``enter`` (it would shadow the screen's in help)."""

    BINDINGS: ClassVar[list[BindingType]] = key_table("pick_list", _KEYS)
