"""Headless publishing: ``post`` (now, at a time, or again), and what ``poll`` publishes.

Every send goes through :class:`~smm_tui.core.publisher.Publisher`, as in the
app: a delivery is recorded before it is sent, claimed by one process, and
never published twice. A line claims success only for a delivery that is
``published``, and prints a URL only for a post the network holds.

A delivery whose send may have reached the network (the answer was lost) is
``failed`` and ``uncertain``. ``poll`` settles it by looking for the post on
the account, and sends it again only if it is not there; on a network that
cannot look (Telegram) it waits for a person, who checks the channel and runs
``smm-tui post --retry POST_ID --force``.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import TextIO

from smm_tui.core.context import NotFound
from smm_tui.core.models import to_iso
from smm_tui.core.network import AdapterError
from smm_tui.core.planning import PostDraft, PostProblem
from smm_tui.core.posts import Delivery, DeliveryState, Post
from smm_tui.core.publisher import UNVERIFIABLE
from smm_tui.core.repository import Collection, RepositoryError
from smm_tui.core.sanitize import one_line
from smm_tui.core.when import parse_when
from smm_tui.core.wording import plural
from smm_tui.core.workspace import Workspace

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1
#: The shortest post id prefix ``post --retry`` accepts.
MIN_PREFIX = 6
#: How long ``post`` waits for another smm-tui that is sending the same delivery (seconds).
OTHER_SENDER_WAIT = 120.0
#: How often it looks while waiting (seconds).
OTHER_SENDER_LOOK = 0.25
#: How often ``poll`` looks again for posts whose send may have reached the network (seconds).
SETTLE_EVERY = 60.0


class PostCommandError(Exception):
    """A publishing command cannot go on; the message is one line for the user."""


# -- lines ------------------------------------------------------------------------


def delivery_line(delivery: Delivery, *, by_poll: bool = False) -> str:
    """Where a delivery stands, in one line: ``ok`` with its URL, ``wait``, or ``FAIL`` and why.

    ``by_poll`` words a delivery that ``poll`` just published (``published URL``).
    """
    who = one_line(delivery.account)
    post = f"post {delivery.post_id}"
    match delivery.state:
        case DeliveryState.PUBLISHED:
            where = one_line(delivery.url or delivery.external_id or "")
            return f"ok   {who}: {'published ' if by_poll else ''}{where}"
        case DeliveryState.SCHEDULED if delivery.error:
            return f"wait {who}: {post} {one_line(delivery.error)}; a poll publishes it then"
        case DeliveryState.SCHEDULED:
            return f"wait {who}: {post} is scheduled for {to_iso(delivery.scheduled_at)}"
        case DeliveryState.DRAFT:
            return f"wait {who}: {post} is a draft: schedule it in the app"
        case DeliveryState.PUBLISHING:
            return (
                f"FAIL {who}: {post} is being published by {one_line(delivery.claimed_by or '?')}; "
                "smm-tui posts shows how it ends"
            )
        case _:
            line = f"FAIL {who}: {post} not published: {one_line(delivery.error or 'not sent')}"
            if delivery.uncertain and UNVERIFIABLE in (delivery.error or ""):
                line += f" (once checked: smm-tui post --retry {delivery.post_id} --force)"
            return line


def when_text(moment: datetime, zone: tzinfo) -> str:
    """``moment`` as ISO 8601 in ``zone``, with its offset (``Z`` for UTC)."""
    local = moment.astimezone(zone).isoformat()
    return local.removesuffix("+00:00") + "Z" if local.endswith("+00:00") else local


# -- post ------------------------------------------------------------------------


async def publish_now(workspace: Workspace, draft: PostDraft, out: TextIO) -> int:
    """Store the post scheduled at now and send it to each account; a line per account.

    Every account is checked before anything is stored or sent
    (:class:`PostProblem`). Exit 1 unless every account published it.
    """
    await _check(workspace, draft)
    post = await workspace.planning.create(draft, workspace.ctx.clock())
    deliveries = workspace.planning.deliveries(post.id)
    settled = await asyncio.gather(*(_send(workspace, d) for d in deliveries))
    by_account = {d.account: d for d in settled}
    for account in post.accounts:
        print(delivery_line(by_account[account]), file=out)
    published = all(d.state is DeliveryState.PUBLISHED for d in settled)
    return EXIT_OK if published else EXIT_FAILED


async def schedule(workspace: Workspace, draft: PostDraft, when: str, out: TextIO) -> int:
    """Store the post scheduled for ``when`` (read in the team's time zone); print its id."""
    zone = workspace.settings.publishing.zone
    _when(when, workspace, zone)  # a mistake in it is said before any account is asked
    await _check(workspace, draft)
    # Read again after the accounts answered: "+2s" counts from when the post is stored.
    post = await workspace.planning.create(draft, _when(when, workspace, zone))
    at = post.scheduled_at
    assert at is not None
    print(f"scheduled {post.id} at {when_text(at, zone)}", file=out)
    return EXIT_OK


def _when(text: str, workspace: Workspace, zone: tzinfo) -> datetime:
    try:
        return parse_when(text, workspace.ctx.clock(), zone)
    except ValueError as exc:
        raise PostProblem(f"--at: {exc}") from None


async def retry_post(workspace: Workspace, post_id: str, out: TextIO, *, force: bool) -> int:
    """Send a post's failed (and held) deliveries again; a line per account.

    One that may already be out is looked for on the account first; ``force``
    sends it without looking, for a person who checked the channel.
    """
    post = find_post(workspace, post_id)
    held = [d.id for d in workspace.planning.deliveries(post.id) if d.held]
    if held:
        await workspace.planning.release(held)  # running --retry confirms a late post
    lines: list[str] = []
    failed = False
    for delivery in workspace.planning.deliveries(post.id):
        settled = delivery
        again = delivery.state is DeliveryState.FAILED or delivery.id in held
        if again and (force or not workspace.publisher.needs_force(delivery)):
            settled = await _send(workspace, delivery, force=force)
        lines.append(delivery_line(settled))
        failed = failed or settled.state in (DeliveryState.FAILED, DeliveryState.PUBLISHING)
    for line in lines:
        print(line, file=out)
    return EXIT_FAILED if failed else EXIT_OK


def find_post(workspace: Workspace, post_id: str) -> Post:
    """The post with this id, or the only one whose id starts with it."""
    with contextlib.suppress(NotFound):
        return workspace.planning.post(post_id)
    matches = []
    if len(post_id) >= MIN_PREFIX:
        matches = [
            str(record["id"])
            for record in workspace.repo.records(Collection.POSTS)
            if str(record["id"]).startswith(post_id)
        ]
    if not matches:
        raise PostCommandError(f"no post with id {post_id!r}")
    if len(matches) > 1:
        raise PostCommandError(f"{len(matches)} posts start with {post_id!r}; give more of it")
    return workspace.planning.post(matches[0])


async def _check(workspace: Workspace, draft: PostDraft) -> None:
    """Every account of ``draft`` checked, as its network counts, before anything is stored.

    Cheap problems first (an unknown account, an empty text); then each account
    is asked who it is, which teaches some adapters their limits (a Mastodon
    instance's own), and the lengths are checked against those.
    """
    if any(name not in workspace.sources for name in draft.accounts) or not draft.text.strip():
        workspace.planning.check(draft)
    await asyncio.gather(
        *(_learn_limits(workspace, name) for name in dict.fromkeys(draft.accounts))
    )
    workspace.planning.check(draft)


async def _learn_limits(workspace: Workspace, account: str) -> None:
    source = workspace.sources[account]
    # A failure here is not the post's: sending says it in the account's own line.
    with contextlib.suppress(AdapterError):
        await source.verify()


async def _send(workspace: Workspace, delivery: Delivery, *, force: bool = False) -> Delivery:
    """Send one delivery through the publisher; wait out another process that is sending it."""
    source = workspace.source_for(delivery.account)
    if source is None:
        return _not_configured(delivery)
    settled = await workspace.publisher.send(delivery.id, source, force=force)
    if settled.state is DeliveryState.PUBLISHING and settled.claimed_by != workspace.ctx.owner:
        return await _wait_for_other(workspace, delivery.id)
    return settled


def _not_configured(delivery: Delivery) -> Delivery:
    """The delivery as it stays: its account left the config (or lost its token)."""
    why = f"account {delivery.account!r} is not configured, or has no token"
    return dataclasses.replace(delivery, state=DeliveryState.FAILED, error=why)


async def _wait_for_other(workspace: Workspace, record_id: str) -> Delivery:
    """The delivery once the process sending it has settled it (or the wait is over)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + OTHER_SENDER_WAIT
    while True:
        await asyncio.wrap_future(workspace.repo.refresh())
        delivery = workspace.publisher.delivery(record_id)
        if delivery.state is not DeliveryState.PUBLISHING or loop.time() >= deadline:
            return delivery
        await asyncio.sleep(OTHER_SENDER_LOOK)


# -- poll --------------------------------------------------------------------------


async def publish_once(workspace: Workspace, out: TextIO) -> bool:
    """Publish what is due, and settle uncertain deliveries; a line each. True if one failed.

    Only for the process that holds the poller lease.
    """
    engine = workspace.publishing_engine()
    notice = await engine.start_notice()
    if notice:
        print(f"warn {one_line(notice)}", file=out)
    settled = [*await settle_uncertain(workspace), *await engine.publish_due()]
    lines = [delivery_line(d, by_poll=True) for d in _news(workspace, settled)]
    for line in lines:
        print(line, file=out)
    return any(line.startswith("FAIL") for line in lines)


async def read_numbers_once(workspace: Workspace, out: TextIO) -> None:
    """Read the follower counts and post counters that are due; a line each.

    A count that could not be read is a ``warn`` line: the poll itself went well.
    """
    report = await workspace.publishing_engine().read_numbers()
    for name in report.followers:
        reading = workspace.growth.latest(name)
        if reading is not None:
            print(f"ok   {one_line(name)}: {reading.followers} followers", file=out)
    if report.counters:
        print(f"ok   counters read for {plural(report.counters, 'post')}", file=out)
    for error in report.errors:
        print(f"warn {one_line(error)}", file=out)


async def publish_forever(workspace: Workspace, out: TextIO) -> None:
    """Publish on time and read the numbers until cancelled; a line per settled delivery."""

    def settled(delivery: Delivery) -> None:
        for line in (delivery_line(d, by_poll=True) for d in _news(workspace, [delivery])):
            print(line, file=out, flush=True)

    def notice(line: str) -> None:
        print(f"warn {one_line(line)}", file=out, flush=True)

    async def settle_now_and_then() -> None:
        while True:
            try:
                for delivery in await settle_uncertain(workspace):
                    settled(delivery)
            except RepositoryError as exc:
                log.warning("settling uncertain posts: %s", exc)
            await asyncio.sleep(SETTLE_EVERY)

    engine = workspace.publishing_engine()
    await asyncio.gather(settle_now_and_then(), engine.run(settled, notice))


async def settle_uncertain(workspace: Workspace) -> list[Delivery]:
    """Send again each failed delivery that may already be out, looking for it first.

    Found on the account, it is settled as published; not found, it is sent.
    One on a network that cannot look waits for a person (``--retry --force``).
    """
    settled = []
    for delivery in workspace.planning.deliveries():
        if (
            delivery.state is DeliveryState.FAILED
            and delivery.uncertain
            and not workspace.publisher.needs_force(delivery)
            and delivery.account in workspace.sources
        ):
            source = workspace.sources[delivery.account]
            settled.append(await workspace.publisher.send(delivery.id, source))
    return settled


def _news(workspace: Workspace, deliveries: Iterable[Delivery]) -> list[Delivery]:
    """The deliveries this process settled (one another process holds is its to tell)."""
    return [
        d
        for d in deliveries
        if not (d.state is DeliveryState.PUBLISHING and d.claimed_by != workspace.ctx.owner)
    ]
