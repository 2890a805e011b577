"""Headless commands for cron, scripts and servers: ``poll --once``, ``reply`` and ``doctor``.

Each prints one line per account or finding to ``out`` and returns the exit
status. Nothing here draws a screen; every network call goes through the
same services and outbox as the app, so a reply sent from a script is recorded
before it is sent and never published twice. Publishing (``post``, and what
``poll`` publishes) is in :mod:`smm_tui.headless_posts`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import stat
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from smm_tui import headless_posts
from smm_tui.core.alert_watch import CHECK_EVERY
from smm_tui.core.alerts import alert_line
from smm_tui.core.casework import CaseReport, review_news
from smm_tui.core.context import NotFound
from smm_tui.core.handoffs import Handoff, HandoffState
from smm_tui.core.incident_sender import SendEvent
from smm_tui.core.models import Mention, Reply, ReplyState, TicketColumn
from smm_tui.core.network import AdapterError
from smm_tui.core.outbox import AlreadySending
from smm_tui.core.polling import AccountHealth
from smm_tui.core.repository import Collection, RepositoryError
from smm_tui.core.sanitize import one_line
from smm_tui.core.sources import AccountSource
from smm_tui.core.wording import plural
from smm_tui.core.workspace import Workspace
from smm_tui.hangup import ignore_signals

EXIT_OK = 0
EXIT_FAILED = 1
#: The shortest mention id prefix ``reply`` accepts.
MIN_PREFIX = 6


class CommandError(Exception):
    """A headless command cannot go on; the message is one line for the user."""


# -- poll --------------------------------------------------------------------------


#: How often ``poll`` checks whether the process polling the data dir has gone.
LEASE_RETRY_SECONDS = 5.0


async def poll_once(workspace: Workspace, left_out: Iterable[str], out: TextIO) -> int:
    """Publish what is due, fetch every account once, read the growth numbers that are due,
    then do the tickets' work (handoffs due, reviews changed); a line per account, per
    delivery and handoff settled, and per review changed.

    If another smm-tui polls this data dir, nothing is done (it does all this already).
    """
    if not workspace.poller.try_acquire():
        holder = workspace.poller.holder() or "another smm-tui"
        print(f"ok   {one_line(holder)} polls this data dir; nothing fetched", file=out)
        return EXIT_OK
    failed = False
    for line in left_out:
        print(f"FAIL {one_line(line)}", file=out)
        failed = True
    # Posts first: their time has come, and fetching a backlog may take a while.
    failed = await headless_posts.publish_once(workspace, out) or failed
    outcomes = await workspace.polling_engine().poll_once()
    for outcome in outcomes:
        if outcome.error:
            print(f"FAIL {outcome.account}: {one_line(outcome.error)}", file=out)
            failed = True
        else:
            print(
                f"ok   {outcome.account}: fetched {outcome.fetched}, new {outcome.stored}",
                file=out,
            )
    await headless_posts.read_numbers_once(workspace, out)
    settled = await workspace.casework().pass_once(reviews=True)
    for line in case_lines(workspace, settled):
        print(line, file=out)
        failed = failed or line.startswith("FAIL")
    return EXIT_FAILED if failed else EXIT_OK


def case_lines(workspace: Workspace, report: CaseReport) -> list[str]:
    """A line per handoff a pass settled, per review it saw change, and per account whose
    reviews could not be checked (``warn``)."""
    lines = [_handoff_line(handoff) for handoff in report.handoffs]
    reviews = report.reviews
    if reviews is None:
        return [line for line in lines if line]
    lines += [f"ok   {one_line(line)}" for line in review_news(workspace.ctx, report)]
    lines += [f"warn {one_line(error)}" for error in reviews.errors]
    return [line for line in lines if line]


def _handoff_line(handoff: Handoff) -> str:
    """``ok   T-…: handed to Cards (HTTP 200)``, or ``FAIL`` and why; "" while it is out."""
    if handoff.state is HandoffState.SENT:
        detail = f"handed to {handoff.department} ({handoff.receipt or 'sent'})"
        return f"ok   {one_line(f'{handoff.ref}: {detail}')}"
    if handoff.state is HandoffState.FAILED:
        detail = f"handoff to {handoff.department} failed: {handoff.error or 'unknown error'}"
        return f"FAIL {one_line(f'{handoff.ref}: {detail}')}"
    return ""


async def poll_forever(workspace: Workspace, left_out: Iterable[str], out: TextIO) -> int:
    """Poll every account, publish on time and do the tickets' work until SIGTERM or SIGINT;
    a line whenever an account's state changes, a delivery or handoff is settled, or a
    review changes.

    Waits while another smm-tui polls this data dir, and takes over when it stops.
    A signal abandons the requests in flight (the outbox makes a resend safe) and
    returns 0, so that the caller closes the store and frees the poller lock.
    """
    for line in left_out:
        print(f"FAIL {one_line(line)}", file=out, flush=True)
    await until_signalled(_poll_all(workspace, out), (signal.SIGTERM, signal.SIGINT))
    print("stopped", file=out, flush=True)
    return EXIT_OK


async def until_signalled(
    work: Coroutine[object, object, object], signals: Iterable[signal.Signals]
) -> None:
    """Run ``work`` until it ends or one of ``signals`` arrives.

    Afterwards the signals are ignored, so that a second one cannot interrupt the
    clean-up that follows, such as committing the store's last writes.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(work)
    caught: list[signal.Signals] = []
    wanted = list(signals)

    def stop(sig: signal.Signals) -> None:
        caught.append(sig)
        task.cancel()

    for sig in wanted:
        loop.add_signal_handler(sig, stop, sig)
    try:
        await task
    except asyncio.CancelledError:
        if not caught:
            raise
    finally:
        for sig in wanted:
            loop.remove_signal_handler(sig)
        ignore_signals(wanted)


async def _poll_all(workspace: Workspace, out: TextIO) -> None:
    await _wait_for_lease(workspace, out)
    engine = workspace.polling_engine()
    last: dict[str, tuple[object, str | None]] = {}

    def report(health: AccountHealth) -> None:
        key = (health.state, health.message)
        if last.get(health.account) != key:
            last[health.account] = key
            detail = health.message or f"fetched {health.last_fetched}"
            line = f"{health.state.value:<12} {one_line(f'{health.account}: {detail}')}"
            print(line, file=out, flush=True)

    def settled(case: CaseReport) -> None:
        for line in case_lines(workspace, case):
            print(line, file=out, flush=True)

    def replied(event: SendEvent) -> None:
        print(incident_reply_line(event), file=out, flush=True)

    def stuck(account: str, error: BaseException) -> None:
        line = f"{account}: incident replies stopped: {type(error).__name__}: {error}"
        print(f"FAIL {one_line(line)}", file=out, flush=True)

    await asyncio.gather(
        *(engine.run_account(source, report) for source in workspace.sources.values()),
        headless_posts.publish_forever(workspace, out),
        workspace.casework().run(settled),
        workspace.incident_sender().run(replied, stuck),
        watch_spikes(workspace, out),
    )


async def watch_spikes(workspace: Workspace, out: TextIO) -> None:
    """Raise spike alerts as the app's poller does: warm from the store, then count what
    each commit inserts and check every minute; a line per alert stored."""
    watch = workspace.alert_watch()
    workspace.repo.subscribe(watch.arrived)  # from the writer thread: it only queues ids
    while not watch.warmed:
        try:
            await asyncio.to_thread(watch.warm)
        except RepositoryError as exc:  # the store could not be read: try again later
            print(f"FAIL spike watch: {one_line(str(exc))}", file=out, flush=True)
            await asyncio.sleep(CHECK_EVERY)
    while True:
        try:
            for alert in await asyncio.to_thread(watch.check):
                print(f"alert {one_line(alert_line(alert))}", file=out, flush=True)
        except RepositoryError as exc:
            print(f"FAIL spike watch: {one_line(str(exc))}", file=out, flush=True)
        await asyncio.sleep(CHECK_EVERY)


def incident_reply_line(event: SendEvent) -> str:
    """``ok   I-2026-0001: reply 12/300 sent to @anna`` (or FAIL and why, or wait)."""
    reply, progress = event.reply, event.progress
    where = f"{event.incident_id}: {progress.sent}/{progress.total} sent"
    if reply.state is ReplyState.SENT:
        return f"ok   {one_line(f'{where}; {reply.url or reply.external_id}')}"
    if reply.retry_at is not None:
        return f"wait {one_line(f'{where}; rate limited until {reply.retry_at:%H:%M:%S} UTC')}"
    return f"FAIL {one_line(f'{where}; {reply.error or reply.state.value}')}"


async def _wait_for_lease(workspace: Workspace, out: TextIO) -> None:
    said = False
    while not workspace.poller.try_acquire():
        if not said:
            holder = workspace.poller.holder() or "another smm-tui"
            print(one_line(f"waiting: {holder} polls this data dir"), file=out, flush=True)
            said = True
        await asyncio.sleep(LEASE_RETRY_SECONDS)


# -- reply -------------------------------------------------------------------------


def find_mention(workspace: Workspace, mention_id: str) -> Mention:
    """The mention with this id, or the only one whose id starts with it."""
    try:
        return workspace.ctx.mention(mention_id)
    except NotFound:
        pass
    if len(mention_id) < MIN_PREFIX:
        raise CommandError(f"no mention with id {mention_id!r}")
    matches = [
        record["id"]
        for record in workspace.repo.records(Collection.MENTIONS)
        if str(record["id"]).startswith(mention_id)
    ]
    if not matches:
        raise CommandError(f"no mention with id {mention_id!r}")
    if len(matches) > 1:
        raise CommandError(f"{len(matches)} mentions start with {mention_id!r}; give more of it")
    return workspace.ctx.mention(matches[0])


async def send_reply(
    workspace: Workspace,
    mention_id: str,
    text: str,
    out: TextIO,
    *,
    force: bool = False,
    ticket_id: str | None = None,
) -> int:
    """Record a reply, send it and print its URL.

    Running the same command again after a failure retries the recorded reply
    (checking the thread first if it may have gone out) rather than adding a second.
    ``ticket_id`` makes it that ticket's public follow-up (sent: it awaits the customer).
    """
    mention = find_mention(workspace, mention_id)
    source = workspace.source_for(mention.account)
    if source is None:
        raise CommandError(f"account {mention.account!r} is not configured, or has no token")
    text = text.strip()
    if not text:
        raise CommandError("the reply text is empty")
    try:
        await source.verify()  # checks the token first, and learns limits some networks set
    except AdapterError as exc:
        raise CommandError(one_line(str(exc))) from None
    length = source.reply_length(text)
    if length > source.reply_limit:
        raise CommandError(
            f"the reply is {length} characters as {mention.platform.value} counts them; "
            f"the limit is {source.reply_limit}"
        )
    done = _same_reply(workspace, mention.id, text, sent=True, ticket_id=ticket_id)
    if done is not None and not _reopened(workspace, ticket_id):
        # Scripts re-run commands: the same reply to the same mention goes out once.
        print(one_line(done.url or done.external_id or ""), file=out)
        return EXIT_OK
    reply = _same_reply(workspace, mention.id, text, sent=False, ticket_id=ticket_id)
    try:
        reply = reply or await workspace.outbox.queue(mention.id, text, ticket_id=ticket_id)
    except AlreadySending as exc:
        raise CommandError(f"{exc} Run this again once it is sent or has failed.") from None
    settled = await workspace.outbox.send(reply.id, source, force=force)
    if settled.state is ReplyState.SENT:
        print(one_line(settled.url or settled.external_id or ""), file=out)
        return EXIT_OK
    if settled.state is ReplyState.SENDING:
        raise CommandError(f"reply {settled.id} is being sent by {settled.claimed_by}")
    raise CommandError(one_line(f"reply {settled.id} not sent: {settled.error}"))


def _same_reply(
    workspace: Workspace, mention_id: str, text: str, *, sent: bool, ticket_id: str | None
) -> Reply | None:
    """A reply with this text to this mention (the same ticket's follow-up, or a plain
    reply), already sent (or not yet, when ``sent`` is False); the newest."""
    for reply in reversed(workspace.outbox.replies_to(mention_id)):
        same = reply.text == text and reply.ticket_id == ticket_id
        if same and (reply.state is ReplyState.SENT) == sent:
            return reply
    return None


def _reopened(workspace: Workspace, ticket_id: str | None) -> bool:
    """Whether the ticket was reopened since its follow-up: a new follow-up is wanted."""
    if ticket_id is None:
        return False
    column = workspace.tickets.get(ticket_id).column
    return column not in (TicketColumn.AWAITING, TicketColumn.RESOLVED)


# -- doctor ------------------------------------------------------------------------


NO_ACCOUNTS = "config: no [[accounts]], so nothing is polled (poll and reply refuse to run)"
NO_DATA_DIR = "no data dir yet (the app, poll or import creates it)"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of ``doctor``: ``ok``, ``warn`` or ``FAIL``, and what it found."""

    level: str
    text: str

    def __str__(self) -> str:
        return f"{self.level:<4} {one_line(self.text)}"


async def doctor(
    sources: Mapping[str, AccountSource],
    workspace: Workspace | None,
    *,
    config_line: str,
    config_problems: Iterable[str] = (),
    left_out: Iterable[str],
    data_dir: Path,
    store_warnings: Iterable[str],
    out: TextIO,
) -> int:
    """Check the config, tokens, connectivity and the store; one line per finding.

    ``config_problems`` are what would stop the app at start (each a FAIL line).
    ``workspace`` is None when ``data_dir`` does not exist: doctor never creates it.
    """
    left_out = list(left_out)
    findings = [Finding("ok", config_line)]
    findings += [Finding("FAIL", line) for line in config_problems]
    if not sources and not left_out:
        findings.append(Finding("warn", NO_ACCOUNTS))
    findings += [Finding("FAIL", line) for line in left_out]
    findings += [await _check_account(name, source) for name, source in sources.items()]
    if workspace is None:
        findings.append(Finding("warn", f"store {data_dir}: {NO_DATA_DIR}"))
    else:
        findings += _check_store(workspace, data_dir, store_warnings)
        findings += _check_outbox(workspace)
    for finding in findings:
        print(finding, file=out)
    return EXIT_FAILED if any(f.level == "FAIL" for f in findings) else EXIT_OK


async def _check_account(name: str, source: AccountSource) -> Finding:
    try:
        identity = await source.verify()
    except AdapterError as exc:
        return Finding("FAIL", " ".join(str(exc).split()))
    who = identity.handle or identity.user_id
    named = f" ({identity.display_name})" if identity.display_name else ""
    return Finding("ok", f"{name}: {source.platform.value} connected as {who}{named}")


def _check_store(
    workspace: Workspace, data_dir: Path, store_warnings: Iterable[str]
) -> list[Finding]:
    counts = {c: workspace.repo.count(c) for c in (Collection.MENTIONS, Collection.REPLIES)}
    findings = [
        Finding(
            "ok",
            f"store {data_dir}: readable, {plural(counts[Collection.MENTIONS], 'mention')}, "
            f"{plural(counts[Collection.REPLIES], 'reply')}",
        )
    ]
    findings += [Finding("warn", f"store: {line}") for line in store_warnings]
    for quarantined in sorted(data_dir.rglob("*.corrupt-*")):
        findings.append(
            Finding(
                "warn",
                f"store: {quarantined} could not be read and was set aside; "
                "inspect it, then delete it",
            )
        )
    findings += _check_modes(data_dir)
    return findings


def _check_modes(data_dir: Path) -> list[Finding]:
    loose = [
        path
        for path in [data_dir, *data_dir.rglob("*")]
        if stat.S_IMODE(os.stat(path).st_mode) & 0o077
    ]
    if not loose:
        return []
    return [
        Finding(
            "warn",
            f"store: {len(loose)} files are readable by others (first: {loose[0]}); "
            "run chmod -R go-rwx on the data dir",
        )
    ]


def _check_outbox(workspace: Workspace) -> list[Finding]:
    unfinished = workspace.outbox.unfinished()
    if not unfinished:
        return [Finding("ok", "outbox: every reply is sent")]
    failed = [r for r in unfinished if r.state is ReplyState.FAILED]
    uncertain = [r for r in failed if r.uncertain]
    waiting = len(unfinished) - len(failed)
    return [
        Finding(
            "warn",
            f"outbox: {len(unfinished)} replies not sent ({len(failed)} failed, "
            f"{len(uncertain)} of them possibly published, {waiting} waiting); "
            "retry with R in the app",
        )
    ]
