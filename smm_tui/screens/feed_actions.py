"""What the feed's keys do to the mention under the cursor, or to the marked ones."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from textual.screen import ModalScreen, Screen

from smm_tui.core import acknowledge
from smm_tui.core.cards import card_title
from smm_tui.core.feed import FeedModel
from smm_tui.core.incidents import Incident
from smm_tui.core.models import Mention, Status, Ticket
from smm_tui.core.repository import Changed, Collection
from smm_tui.core.tickets import title_from
from smm_tui.core.wording import plural, shared_tags, tag_edit
from smm_tui.screens.assign import AssignScreen
from smm_tui.screens.base import WorkspaceScreen, in_background
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.contests import NewContestScreen
from smm_tui.screens.customer import open_customer
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.incident import IncidentScreen
from smm_tui.screens.label import LabelScreen, TagScreen
from smm_tui.widgets.feed_list import FeedList
from smm_tui.widgets.render import one_line

#: What a dialog answers.
A = TypeVar("A")


class FeedActions(WorkspaceScreen):
    """The feed's actions: each hands the targets to a service, or opens a screen on them."""

    #: Which mentions show (the feed screen builds it).
    feed: FeedModel

    def __init__(self) -> None:
        super().__init__()
        #: Where a visual range (V) started, until V is pressed again.
        self._range_start: str | None = None

    @property
    def feed_list(self) -> FeedList:
        """The list widget."""
        return self.query_one(FeedList)

    def _update_status(self) -> None:
        """Redraw the status line (marks changed)."""

    def action_mark(self) -> None:
        self.feed_list.toggle_mark()
        self.feed_list.cursor += 1
        self._update_status()

    def _take_targets(self) -> list[str]:
        targets = self.feed_list.targets()
        self.feed_list.marked.clear()
        return targets

    def action_done_next(self) -> None:
        """Close the mention (or the marked ones) and go on; bulk says how many it closed."""
        bulk = bool(self.feed_list.marked)
        targets = self._take_targets()
        if not targets:
            return
        feed_list = self.feed_list
        if feed_list.current in targets:
            feed_list.move_to(feed_list.next_after(targets))
        done = self._said_done if bulk else None
        self.act(self.workspace.triage.set_status(targets, Status.DONE), done=done)

    def _said_done(self, changed: Changed) -> None:
        self.say(f"{len(changed.of(Collection.MENTIONS))} done")

    def action_seen(self) -> None:
        self.act(self.workspace.triage.set_status(self._take_targets(), Status.SEEN))

    def action_unread(self) -> None:
        self.act(self.workspace.triage.set_status(self._take_targets(), Status.NEW))

    def _ask(
        self,
        targets: list[str],
        dialog: ModalScreen[A | None],
        work: Callable[[A], Awaitable[object] | None],
    ) -> None:
        """Ask ``dialog``; its answer becomes ``work`` on the targets (None: nothing to do).

        The marks are used up only when there is work: a cancelled dialog keeps them.
        """

        def answered(answer: A | None) -> None:
            done = None if answer is None else work(answer)
            if done is not None:
                self.feed_list.marked.clear()
                self.act(done)

        if targets:
            self.app.push_screen(dialog, answered)

    def action_assign(self) -> None:
        """Ask who gets the mention (or the marked ones): enter gives them to me."""
        targets, ws = self.feed_list.targets(), self.workspace
        self._ask(
            targets,
            AssignScreen(len(targets), ws.actor, ws.settings.users),
            lambda pick: ws.triage.assign(targets, pick.assignee),
        )

    def action_visual(self) -> None:
        """V starts a range at the cursor; V again marks every row from there to here."""
        here = self.feed_list.current
        if here is None:
            return
        if self._range_start is None:
            self._range_start = here
            again = self.keys_for("feed.visual")
            self.say(f"Range started: move, then {again} again to mark every row between.")
            return
        start, self._range_start = self._range_start, None
        self.feed_list.mark_range(start, here)
        self._update_status()

    def action_tag(self) -> None:
        targets = self.feed_list.targets()
        # The tags every target has are shown to edit; the others are left as they are.
        shared = shared_tags([m.tags for m in self.feed.mentions(targets)])

        def retag(words: str) -> Awaitable[object] | None:
            add, drop = tag_edit(shared, words)
            return self.workspace.triage.tag(targets, add=add, remove=drop) if add or drop else None

        self._ask(targets, TagScreen(len(targets), shared), retag)

    def action_label(self) -> None:
        targets, triage = self.feed_list.targets(), self.workspace.triage
        self._ask(
            targets,
            LabelScreen(len(targets)),
            lambda labels: triage.set_labels(targets, labels.sentiment, labels.intent),
        )

    def action_ticket(self) -> None:
        targets = self._take_targets()
        if targets:
            self.act(self.workspace.tickets.open(targets), done=self._ticket_opened)

    def _ticket_opened(self, ticket: Ticket) -> None:
        count = plural(len(ticket.mention_ids), "mention")
        board = self.app_keys_for("app.tickets")
        self.say(f"Ticket {ticket.label} for {count}: {ticket.title}  ({board}: board)")
        mention = self.feed.mention(ticket.mention_id)
        if len(ticket.mention_ids) == 1 and mention is not None:
            # The customer still waits in public: offer them an acknowledgement at once.
            offer, mention_id = acknowledge.offer(self.workspace.outbox, mention), mention.id
            self.act(offer, done=lambda offered: self._acknowledge(mention_id, offered))

    def _acknowledge(self, mention_id: str, offered: bool) -> None:
        if offered:
            self.app.push_screen(ComposerScreen(mention_id))

    def action_open(self) -> None:
        self._open_current(MentionScreen)

    def action_reply(self) -> None:
        self._open_current(ComposerScreen)

    def action_customer(self) -> None:
        """Open the customer view of the author under the cursor."""
        mention_id = self.feed_list.current
        if mention_id is not None:
            open_customer(self, mention_id)

    def _open_current(self, screen: Callable[[str], Screen[None]]) -> None:
        """Open a screen on the mention under the cursor, which now counts as seen."""
        mention_id = self.feed_list.current
        if mention_id is None:
            return
        self.act(self.workspace.triage.mark_seen(mention_id))
        self.app.push_screen(screen(mention_id))

    def action_contest(self) -> None:
        mention = self.feed.mention(self.feed_list.current or "")
        if mention is None:
            return
        self.app.push_screen(NewContestScreen(prefill=mention))

    def action_incident(self) -> None:
        """Gather the near-duplicates of the mention (or the marked ones) among the mentions
        the view shows into an incident; then open it."""
        seeds = self._take_targets()
        if seeds:
            self.gather_incident(seeds)

    def gather_incident(self, seeds: list[str] | None) -> None:
        """Gather an incident from the view, in a thread: the near-duplicates of ``seeds``,
        or with None the largest group of near-duplicates the view holds (from a spike)."""
        candidates = list(self.feed.ids)
        read, service = self.feed.read, self.workspace.incidents

        def gather() -> tuple[list[str], list[Mention]]:
            records = read(dict.fromkeys([*(seeds or []), *candidates]))
            mentions = [Mention.from_record(r) for r in records.values() if r is not None]
            if seeds is None:
                return service.largest_group(mentions), mentions
            return service.gather(seeds, mentions), mentions

        in_background(self, gather, done=self._gathered, group="incident")
        self.say("Gathering the near-duplicates in this view…")

    def _gathered(self, found: tuple[list[str], list[Mention]]) -> None:
        members, mentions = found
        if len(members) < 2:
            self.say(
                "Nothing alike in this view: widen the filter, or mark the mentions that belong.",
                error=True,
            )
            return
        first = next(m for m in mentions if m.id == members[0])
        # Our own @handle, which a reply on X or Mastodon starts with, says nothing.
        title = title_from(card_title(one_line(first.text), list(self.workspace.sources)))
        self.act(
            self.workspace.incidents.open(title, members, query=self.feed.filter.text),
            done=self._incident_opened,
        )

    def _incident_opened(self, incident: Incident) -> None:
        elsewhere = [m for m in incident.left_out if m not in incident.members]
        left = f"; {len(elsewhere)} already in another open incident" if elsewhere else ""
        self.say(f"{incident.id}: {len(incident.members)} mentions gathered{left}.")
        self.app.push_screen(IncidentScreen(incident.id))
