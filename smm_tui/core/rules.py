"""Rules: when a new mention matches a query, act on it at once.

Each ``[[rules]]`` block in the config names a condition in the query
language and its actions: add tags, assign someone, route to a department (a
ticket opens there), mark as spam, or raise the priority. Rules run at
ingest, in config order, after the classifier, so ``intent:complaint`` and
``sentiment:neg`` work in conditions. The mention remembers which rules
fired, and the detail view says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from smm_tui.core.models import Intent, Mention, Status
from smm_tui.core.query import Query, QueryContext


@dataclass(frozen=True, slots=True)
class Rule:
    """A condition and what to do when a new mention meets it."""

    name: str
    when: Query
    tags: tuple[str, ...] = ()
    assign: str | None = None
    department: str | None = None
    spam: bool = False
    raise_priority: int = 0


@dataclass(frozen=True, slots=True)
class Outcome:
    """A mention after the rules, and where (if anywhere) a rule routed it."""

    mention: Mention
    fired: tuple[str, ...] = ()
    department: str | None = None


def apply_rules(mention: Mention, rules: Sequence[Rule], ctx: QueryContext) -> Outcome:
    """Run every rule on a new mention; later rules see what earlier ones did."""
    fired: list[str] = []
    department: str | None = None
    for rule in rules:
        if not rule.when.matches(mention.to_record(), ctx):
            continue
        fired.append(rule.name)
        mention = _act(mention, rule)
        department = rule.department or department
    if fired:
        mention = dataclasses.replace(mention, rules=(*mention.rules, *fired))
    return Outcome(mention, tuple(fired), department)


def _act(mention: Mention, rule: Rule) -> Mention:
    tags = tuple(dict.fromkeys((*mention.tags, *rule.tags)))
    changed = dataclasses.replace(
        mention,
        tags=tags,
        assignee=mention.assignee or rule.assign,
        priority=max(0, min(100, mention.priority + rule.raise_priority)),
    )
    if rule.spam:
        changed = dataclasses.replace(
            changed,
            intent=Intent.SPAM,
            status=Status.DONE,
            tags=tuple(dict.fromkeys((*changed.tags, "spam"))),
        )
    return changed
