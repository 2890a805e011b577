"""Hypothesis profiles for the hostile-text suite, chosen by ``SMM_FUZZ_PROFILE``.

``ci`` (the default) is small and reproducible, for every ``make test``;
``fuzz`` is the long run behind ``make fuzz``. Tests whose single example costs
much more than a text's (a whole CLI round trip) cap their count with
:func:`tests.fuzz.strategies.examples`, which reads the loaded profile, so the
profile must be loaded here, before the test modules are imported.

The tests put their data dirs in ``scratch`` (tests/conftest.py): on a disk, the
store's fsyncs cost several times what an example's checks do.
"""

from __future__ import annotations

import os

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
