"""Hypothesis profiles for the hostile-text suite, chosen by ``SMM_FUZZ_PROFILE``.

``ci`` (the default) is small and reproducible, for every ``make test``;
``fuzz`` is the long run behind ``make fuzz``. Tests whose single example costs
much more than a text's (a whole CLI round trip) cap their count with
:func:`tests.fuzz.strategies.examples`, which reads the loaded profile, so the
profile must be loaded here, before the test modules are imported.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

# Large texts are built, not drawn, but their strategies are still slow to shrink.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.register_profile(
    "fuzz",
    max_examples=10_000,
    deadline=None,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    print_blob=True,
    suppress_health_check=_SLOW_IS_FINE,
)
settings.load_profile(os.environ.get("SMM_FUZZ_PROFILE", "ci"))


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """Where the tests put data dirs: in memory when the machine has a tmpfs.

    On a disk, the store's fsyncs cost several times what an example's checks
    do; durability is what tests/store is for, not this suite.
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    with tempfile.TemporaryDirectory(dir=shm, prefix="smm-fuzz-") as name:
        yield Path(name)
