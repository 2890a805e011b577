"""Hint lines that name the keys as they are bound now, so a remapped key is never misnamed."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button
from textual.widgets.button import ButtonVariant

from smm_tui.screens.base import keys_of


def key_hint(screen: Screen[Any], *actions: tuple[str, str], gap: str = "    ") -> Content:
    """``y / enter: yes    n / esc: no`` for each (binding id, what it does), in the live keys."""
    return Content(gap.join(f"{keys_of(screen, bid)}: {what}" for bid, what in actions))


def key_button(
    screen: Screen[Any], label: str, binding_id: str, button_id: str, *, primary: bool = False
) -> Button:
    """A dialog's button that names the key doing the same, as bound now: ``Save (^s)``."""
    variant: ButtonVariant = "primary" if primary else "default"
    return Button(f"{label} ({keys_of(screen, binding_id)})", variant=variant, id=button_id)
