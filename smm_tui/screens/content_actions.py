"""What the Content pane's keys do to posts: write, schedule, publish, retry, delete, count,
and add to a campaign.

Every change goes through the planning, publishing and growth services in a
worker; a problem they raise (a post too long, one changed meanwhile, a
network's refusal) is one toast. Outcomes of sends arrive as DeliverySettled.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from textual.content import Content

from smm_tui.core.calendar import Entry, Status
from smm_tui.core.campaigns import Campaign
from smm_tui.core.growth import by_account
from smm_tui.core.posts import Delivery, DeliveryState, Post, delivery_id
from smm_tui.core.wording import plural
from smm_tui.messages import DeliverySettled
from smm_tui.screens.base import WorkspaceScreen
from smm_tui.screens.campaign_pick import ask_campaign
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.post_editor import EditorResult, PostEditorScreen
from smm_tui.screens.schedule import ScheduleScreen
from smm_tui.widgets.render import cut, one_line

T = TypeVar("T")


def about(post: Post) -> str:
    """``“First words of the post…”`` for a question or a toast."""
    return f"“{cut(one_line(post.text), 40)}”"


class ContentActions(WorkspaceScreen):
    """The Content pane's actions on the selected post and delivery (the screen selects)."""

    def selected_entry(self) -> Entry | None:
        """The delivery under the cursor, as the pane shows it."""
        raise NotImplementedError

    def select(self, entry_id: str | None, day: datetime | None = None) -> None:
        """Put the cursor on a delivery (on the day of ``day``, if given) and redraw."""
        raise NotImplementedError

    def run(self, work: Awaitable[T], done: Callable[[T], object] | None = None) -> None:
        """A service call in a worker; a post's problem or a network's refusal is one toast."""
        self.act(work, done=done, group="content")

    def _picked(self) -> Entry | None:
        entry = self.selected_entry()
        if entry is None:
            new = self.keys_for("content.new")
            self.say(f"No post here: move to one, or press {new} for a new one.")
        return entry

    def _show_post(self, post: Post) -> None:
        """Select the post's first delivery where it now stands."""
        if post.accounts:
            self.select(delivery_id(post.id, post.accounts[0]), post.scheduled_at)

    # -- writing --------------------------------------------------------------------

    def action_new(self) -> None:
        def written(result: EditorResult | None) -> None:
            if result is not None:
                self.run(self.workspace.planning.create(result.draft, result.at), self._saved)

        self.app.push_screen(PostEditorScreen(), written)

    def action_edit(self) -> None:
        entry = self._picked()
        if entry is None:
            return
        post = entry.post

        def written(result: EditorResult | None) -> None:
            if result is not None:
                self.run(self._save_edit(post, result), self._saved)

        self.app.push_screen(PostEditorScreen(post), written)

    async def _save_edit(self, before: Post, result: EditorResult) -> Post:
        planning = self.workspace.planning
        post = await planning.edit(before.id, result.draft)
        if result.at is not None and result.at != post.scheduled_at:
            return await planning.schedule(post.id, result.at)
        if result.at is None and post.scheduled_at is not None:
            return await planning.unschedule(post.id)
        return post

    def _saved(self, post: Post) -> None:
        self.say("Scheduled." if post.scheduled_at else "Saved as a draft.")
        self._show_post(post)

    def action_duplicate(self) -> None:
        entry = self._picked()
        if entry is not None:
            self.run(self.workspace.planning.duplicate(entry.post.id), self._duplicated)

    def _duplicated(self, post: Post) -> None:
        self.say(f"Duplicated as a new draft: {self.keys_for('content.edit')} edits it.")
        self._show_post(post)

    # -- when -----------------------------------------------------------------------

    def action_schedule(self) -> None:
        entry = self._picked()
        if entry is None:
            return
        post_id = entry.post.id

        def chosen(at: datetime | None) -> None:
            if at is not None:
                self.run(self.workspace.planning.schedule(post_id, at), self._saved)

        self.app.push_screen(ScheduleScreen(entry.post.scheduled_at), chosen)

    def action_unschedule(self) -> None:
        entry = self._picked()
        if entry is not None:
            self.run(self.workspace.planning.unschedule(entry.post.id), self._saved)

    def action_publish(self) -> None:
        """Publish now: release a late (held) delivery, or schedule the post for now."""
        entry = self._picked()
        if entry is None:
            return
        if entry.status is Status.FAILED:
            self.say(f"It failed on {entry.account}: {self.keys_for('content.retry')} retries it.")
            return
        if entry.status in (Status.PUBLISHED, Status.PUBLISHING):
            again = self.keys_for("content.duplicate")
            self.say(f"Already {entry.status.value} on {entry.account}: {again} duplicates it.")
            return
        post = entry.post
        held: list[str] = []
        if entry.status is Status.HELD:
            held = [d.id for d in self.workspace.planning.deliveries(post.id) if d.held]
        question = f"Publish {about(post)} now on {', '.join(post.accounts)}?"
        if held:
            question = f"Publish {about(post)} now, late, on {plural(len(held), 'account')}?"

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            planning = self.workspace.planning
            if held:
                self.run(planning.release(held), lambda _: self.say("Released: it goes out now."))
            else:
                now = self.workspace.ctx.clock()
                self.run(planning.schedule(post.id, now), lambda _: self.say("Going out now."))

        self.app.push_screen(ConfirmScreen(question), answered)

    # -- deleting -------------------------------------------------------------------

    def action_delete(self) -> None:
        entry = self._picked()
        if entry is None:
            return
        post = entry.post

        def answered(yes: bool | None) -> None:
            if yes:
                self.run(self.workspace.planning.delete(post.id), lambda _: self.say("Deleted."))

        accounts = plural(len(post.accounts), "account")
        self.app.push_screen(ConfirmScreen(f"Delete {about(post)} on {accounts}?"), answered)

    # -- sending and counting -------------------------------------------------------

    def action_retry(self) -> None:
        """Publish a failed delivery again; one that may be out already asks a person first."""
        entry = self._picked()
        if entry is None:
            return
        delivery = self.workspace.publisher.delivery(entry.id)
        if delivery.state is not DeliveryState.FAILED:
            self.say(f"Nothing to retry: it is {entry.status.value} on {entry.account}.")
            return
        if not self.workspace.publisher.needs_force(delivery):
            self._send(delivery, force=False)
            return
        question = (
            f"{about(entry.post)} may already be on {delivery.account}, and this network "
            "cannot show its posts. Check the channel first. Publish it again?"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._send(delivery, force=True)

        self.app.push_screen(ConfirmScreen(question), answered)

    def _send(self, delivery: Delivery, *, force: bool) -> None:
        source = self.workspace.source_for(delivery.account)
        if source is None:
            self.say(f"Cannot publish: no account {delivery.account} in the config.", error=True)
            return
        self.say(f"Publishing on {delivery.account}…")
        sending = self.workspace.publisher.send(delivery.id, source, force=force)
        self.run(sending, lambda settled: self.app.post_message(DeliverySettled(settled)))

    def action_counters(self) -> None:
        """Read the selected post's likes, reposts, replies and views from its networks now."""
        entry = self._picked()
        if entry is None:
            return
        published = [
            d
            for d in self.workspace.planning.deliveries(entry.post.id)
            if d.state is DeliveryState.PUBLISHED
        ]
        if not published:
            self.say("Counters come once the post is published.")
            return
        self.run(self._read_counters(published), self._counted)

    async def _read_counters(self, published: list[Delivery]) -> list[Delivery]:
        read: list[Delivery] = []
        for account, deliveries in by_account(published).items():
            source = self.workspace.source_for(account)
            if source is not None:
                growth = self.workspace.growth
                read += await growth.read_counters(deliveries, source, scheduled=False)
        return read

    def _counted(self, read: list[Delivery]) -> None:
        self.say(f"Counters read on {plural(len(read), 'account')}.")

    # -- campaigns ------------------------------------------------------------------

    def action_campaign(self) -> None:
        """Ask which campaign, then add the selected post to it (by id)."""
        entry = self._picked()
        if entry is None:
            return
        post = entry.post
        title = Content.assemble(("Add to campaign ", "bold"), about(post))
        ask_campaign(
            self, title, lambda service, name: service.add_posts(name, [post.id]), self._added
        )

    def _added(self, outcome: tuple[Campaign, int]) -> None:
        campaign, added = outcome
        if added:
            self.say(f"Added to campaign {campaign.name}.")
        else:
            self.say(f"Already in campaign {campaign.name}.")
