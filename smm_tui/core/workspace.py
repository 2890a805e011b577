"""The workspace: one repository, the acting user and every service, wired once.

The CLI builds a workspace and hands it to the app (or runs a headless command
on it). Screens reach services only through it; none does I/O itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from smm_tui.core.alert_watch import AlertWatch
from smm_tui.core.alerts import AlertBook
from smm_tui.core.audit import new_id
from smm_tui.core.casework import REVIEWS_EVERY, CaseWork
from smm_tui.core.contest_results import KeepFile
from smm_tui.core.contest_run import AuditedContests, BeaconFactory
from smm_tui.core.contests import ContestService
from smm_tui.core.context import ServiceContext, process_alive, this_process
from smm_tui.core.customers import CustomerService
from smm_tui.core.feed import FeedModel
from smm_tui.core.growth import GrowthService
from smm_tui.core.handoffs import ChannelLookup, HandoffService, no_channels
from smm_tui.core.incident_sender import IncidentSender
from smm_tui.core.incidents import IncidentService
from smm_tui.core.ingest import IngestService
from smm_tui.core.lease import Lease, SoleLease
from smm_tui.core.models import Platform, utcnow
from smm_tui.core.notes import NoteService
from smm_tui.core.outbox import OutboxService
from smm_tui.core.pacing import DEFAULT_PACES, Pace
from smm_tui.core.planning import PlanningService, PublishingSettings
from smm_tui.core.polling import PollingEngine, fetch_into
from smm_tui.core.polling import PollOutcome as PollOutcome
from smm_tui.core.presence import PresenceService
from smm_tui.core.priority import DEFAULT_ALARMS
from smm_tui.core.publisher import Publisher
from smm_tui.core.query import QueryContext
from smm_tui.core.repository import Repository
from smm_tui.core.revisions import RevisionService
from smm_tui.core.rules import Rule
from smm_tui.core.saved_replies import SavedReply, SavedReplyBook
from smm_tui.core.scheduler import PublishingEngine
from smm_tui.core.sla import SlaSettings
from smm_tui.core.sources import AccountSource as AccountSource
from smm_tui.core.spikes import TrendSettings
from smm_tui.core.threads import ThreadService
from smm_tui.core.tickets import TicketService
from smm_tui.core.triage import TriageService
from smm_tui.core.views import View, build_views


@dataclass(frozen=True, slots=True)
class Settings:
    """Workspace settings that come from the config."""

    departments: tuple[str, ...] = ("General",)
    users: tuple[str, ...] = ()
    sla: SlaSettings = field(default_factory=SlaSettings)
    alarms: tuple[str, ...] = DEFAULT_ALARMS
    views: tuple[View, ...] = field(default_factory=build_views)
    rules: tuple[Rule, ...] = ()
    publishing: PublishingSettings = field(default_factory=PublishingSettings)
    #: How long a followed-up ticket awaits the customer (``[tickets] confirm_within``).
    confirm_within: timedelta = timedelta(days=3)
    saved_replies: tuple[SavedReply, ...] = ()
    #: Seconds between looks at the open tickets' mentions for edits and deletions.
    reviews_every: float = REVIEWS_EVERY
    #: How fast an incident's replies go to one account, by network (``[incidents]``).
    incident_paces: Mapping[Platform, Pace] = field(default_factory=lambda: DEFAULT_PACES)
    #: How readily spikes alert and terms count as rising (``[trends]``).
    trends: TrendSettings = field(default_factory=TrendSettings)
    #: Whether spike alerts count only what is written from when the watch starts (the
    #: demo's: its stored history is too sparse a sample to be a baseline).
    alerts_from_start: bool = False


class Workspace:
    """Every service over one repository, plus the accounts' adapters.

    ``owner`` and ``owner_alive`` name this process on the replies it sends and
    tell whether another sender is still alive (see :class:`ServiceContext`).
    """

    def __init__(
        self,
        repo: Repository,
        *,
        actor: str,
        sources: Mapping[str, AccountSource],
        settings: Settings | None = None,
        clock: Callable[[], datetime] = utcnow,
        make_id: Callable[[], str] = new_id,
        owner: str | None = None,
        owner_alive: Callable[[str], bool] = process_alive,
        poller: Lease | None = None,
        handoff_channels: ChannelLookup | None = None,
        beacons: BeaconFactory | None = None,
        keep_file: KeepFile | None = None,
    ) -> None:
        self.repo = repo
        self.ctx = ServiceContext(repo, actor, clock, make_id, owner or this_process(), owner_alive)
        self.sources = dict(sources)
        self.settings = settings or Settings(users=(actor,))
        self.triage = TriageService(self.ctx, alarms=self.settings.alarms, sla=self.settings.sla)
        self.ingest = IngestService(
            self.ctx,
            sla=self.settings.sla,
            alarms=self.settings.alarms,
            rules=self.settings.rules,
            query_context=self.query_context,
        )
        self.outbox = OutboxService(self.ctx, confirm_within=self.settings.confirm_within)
        self.tickets = TicketService(self.ctx)
        self.handoffs = HandoffService(self.ctx, handoff_channels or no_channels)
        self.revisions = RevisionService(self.ctx)
        self.contests = ContestService(self.ctx, self.sources, ingest=self.ingest)
        self.audited = AuditedContests(self.ctx, self.outbox, beacons=beacons, keep_file=keep_file)
        self.threads = ThreadService(self.ctx, self.sources)
        self.presence = PresenceService(self.ctx)
        self.customers = CustomerService(self.ctx)
        self.notes = NoteService(self.ctx)
        publishing = self.settings.publishing
        self.planning = PlanningService(self.ctx, self.sources, publishing)
        self.publisher = Publisher(self.ctx, late_limit=publishing.late_limit)
        self.growth = GrowthService(self.ctx, self.sources, every=publishing.growth_every)
        #: The saved replies in use (the app swaps them when their file changes).
        self.saved_replies = SavedReplyBook(self.settings.saved_replies)
        self.incidents = IncidentService(self.ctx, self.outbox, self.saved_replies)
        self.alerts = AlertBook(self.ctx)
        #: Whether this process may poll the accounts (another may be doing it).
        self.poller: Lease = poller or SoleLease()

    def feed_model(self) -> FeedModel:
        """A new feed model over the repository (its maker owns it and applies changes)."""
        return FeedModel(self.repo, self.query_context)

    def query_context(self) -> QueryContext:
        """What queries are evaluated against now: the clock, who "me" is, the users."""
        return QueryContext(self.ctx.clock(), self.ctx.actor, self.settings.users)

    @property
    def actor(self) -> str:
        """The user acting in this workspace."""
        return self.ctx.actor

    def polling_engine(self) -> PollingEngine:
        """A polling engine over the accounts, storing what it fetches through ingest."""
        return PollingEngine(self.sources, self.ingest, self.ctx.clock)

    def publishing_engine(self) -> PublishingEngine:
        """A publishing loop over the accounts: due posts out, growth and counters read."""
        return PublishingEngine(self.publisher, self.growth, self.sources, self.ctx.clock)

    def casework(self) -> CaseWork:
        """The tickets' background work: numbers, handoffs, and watched reviews."""
        return CaseWork(
            self.ctx,
            self.handoffs,
            self.revisions,
            self.sources,
            self.ctx.clock,
            reviews_every=self.settings.reviews_every,
            incidents=self.incidents,
        )

    def incident_sender(self) -> IncidentSender:
        """The paced sender of the incidents' replies, through the accounts' adapters."""
        return IncidentSender(
            self.ctx, self.outbox, self.incidents, self.sources, self.settings.incident_paces
        )

    def alert_watch(self) -> AlertWatch:
        """A live spike watch over what this process stores (the poller's; see AlertWatch)."""
        counting_from = self.ctx.clock() if self.settings.alerts_from_start else None
        return AlertWatch(self.ctx, self.settings.trends, self.alerts, counting_from=counting_from)

    def source_for(self, account: str) -> AccountSource | None:
        """The adapter of an account, if it is configured."""
        return self.sources.get(account)


async def poll_account(workspace: Workspace, source: AccountSource) -> PollOutcome:
    """Fetch an account's new mentions into the workspace (see :func:`fetch_into`)."""
    return await fetch_into(workspace.ingest, source)
