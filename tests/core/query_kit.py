"""What the query-language tests share: a fixed "now", a context and record helpers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from smm_tui.core.query import QueryContext, parse
from tests.conftest import T0, make_mention

NOW = T0 + timedelta(hours=2)
CTX = QueryContext(now=NOW, me="anna", users=("anna", "boris"))


def record(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A stored mention record (``to_record()`` shape), created ``n`` minutes after T0."""
    return make_mention(n, **overrides).to_record()


def matching(text: str, records: list[dict[str, Any]], ctx: QueryContext = CTX) -> list[int]:
    """Indexes of the records the query matches, checked both ways it can be evaluated."""
    query = parse(text)
    predicate = query.compile(ctx)
    found = [i for i, r in enumerate(records) if predicate(r)]
    assert found == [i for i, r in enumerate(records) if query.matches(r, ctx)]
    return found
