"""Every binding of the app and of every screen and widget has an id and a tooltip, and
the assign and label dialogs name the keys as they are bound now."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from textual.binding import Binding
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

import smm_tui.screens
import smm_tui.widgets
from smm_tui.app import SmmApp
from smm_tui.config import demo_config
from smm_tui.core.models import Sentiment
from smm_tui.keymap import SCOPES
from smm_tui.screens.assign import AssignScreen
from smm_tui.screens.label import LabelScreen
from tests.conftest import FakeClock
from tests.ui.harness import running, wait_for


def _binding_owners(*packages: ModuleType) -> list[type[DOMNode]]:
    """Every Screen and Widget class defined in ``packages`` that declares its own BINDINGS."""
    owners: list[type[DOMNode]] = []
    for package in packages:
        for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                defined_here = cls.__module__ == module.__name__
                if defined_here and issubclass(cls, Widget) and "BINDINGS" in vars(cls):
                    owners.append(cls)
    return owners


OWNERS: list[type[DOMNode]] = [
    SmmApp,
    *_binding_owners(smm_tui.screens, smm_tui.widgets),
]


def test_the_walk_finds_the_screens_and_widgets_with_bindings() -> None:
    names = {owner.__name__ for owner in OWNERS}
    expected = {"FeedList", "MentionScreen", "TicketBoardScreen", "HelpScreen", "ConfirmScreen"}
    assert expected <= names


@pytest.mark.parametrize("owner", OWNERS, ids=lambda owner: owner.__name__)
def test_every_binding_has_an_id_and_a_tooltip(owner: type[DOMNode]) -> None:
    bindings = owner.BINDINGS
    assert all(isinstance(b, Binding) for b in bindings)
    missing = [b.key for b in bindings if isinstance(b, Binding) and not (b.id and b.tooltip)]
    assert missing == [], f"{owner.__name__}: bindings without an id or a tooltip"


@pytest.mark.parametrize("owner", OWNERS, ids=lambda owner: owner.__name__)
def test_every_owner_of_bindings_can_be_remapped(owner: type[DOMNode]) -> None:
    """A keymap names only the bindings of smm_tui.keymap.SCOPES: every class with
    bindings must be in one, or its keys could not be remapped or checked for clashes."""
    assert any(owner in scope for scope in SCOPES), f"{owner.__name__} is in no keymap scope"


def _shown(screen: Screen[Any], selector: str) -> str:
    """The plain text a Label or Static of ``screen`` shows."""
    visual = screen.query_one(selector, Static).render()
    assert isinstance(visual, Content)
    return visual.plain


@pytest.mark.parametrize(
    ("keymap", "hint"),
    [
        ({}, "j/k move · ⏎ assigns · m me · u unassign · esc cancels"),
        (
            {"assign.down": "n,down", "assign.me": "i", "assign.none": "x"},
            "n/k move · ⏎ assigns · i me · x unassign · esc cancels",
        ),
    ],
)
async def test_the_assign_hint_names_the_live_keys(
    tmp_path: Path, clock: FakeClock, keymap: dict[str, str], hint: str
) -> None:
    config = dataclasses.replace(demo_config("alice"), keymap=keymap)
    async with running(tmp_path / "data", clock, config=config) as run:
        pilot, app = run.pilot, run.app
        await wait_for(pilot, lambda: len(run.feed.ids) > 3, "the demo queue")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AssignScreen), "the assign dialog")
        screen = app.screen
        assert isinstance(screen, AssignScreen)
        await wait_for(pilot, lambda: _shown(screen, "#assign-hint") == hint, f"the hint {hint!r}")
        await pilot.press("i" if keymap else "m")  # "me", as the hint says
        await wait_for(pilot, lambda: not isinstance(app.screen, AssignScreen), "assigned")


@pytest.mark.parametrize(
    ("keymap", "tone"),
    [
        ({}, "n negative · e neutral · p positive"),
        ({"label.negative": "x", "label.positive": "y"}, "x negative · e neutral · y positive"),
    ],
)
async def test_the_label_rows_name_the_live_keys(
    tmp_path: Path, clock: FakeClock, keymap: dict[str, str], tone: str
) -> None:
    config = dataclasses.replace(demo_config("alice"), keymap=keymap)
    async with running(tmp_path / "data", clock, config=config) as run:
        pilot, app, ws = run.pilot, run.app, run.workspace
        await wait_for(pilot, lambda: len(run.feed.ids) > 3, "the demo queue")
        await pilot.press("g")
        mention_id = run.feed.ids[0]
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, LabelScreen), "the label dialog")
        screen = app.screen
        assert isinstance(screen, LabelScreen)
        await wait_for(
            pilot, lambda: tone in _shown(screen, "#label-rows"), f"the tone row {tone!r}"
        )
        await pilot.press("x" if keymap else "n", "enter")  # negative, as the row says
        await wait_for(
            pilot,
            lambda: ws.ctx.mention(mention_id).sentiment is Sentiment.NEGATIVE,
            "labelled negative",
        )
