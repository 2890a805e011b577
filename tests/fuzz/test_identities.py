"""A handle or name cannot pass for another by invisible or reordering characters."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from smm_tui.core.ingest import sanitize_mention
from smm_tui.core.sanitize import clean_identity
from smm_tui.widgets.render import HANDLE_CELLS, author_label, cut, mention_row
from tests.conftest import T0
from tests.fuzz.strategies import (
    INVISIBLE,
    hostile_handles,
    looks,
    mention,
    visible_handles,
)


def label_of(handle: str, name: str = "") -> str:
    """How the detail, composer and customer views name an author, as a terminal shows it."""
    return looks(author_label(sanitize_mention(mention(handle=handle, name=name))))


def row_handle_of(handle: str) -> str:
    """The handle column of a feed row, as a terminal shows it."""
    row = mention_row(sanitize_mention(mention("body", handle=handle)), T0, marked=False)
    return looks(row.plain.removesuffix("body"))


@st.composite
def look_alikes(draw: st.DrawFn) -> tuple[str, str]:
    """Two spellings of one visible handle, each with invisible characters slipped in."""
    base = draw(visible_handles)

    def disguised() -> str:
        chars = list(base)
        for _ in range(draw(st.integers(0, 3))):
            chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from(INVISIBLE)))
        return "".join(chars)

    return disguised(), disguised()


@given(st.one_of(look_alikes(), st.tuples(hostile_handles, hostile_handles)))
def test_different_handles_never_look_the_same(pair: tuple[str, str]) -> None:
    first, second = pair
    if first == second:
        return
    assert label_of(first) != label_of(second)
    assert label_of("@anna", first) != label_of("@anna", second)
    if cut(clean_identity(first), HANDLE_CELLS) != cut(clean_identity(second), HANDLE_CELLS):
        assert row_handle_of(first) != row_handle_of(second)


@given(visible_handles, st.sampled_from(INVISIBLE), st.data())
def test_an_invisible_character_always_shows(
    handle: str, invisible: str, data: st.DataObject
) -> None:
    at = data.draw(st.integers(0, len(handle)))
    disguised = handle[:at] + invisible + handle[at:]
    assert label_of(disguised) != label_of(handle)
    assert label_of("@anna", disguised) != label_of("@anna", handle)
    if len(clean_identity(handle[:at])) < HANDLE_CELLS - 1:  # the row shows that far
        assert row_handle_of(disguised) != row_handle_of(handle)


@pytest.mark.parametrize(
    ("disguised", "target"),
    [
        ("@admin\u202egnp.exe", "@adminexe.png"),
        ("@ba\u200bnk", "@bank"),
        ("@bank\u2066\u2069", "@bank"),
        ("\ufeff@bank", "@bank"),
        ("@b\u200dank\u2060", "@bank"),
    ],
)
def test_known_disguises_are_shown(disguised: str, target: str) -> None:
    assert label_of(disguised) != label_of(target)
    assert "⟨" in label_of(disguised)


#: Characters with no width on screen (rich's own cell widths say so) that the sanitiser
#: leaves in handles and names: Default_Ignorable code points beyond its bidi and
#: zero-width lists.
UNMARKED_INVISIBLES = (
    "\u2061",  # FUNCTION APPLICATION
    "\u2062",  # INVISIBLE TIMES
    "\u2063",  # INVISIBLE SEPARATOR
    "\u2064",  # INVISIBLE PLUS
    "\u206a",  # INHIBIT SYMMETRIC SWAPPING
    "\u206f",  # NOMINAL DIGIT SHAPES
    "\u180e",  # MONGOLIAN VOWEL SEPARATOR
    "\u034f",  # COMBINING GRAPHEME JOINER
    "\ufe00",  # VARIATION SELECTOR-1
    "\U0001d173",  # MUSICAL SYMBOL BEGIN BEAM
    "\U000e0001",  # LANGUAGE TAG
    "\U000e0041",  # TAG LATIN CAPITAL LETTER A ("ASCII smuggling")
)


def test_no_zero_width_character_hides_in_a_handle() -> None:
    hidden = [
        f"U+{ord(char):04X} {unicodedata.name(char)}"
        for char in UNMARKED_INVISIBLES
        if label_of(f"@ba{char}nk") == label_of("@bank")
        and cell_len(author_label(mention(handle=f"@ba{char}nk", name=""))) == len("@bank")
    ]
    assert not hidden, f"these look exactly like '@bank': {hidden}"


def test_the_unmarked_characters_take_no_cell() -> None:
    """Why they must be marked: the renderer gives them no width."""
    assert all(cell_len(f"a{char}b") == 2 for char in UNMARKED_INVISIBLES)
    assert looks("@ba\u2062nk") == "@bank" == looks("@bank")
    assert looks("@ba⟨ZWSP⟩nk") != "@bank"
