"""The repository stands alone: no code, test or benchmark reads outside the checkout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("smm_tui", "tests", "bench")
# The research folder that sits beside the checkout in development, named as a path.
OUTSIDE = re.compile(r"\.\./shared|[\"']shared[\"']")


def _sources() -> list[Path]:
    return sorted(path for folder in SCANNED for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("source", _sources(), ids=lambda path: str(path.relative_to(ROOT)))
def test_no_source_reaches_outside_the_checkout(source: Path) -> None:
    found = OUTSIDE.search(source.read_text(encoding="utf-8"))
    assert found is None, f"{source.relative_to(ROOT)} reaches outside: {found.group(0)!r}"


def test_every_fixture_the_tests_name_is_in_the_repository() -> None:
    names = set()
    for source in _sources():
        names.update(re.findall(r"\"([\w\-]+\.(?:yaml|json|http))\"", source.read_text("utf-8")))
    fixtures = {path.name for path in (ROOT / "tests" / "fixtures").rglob("*") if path.is_file()}
    recorded = {name for name in names if name.startswith("test_") or name in fixtures}
    assert recorded, "the scan found no fixture names: the pattern is stale"
    assert recorded <= fixtures
