"""The tickets' background work: numbers given, handoffs delivered, reviews watched,
and new mentions that repeat an open incident's complaint joined to it.

It runs in whichever smm-tui holds the poller lease (the app or ``smm-tui
poll``), beside the polling and publishing loops. Handoffs due go out on every
pass; tracked mentions are looked up again on a slower beat
(:data:`REVIEWS_EVERY`), since some networks are asked once per mention. A
one-shot poll does both every time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from smm_tui.core.context import ServiceContext
from smm_tui.core.handoffs import Handoff, HandoffService
from smm_tui.core.incidents import IncidentService
from smm_tui.core.models import ReviewState
from smm_tui.core.network import ChangeWatch
from smm_tui.core.repository import RepositoryError
from smm_tui.core.revisions import RevisionReport, RevisionService, tracked_tickets
from smm_tui.core.sending import Sleep
from smm_tui.core.ticket_refs import number_unnumbered

log = logging.getLogger(__name__)

#: Seconds between passes over the handoffs.
HANDOFFS_EVERY = 15.0
#: Seconds between looks at the tracked mentions, in the long-running poller.
REVIEWS_EVERY = 300.0
#: The same when every account is simulated (the demo shows reviews change in minutes).
DEMO_REVIEWS_EVERY = 30.0


@dataclass(slots=True)
class CaseReport:
    """What one pass did."""

    numbered: int = 0
    handoffs: list[Handoff] = field(default_factory=list)
    reviews: RevisionReport | None = None
    #: Incident id → the mentions that joined it in this pass.
    joined: dict[str, list[str]] = field(default_factory=dict)


class CaseWork:
    """Numbers tickets, delivers due handoffs and watches tracked reviews."""

    def __init__(
        self,
        ctx: ServiceContext,
        handoffs: HandoffService,
        revisions: RevisionService,
        watches: Mapping[str, ChangeWatch],
        clock: Callable[[], datetime],
        *,
        sleep: Sleep = asyncio.sleep,
        reviews_every: float = REVIEWS_EVERY,
        incidents: IncidentService | None = None,
    ) -> None:
        self.ctx = ctx
        self.incidents = incidents
        self.reviews_every = reviews_every
        self.handoffs = handoffs
        self.revisions = revisions
        self.watches = watches
        self.clock = clock
        self._sleep = sleep

    async def pass_once(self, *, reviews: bool) -> CaseReport:
        """Number new tickets and send due handoffs; with ``reviews``, look at tracked mentions."""
        report = CaseReport(numbered=await number_unnumbered(self.ctx))
        if self.incidents is not None:
            report.joined = await self.incidents.join(self.incidents.newcomers())
        for handoff in self.handoffs.due(self.clock()):
            try:
                report.handoffs.append(await self.handoffs.send(handoff.id))
            except RepositoryError:
                raise
            except Exception:  # one handoff's bug must not stop the others, or the loop
                log.exception("sending handoff %s failed", handoff.id)
        if reviews:
            report.reviews = await self.revisions.check(self.watches)
        return report

    async def run(self, settled: Callable[[CaseReport], None]) -> None:
        """Pass after pass until cancelled; ``settled`` hears of each pass that did something."""
        since_reviews = self.reviews_every
        while True:
            check = since_reviews >= self.reviews_every
            try:
                await asyncio.wrap_future(self.ctx.repo.refresh())
                report = await self.pass_once(reviews=check)
            except RepositoryError as exc:
                log.warning("ticket work: %s", exc)
            else:
                changed = report.reviews is not None and report.reviews.changed
                if report.handoffs or report.joined or changed:
                    settled(report)
                for error in report.reviews.errors if report.reviews else ():
                    log.info("reviews: %s", error)
            since_reviews = 0.0 if check else since_reviews + HANDOFFS_EVERY
            await self._sleep(HANDOFFS_EVERY)


def review_news(ctx: ServiceContext, report: CaseReport) -> list[str]:
    """A line per ticket whose review changed in ``report``: ``T-2026-0042: review updated
    (positive)``; the mention's own words stay out of it."""
    if report.reviews is None or not report.reviews.changed:
        return []
    changed = report.reviews.mention_ids
    lines = []
    for ticket in tracked_tickets(ctx):
        if ticket.mention_id not in changed or ticket.review is ReviewState.UNCHANGED:
            continue
        if ticket.review is ReviewState.REMOVED:
            lines.append(f"{ticket.label}: review removed")
        else:
            lines.append(f"{ticket.label}: review updated ({ticket.review_sentiment.value})")
    return lines
