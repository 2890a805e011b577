"""``smm-tui incident``: list, show, open, drop, reply to and resolve incidents from scripts.

``reply`` records a reply to every member first (all at once, durably), then sends
them paced under each network's limits, a line per reply on stderr, and exits 0 once
every one is settled. Killed halfway, the same command without a reply resumes: what
was recorded is sent, what was sent is not sent again. Bad input is one line on
stderr, exit 2, and nothing stored. A reply, or ``resolve``'s follow-up, goes out
publicly to every member only with ``--yes`` or a "y" typed at a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from smm_tui import headless
from smm_tui.cli.args import Args
from smm_tui.commands.errors import EXIT_FAILED, EXIT_USAGE, UserError, warn
from smm_tui.commands.reading import parse_query, reading, selected, write_out
from smm_tui.commands.setup import run_on_existing
from smm_tui.config import Config
from smm_tui.core.context import NotFound
from smm_tui.core.incident_sender import SendEvent, SendReport
from smm_tui.core.incidents import Incident, IncidentError, IncidentProgress
from smm_tui.core.models import Mention, ReplyState
from smm_tui.core.query import Query
from smm_tui.core.records import write_records
from smm_tui.core.sanitize import one_line
from smm_tui.core.workspace import Workspace

#: ``incident list``'s fields, in order.
INCIDENT_FIELDS = (
    "id",
    "title",
    "state",
    "paused",
    "created_at",
    "created_by",
    "ticket",
    "members",
    "networks",
    "sent",
    "queued",
    "sending",
    "failed",
    "unanswered",
    "skipped",
    "dropped",
)

Job = Callable[[Workspace, list[str]], Awaitable[int]]


def run(
    args: Args, config: Config, data_dir: Path, env: Mapping[str, str], *, elsewhere: str
) -> int:
    """Run the ``incident`` command ``args`` names."""
    match args.command:
        case "incident list":
            return _list(data_dir, config, args.fmt, args.output, elsewhere)
        case "incident show":
            with reading(data_dir, config, "no incidents", elsewhere) as workspace:
                return _show(workspace, args.incident_id)
        case "incident open":
            query = parse_query(args.query)
            job = _opener(args.query, query, args.title, args.seeds)
            return run_on_existing(
                config, data_dir, env, job, elsewhere=elsewhere, missing="no incidents"
            )
        case "incident drop":
            return run_on_existing(
                config, data_dir, env, _dropper(args), elsewhere=elsewhere, missing="no incidents"
            )
        case "incident reply":
            template = _template(args, "--text", "--saved")
            job = _replier(args.incident_id, args.saved, template, yes=args.yes)
            return run_on_existing(
                config,
                data_dir,
                env,
                job,
                elsewhere=elsewhere,
                accounts=True,
                missing="no incidents",
            )
        case "incident resolve":
            template = _template(args, "--follow-up", "--follow-up-saved")
            job = _resolver(args.incident_id, args.saved, template, yes=args.yes)
            wanted = args.saved is not None or template is not None
            return run_on_existing(
                config,
                data_dir,
                env,
                job,
                elsewhere=elsewhere,
                accounts=wanted,
                missing="no incidents",
            )
    raise AssertionError(f"no incident command {args.command!r}")


# -- reading --------------------------------------------------------------------------


def _list(data_dir: Path, config: Config, fmt: str, output: str | None, elsewhere: str) -> int:
    with reading(data_dir, config, "nothing to list", elsewhere) as workspace:
        incidents = workspace.incidents
        records = [_record(i, incidents.progress(i.id)) for i in incidents.all()]
    return write_out(
        output, "incident", lambda out: write_records(records, INCIDENT_FIELDS, fmt, out)
    )


def _record(incident: Incident, progress: IncidentProgress) -> dict[str, object]:
    return {
        "id": incident.id,
        "title": incident.title,
        "state": incident.state.value,
        "paused": incident.paused,
        "created_at": incident.created_at.isoformat(),
        "created_by": incident.created_by,
        "ticket": incident.ticket_id or "",
        "members": progress.total,
        "networks": _networks(progress.by_network),
        "sent": progress.sent,
        "queued": progress.queued,
        "sending": progress.sending,
        "failed": progress.failed,
        "unanswered": progress.unanswered,
        "skipped": progress.skipped,
        "dropped": len(incident.dropped),
    }


def _networks(by_network: Mapping[str, int]) -> str:
    """``vk 60, x 58``: members per network, most first."""
    ranked = sorted(by_network.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{name} {count}" for name, count in ranked)


def _show(workspace: Workspace, incident_id: str) -> int:
    incident = _find(workspace, incident_id)
    progress = workspace.incidents.progress(incident.id)
    paused = ", paused" if incident.paused else ""
    lines = [
        f"{incident.id}  {incident.state.value}{paused}  {incident.title}",
        f"members: {progress.total} ({_networks(progress.by_network) or 'none'})",
        _progress_line(progress),
        f"reply: {incident.reply_text or '(none yet)'}",
    ]
    if incident.follow_up_text:
        lines.append(f"follow-up: {incident.follow_up_text}")
    if incident.ticket_id:
        lines.append(f"ticket: {incident.ticket_id}")
    for mention_id, reason in workspace.incidents.skipped(incident.id).items():
        lines.append(f"left out {mention_id}: {reason}")
    for line in lines:
        print(one_line(line))
    return 0


def _progress_line(progress: IncidentProgress) -> str:
    return (
        f"replies: {progress.sent} sent, {progress.queued + progress.sending} on their way, "
        f"{progress.failed} failed, {progress.unanswered} unanswered, {progress.skipped} left out"
    )


# -- changing ---------------------------------------------------------------------------


def _opener(text: str, query: Query, title: str, seeds: tuple[str, ...]) -> Job:
    async def job(workspace: Workspace, _left_out: list[str]) -> int:
        candidates = [Mention.from_record(r) for r in selected(workspace, query)]
        chosen = [_mention_id(workspace, seed) for seed in seeds]
        if chosen:
            members = workspace.incidents.gather(chosen, candidates)
        else:
            members = workspace.incidents.largest_group(candidates)
        if not members:
            raise UserError(
                f"no near-duplicate complaints among the {len(candidates)} mentions the query "
                "selects; give --seed MENTION_ID to start from one"
            )
        try:
            incident = await workspace.incidents.open(title, members, query=text)
        except IncidentError as exc:
            raise UserError(str(exc)) from None
        progress = workspace.incidents.progress(incident.id)
        print(
            one_line(f"{incident.id}: {progress.total} mentions ({_networks(progress.by_network)})")
        )
        _say_held(incident, members)
        return 0

    return job


def _say_held(incident: Incident, asked: list[str]) -> None:
    """Name on stderr the mentions left out because another open incident has them."""
    held = [m for m in asked if m not in incident.members and m in incident.left_out]
    if held:
        others = sorted({incident.left_out[m] for m in held})
        print(
            one_line(f"{incident.id}: {len(held)} mentions left out: {'; '.join(others)}"),
            file=sys.stderr,
        )


def _dropper(args: Args) -> Job:
    async def job(workspace: Workspace, _left_out: list[str]) -> int:
        incident = _find(workspace, args.incident_id)
        ids = [_mention_id(workspace, given) for given in args.mention_ids]
        strangers = [m for m in ids if m not in incident.members]
        if strangers:
            raise UserError(f"{incident.id} has no member {strangers[0]}", EXIT_USAGE)
        incident = await workspace.incidents.drop(incident.id, ids)
        print(one_line(f"{incident.id}: {len(incident.members)} mentions left"))
        return 0

    return job


def _resolver(incident_id: str, saved: str | None, template: str | None, *, yes: bool) -> Job:
    async def job(workspace: Workspace, left_out: list[str]) -> int:
        incident, text = _asked(workspace, incident_id, saved, template, yes, "follow-ups")
        incident = await workspace.incidents.resolve(incident.id)
        print(one_line(f"{incident.id}: resolved"))
        if text is None:
            return 0
        warn(left_out)
        await _queue(workspace, incident, text, follow_up=True)
        return await _send(workspace, incident.id)

    return job


def _replier(incident_id: str, saved: str | None, template: str | None, *, yes: bool) -> Job:
    async def job(workspace: Workspace, left_out: list[str]) -> int:
        incident, text = _asked(workspace, incident_id, saved, template, yes, "replies")
        warn(left_out)
        if incident.paused:
            raise UserError(f"{incident.id} is paused: resume it (in the app) to send")
        if text is not None:
            await _queue(workspace, incident, text, follow_up=False)
        return await _send(workspace, incident.id)

    return job


def _asked(
    workspace: Workspace,
    incident_id: str,
    saved: str | None,
    template: str | None,
    yes: bool,
    what: str,
) -> tuple[Incident, str | None]:
    """The incident and the text asked for (None: none given), checked, and confirmed
    unless ``yes``: it goes out publicly to every member."""
    incident = _find(workspace, incident_id)
    text = _chosen_text(workspace, saved, template)
    if text is not None:
        _check_template(workspace, incident, text)
        if not yes:
            _confirm(workspace, incident, text, what)
    return incident, text


def _check_template(workspace: Workspace, incident: Incident, text: str) -> None:
    lines = workspace.incidents.preview(incident.id, text)
    if not any(line.text for line in lines):
        problem = next((line.problem for line in lines if line.problem), "no member can get it")
        raise UserError(f"the reply cannot go to any member: {problem}", EXIT_USAGE)


def _confirm(workspace: Workspace, incident: Incident, text: str, what: str) -> None:
    """Go on only with a "y" typed at a terminal: the text goes out publicly to every member."""
    fillable = sum(1 for line in workspace.incidents.preview(incident.id, text) if line.text)
    if not sys.stdin.isatty():
        raise UserError(f"this sends {fillable} {what}: add --yes to send them", EXIT_USAGE)
    answer = input(f"Send {fillable} {what} for {incident.id}? [y/N] ")
    if answer.strip().casefold() not in ("y", "yes"):
        raise UserError("nothing sent", EXIT_USAGE)


async def _queue(workspace: Workspace, incident: Incident, text: str, *, follow_up: bool) -> None:
    try:
        result = await workspace.incidents.queue_replies(incident.id, text, follow_up=follow_up)
    except IncidentError as exc:
        raise UserError(f"{incident.id}: {exc}", EXIT_USAGE) from None
    what = "follow-ups" if follow_up else "replies"
    print(
        one_line(
            f"{incident.id}: {len(result.queued)} {what} recorded, {len(result.already)} recorded "
            f"before, {len(result.skipped)} left out"
        ),
        file=sys.stderr,
    )


async def _send(workspace: Workspace, incident_id: str) -> int:
    """Send the incident's replies paced, a line per reply on stderr; 0 once all are settled."""
    sender = workspace.incident_sender()
    report = await sender.send_all(_say, incident_id=incident_id, retry_failed=True)
    progress = workspace.incidents.progress(incident_id)
    print(one_line(f"{incident_id}: {_progress_line(progress)}"))
    return _outcome(incident_id, report)


def _say(event: SendEvent) -> None:
    reply, progress = event.reply, event.progress
    head = f"{progress.sent}/{progress.total} {reply.account} {reply.mention_id}"
    if reply.state is ReplyState.SENT:
        line = f"sent {head}"
    elif reply.retry_at is not None:
        line = f"wait {head}: rate limited until {reply.retry_at:%H:%M:%S} UTC"
    else:
        line = f"FAIL {head}: {reply.error or reply.state.value}"
    print(one_line(line), file=sys.stderr, flush=True)


def _outcome(incident_id: str, report: SendReport) -> int:
    problems: list[str] = []
    if report.failed:
        problems.append(f"{len(report.failed)} failed (run this again to retry them)")
    if report.no_account:
        problems.append(f"no adapter for {', '.join(sorted(report.no_account))}")
    if report.elsewhere:
        problems.append(f"{report.elsewhere} being sent by another smm-tui")
    if not problems:
        return 0
    print(one_line(f"smm-tui: {incident_id}: {'; '.join(problems)}"), file=sys.stderr)
    return EXIT_FAILED


# -- shared -----------------------------------------------------------------------------


def _template(args: Args, text_option: str, saved_option: str) -> str | None:
    if args.saved is not None and args.template is not None:
        raise UserError(f"give {text_option} or {saved_option}, not both", EXIT_USAGE)
    if args.template is not None and not args.template.strip():
        raise UserError(f"{text_option} is empty", EXIT_USAGE)
    return args.template


def _chosen_text(workspace: Workspace, saved: str | None, template: str | None) -> str | None:
    if saved is None:
        return template
    reply = workspace.saved_replies.named(saved)
    if reply is None:
        names = ", ".join(r.name for r in workspace.saved_replies.all()) or "none"
        raise UserError(f"no saved reply {saved!r} (saved replies: {names})", EXIT_USAGE)
    return reply.body


def _find(workspace: Workspace, incident_id: str) -> Incident:
    try:
        return workspace.incidents.get(incident_id)
    except NotFound:
        raise UserError(f"no incident {one_line(incident_id)!r}", EXIT_USAGE) from None


def _mention_id(workspace: Workspace, given: str) -> str:
    try:
        return headless.find_mention(workspace, given).id
    except headless.CommandError as exc:
        raise UserError(str(exc), EXIT_USAGE) from None
