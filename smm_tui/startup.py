"""Importing the app's modules without the cyclic garbage collector in the way.

Importing makes tens of thousands of long-lived objects (classes, functions,
compiled patterns), and each gen-2 collection meanwhile walks all of them
again: measured on the 2-core machine, ``import smm_tui.app, smm_tui.runtime``
took ~0.67 s with collections and ~0.50 s without. Nothing an import makes is
garbage to collect, so collections are held off while importing and what was
made is frozen (``gc.freeze``): no later collection walks it again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def imports_without_gc() -> Iterator[None]:
    """Hold off cyclic collection while the body imports, then freeze what it made.

    Collection is switched back on only if it was on: nesting is harmless.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.freeze()
            gc.enable()
