"""Fixtures the core tests share."""

from __future__ import annotations

import pytest

from smm_tui.core.query import clear_text_cache


@pytest.fixture
def fresh_text_cache() -> None:
    """Start with an empty folded-text cache, so no test sees another's folded texts."""
    clear_text_cache()
