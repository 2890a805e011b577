"""Key bindings written as tables: one binding a row, each with the id its keymap names."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding, BindingType

#: A key binding as one row of a table: whether the footer shows it, the keys, the action,
#: the description, the binding's id within its pane, and the tooltip.
KeyRow = tuple[bool, str, str, str, str, str]
SHOWN = True


def pane_bindings(pane: str, rows: Sequence[KeyRow]) -> list[BindingType]:
    """A screen's bindings from a table, each with the id ``pane.<id>`` (what keymaps name)."""
    return [
        Binding(keys, action, description, show=show, id=f"{pane}.{name}", tooltip=tooltip)
        for show, keys, action, description, name, tooltip in rows
    ]


def key_table(pane: str, table: str) -> list[BindingType]:
    """Bindings from a text table, one a line: ``name | keys | action | Label | tooltip``.

    Each binding gets the id ``pane.name`` (what keymaps name). A label in parentheses,
    ``(Scroll)``, keeps the binding out of the footer (help still lists it). A line
    without ``|`` goes on with the tooltip of the line above.
    """
    rows: list[KeyRow] = []
    for line in table.strip().splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) == 1 and rows:
            show, keys, action, label, name, tooltip = rows.pop()
            rows.append((show, keys, action, label, name, f"{tooltip} {cells[0]}"))
            continue
        if len(cells) != 5 or not all(cells):
            raise ValueError(f"a key table row has five cells, not: {line.strip()!r}")
        name, keys, action, label, tooltip = cells
        hidden = label.startswith("(") and label.endswith(")")
        rows.append((not hidden, keys, action, label[1:-1] if hidden else label, name, tooltip))
    return pane_bindings(pane, rows)
