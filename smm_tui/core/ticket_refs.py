"""Ticket references people can say on the phone: ``T-2026-0042``, numbered per year.

The number comes from a counter record taken by compare-and-set, so two
processes on one data dir never give out the same number: the loser of a race
reads the counter again and takes the next one.
"""

from __future__ import annotations

from datetime import datetime

from smm_tui.core.context import ServiceContext
from smm_tui.core.models import Ticket
from smm_tui.core.repository import ChangeSet, Collection

#: How often a lost race for a number is tried again before giving up.
_ATTEMPTS = 50


class NoNumber(RuntimeError):
    """The counter kept changing under us: no number was taken."""


def ref_for(year: int, number: int) -> str:
    """The reference of the ``number``-th ticket of ``year``."""
    return f"T-{year}-{number:04d}"


async def take_ref(ctx: ServiceContext, when: datetime) -> str:
    """A reference no ticket has yet, in the year of ``when``."""
    return ref_for(when.year, await take_number(ctx, f"tickets-{when.year}"))


async def take_number(ctx: ServiceContext, counter_id: str) -> int:
    """The next number of the counter ``counter_id`` (1 first), never given out twice."""
    for _ in range(_ATTEMPTS):
        record = ctx.repo.get(Collection.COUNTERS, counter_id)
        if record is None:
            changes = ChangeSet().insert_new(Collection.COUNTERS, {"id": counter_id, "next": 2})
            number = 1
        else:
            number = int(record["next"])
            changes = ChangeSet().patch(
                Collection.COUNTERS, counter_id, {"next": number + 1}, expect={"next": number}
            )
        if (await ctx.commit(changes)).applied:
            return number
    raise NoNumber(f"could not take a number from {counter_id}: the counter kept changing")


async def number_unnumbered(ctx: ServiceContext) -> int:
    """Give a reference to every ticket without one (older data, rules' tickets); how many.

    Oldest first, so the numbers follow the order tickets were opened in.
    """
    unnumbered = [r for r in ctx.repo.records(Collection.TICKETS) if not r.get("ref")]
    tickets = [(Ticket.from_record(r), r.get("ref")) for r in unnumbered]
    numbered = 0
    for ticket, stored in sorted(tickets, key=lambda pair: (pair[0].created_at, pair[0].id)):
        ref = await take_ref(ctx, ticket.created_at)
        changes = ChangeSet().patch(Collection.TICKETS, ticket.id, {"ref": ref}, {"ref": stored})
        numbered += bool((await ctx.commit(changes)).applied)
    return numbered
