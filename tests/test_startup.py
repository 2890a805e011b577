"""Importing with the collector held off: it is on again after, and what was made is frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from smm_tui.startup import imports_without_gc


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # give this test process back its own collector
    gc.enable()


@pytest.mark.usefixtures("unfrozen")
def test_collection_is_held_off_inside_and_back_on_after_with_what_was_made_frozen() -> None:
    gc.unfreeze()
    before = gc.get_freeze_count()
    with imports_without_gc():
        assert not gc.isenabled()
        made = [object() for _ in range(1000)]
        with imports_without_gc():  # nested: the outer one decides
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + len(made)


@pytest.mark.usefixtures("unfrozen")
def test_it_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    with imports_without_gc():
        pass
    assert not gc.isenabled()


@pytest.mark.usefixtures("unfrozen")
def test_an_import_that_fails_still_turns_the_collector_back_on() -> None:
    with pytest.raises(ModuleNotFoundError), imports_without_gc():
        import smm_tui.no_such_module  # type: ignore[import-not-found]  # noqa: F401
    assert gc.isenabled()
