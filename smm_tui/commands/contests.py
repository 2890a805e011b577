"""``smm-tui contest``: audited contests from scripts, from rules to a verified draw.

``create`` starts one on a post, ``rules`` gives or shows its rules file,
``commit`` posts the draw commitment on the contest post (before entries close),
``close`` asks the networks about the entrants and freezes the valid entries,
``draw`` draws on the committed drand round once it is out (waiting, never
re-rolling), ``proof`` writes the proof file, ``announce`` posts the winners, and
``export`` lists every comment with its status and reason. ``verify`` (in
:mod:`smm_tui.commands.contest_verify`) needs none of this: no data dir, no network.

Anything public (the commitment, the announcement) goes out only with ``--yes``
or a "y" typed at a terminal. Bad input is one line on stderr, exit 2; a draw
that must wait says why and exits 1.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from smm_tui.cli.args import Args
from smm_tui.commands.errors import EXIT_FAILED, EXIT_USAGE, UserError, warn
from smm_tui.commands.reading import reading, write_out
from smm_tui.commands.setup import run_on_accounts, run_on_existing
from smm_tui.config import Config
from smm_tui.core.campaigns import CampaignError, find_contest
from smm_tui.core.contest_export import EXPORT_FIELDS, export_rows, step_of
from smm_tui.core.contest_proof import proof_json
from smm_tui.core.contest_run import DrawWaits, checked_rules
from smm_tui.core.contest_wording import announcement_text
from smm_tui.core.contests import ContestError
from smm_tui.core.context import NotFound
from smm_tui.core.models import Contest, Reply, ReplyState
from smm_tui.core.records import write_records
from smm_tui.core.sanitize import one_line
from smm_tui.core.when import parse_duration
from smm_tui.core.wording import plural
from smm_tui.core.workspace import Workspace

Job = Callable[[Workspace, list[str]], Awaitable[int]]

#: ``contest list``'s fields, in order.
LIST_FIELDS = ("id", "name", "network", "account", "post", "step", "entries", "winners")


def run(
    args: Args, config: Config, data_dir: Path, env: Mapping[str, str], *, elsewhere: str
) -> int:
    """Run the ``contest`` command ``args`` names."""
    where = (config, data_dir, env)
    match args.command:
        case "contest list":
            return _list(data_dir, config, args.fmt, args.output, elsewhere)
        case "contest export":
            return _export(data_dir, config, args, elsewhere)
        case "contest proof":
            return _proof(data_dir, config, args, elsewhere)
        case "contest create":
            # The first thing a team may do: the data dir is made if need be.
            return run_on_accounts(config, data_dir, env, _creator(args, config), long_poll=False)
        case "contest rules":
            if not args.file:
                return _show_rules(data_dir, config, args.contest, elsewhere)
            return _on(where, _ruler(args.contest, Path(args.file)), elsewhere)
        case "contest commit":
            try:
                within = parse_duration(args.freeze_within)
            except ValueError as exc:
                raise UserError(f"--freeze-within: {exc}", EXIT_USAGE) from None
            job = _committer(args.contest, within, yes=args.yes)
            return _on(where, job, elsewhere, accounts=True)
        case "contest close":
            return _on(where, _closer(args.contest), elsewhere, accounts=True)
        case "contest draw":
            job = _drawer(args.contest, unverifiable=args.unverifiable, yes=args.yes)
            return _on(where, job, elsewhere)
        case "contest announce":
            job = _announcer(args.contest, args.saved, yes=args.yes)
            return _on(where, job, elsewhere, accounts=True)
    raise AssertionError(f"no contest command {args.command!r}")


def _on(
    where: tuple[Config, Path, Mapping[str, str]],
    job: Job,
    elsewhere: str,
    *,
    accounts: bool = False,
) -> int:
    config, data_dir, env = where
    return run_on_existing(
        config, data_dir, env, job, elsewhere=elsewhere, accounts=accounts, missing="no contests"
    )


# -- reading --------------------------------------------------------------------------


def find(workspace: Workspace, given: str) -> Contest:
    """The contest with that id, or that name (see :func:`find_contest`); a one-line
    UserError otherwise."""
    try:
        return find_contest(workspace.contests.all(), given)
    except (NotFound, CampaignError) as exc:
        raise UserError(str(exc), EXIT_USAGE) from None


def _list(data_dir: Path, config: Config, fmt: str, output: str | None, elsewhere: str) -> int:
    with reading(data_dir, config, "nothing to list", elsewhere) as workspace:
        records = [_list_record(workspace, c) for c in workspace.contests.all()]
    return write_out(output, "contest", lambda out: write_records(records, LIST_FIELDS, fmt, out))


def _list_record(workspace: Workspace, contest: Contest) -> dict[str, object]:
    audited = workspace.audited
    return {
        "id": contest.id,
        "name": contest.name,
        "network": contest.platform.value,
        "account": contest.account,
        "post": contest.post_external_id,
        "step": step_of(contest),
        "entries": len(contest.frozen)
        if contest.frozen_at
        else len(workspace.contests.entries(contest.id)),
        "winners": " ".join(audited.winner_handles(contest)),
    }


def _show_rules(data_dir: Path, config: Config, given: str, elsewhere: str) -> int:
    with reading(data_dir, config, "no rules to show", elsewhere) as workspace:
        contest = find(workspace, given)
        if not contest.rules_toml:
            raise UserError(f"contest {contest.name!r} has no rules file", EXIT_FAILED)
        sys.stdout.write(contest.rules_toml)
    return 0


def _export(data_dir: Path, config: Config, args: Args, elsewhere: str) -> int:
    with reading(data_dir, config, "nothing to export", elsewhere) as workspace:
        contest = find(workspace, args.contest)
        try:
            rows = export_rows(workspace.audited, contest)
        except ContestError as exc:
            raise UserError(str(exc), EXIT_USAGE) from None
    return write_out(
        args.output, "entry", lambda out: write_records(rows, EXPORT_FIELDS, args.fmt, out)
    )


def _proof(data_dir: Path, config: Config, args: Args, elsewhere: str) -> int:
    with reading(data_dir, config, "no proof to write", elsewhere) as workspace:
        contest = find(workspace, args.contest)
        try:
            proof = workspace.audited.proof(contest.id)
        except ContestError as exc:
            raise UserError(str(exc), EXIT_FAILED) from None
    text = proof_json(proof)

    def write(out: TextIO) -> int:
        out.write(text)
        return 1

    return write_out(args.output, "proof", write)


# -- changing ---------------------------------------------------------------------------


def _creator(args: Args, config: Config) -> Job:
    async def job(workspace: Workspace, _left_out: list[str]) -> int:
        platforms = {account.name: account.platform for account in config.accounts}
        account = args.account or ""
        platform = platforms.get(account)
        if platform is None:
            raise UserError(f"no account {args.account!r} in the config", EXIT_USAGE)
        rules_text = _read_rules(Path(args.file)) if args.file else None
        if rules_text is not None:  # checked before anything is made
            try:
                checked_rules(rules_text, platform, args.post.strip())
            except ContestError as exc:
                raise UserError(f"{args.file}: {exc}", EXIT_USAGE) from None
        try:
            contest = await workspace.contests.create(args.name, platform, account, args.post)
            if rules_text is not None:
                contest = await workspace.audited.set_rules(contest.id, rules_text)
        except ContestError as exc:
            raise UserError(str(exc), EXIT_USAGE) from None
        print(one_line(f"{contest.id}: contest {contest.name!r} on {account} {args.post}"))
        return 0

    return job


def _read_rules(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the rules file: {exc}", EXIT_USAGE) from None


def _ruler(given: str, path: Path) -> Job:
    async def job(workspace: Workspace, _left_out: list[str]) -> int:
        contest = find(workspace, given)
        text = _read_rules(path)
        try:
            contest = await workspace.audited.set_rules(contest.id, text)
        except ContestError as exc:
            raise UserError(f"{path}: {exc}", EXIT_USAGE) from None
        print(one_line(f"{contest.name}: rules kept"))
        return 0

    return job


#: What ``draw --unverifiable`` asks before it draws.
UNVERIFIABLE_QUESTION = (
    "Draw from a local seed instead of the committed beacon round? Nobody can check that "
    "this draw was not re-rolled, and its proof says so"
)


def _confirm(question: str, yes: bool, *, what: str = "post it") -> None:
    """Go on only with ``yes`` or a "y" typed at a terminal (public, or final)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise UserError(f"{question}: add --yes to {what}", EXIT_USAGE)
    if input(f"{question} [y/N] ").strip().casefold() not in ("y", "yes"):
        raise UserError("nothing done", EXIT_USAGE)


def _committer(given: str, freeze_within: timedelta, *, yes: bool) -> Job:
    async def job(workspace: Workspace, left_out: list[str]) -> int:
        contest = find(workspace, given)
        reply = workspace.audited.commitment_reply(contest)
        if reply is None:
            _confirm(
                f"Post the draw commitment on {contest.account} {contest.post_external_id}?", yes
            )
            try:
                reply = await workspace.audited.commit(contest.id, freeze_within=freeze_within)
            except ContestError as exc:
                raise UserError(str(exc), EXIT_USAGE) from None
        warn(left_out)
        print(one_line(reply.text))
        return await _send(workspace, reply)

    return job


async def _send(workspace: Workspace, reply: Reply) -> int:
    """Send a contest reply (again, if it failed) and say where it went."""
    if reply.state is not ReplyState.SENT:
        channel = workspace.sources.get(reply.account)
        if channel is None:
            raise UserError(f"no adapter for account {reply.account}: not posted", EXIT_FAILED)
        reply = await workspace.outbox.send(reply.id, channel)
    if reply.state is ReplyState.SENT:
        print(one_line(f"posted: {reply.url or reply.external_id}"))
        return 0
    print(one_line(f"smm-tui: not posted: {reply.error or reply.state.value}"), file=sys.stderr)
    return EXIT_FAILED


def _closer(given: str) -> Job:
    async def job(workspace: Workspace, left_out: list[str]) -> int:
        contest = find(workspace, given)
        warn(left_out)
        frozen = workspace.audited.freeze_reply(contest)
        if frozen is not None and frozen.state is not ReplyState.SENT:
            return await _send(workspace, frozen)  # frozen before; its post failed
        try:
            gathered = await workspace.audited.gather(
                contest.id, workspace.contests, workspace.sources
            )
        except ContestError as exc:
            raise UserError(str(exc), EXIT_USAGE) from None
        collected, asked = gathered.collected, gathered.facts
        if isinstance(collected, str):
            print(one_line(f"{contest.name}: {collected}"), file=sys.stderr)
        else:
            print(one_line(f"{contest.name}: {collected} new comments collected"), file=sys.stderr)
        for account, until in asked.limited.items():
            print(one_line(f"{account}: rate limited until {until:%H:%M:%S} UTC"), file=sys.stderr)
        for account, why in asked.failed.items():
            print(one_line(f"{account}: {why}"), file=sys.stderr)
        if asked.left:
            raise UserError(
                f"{asked.left} entrants not checked yet (membership, account age): "
                "run this again to go on; nothing frozen",
                EXIT_FAILED,
            )
        try:
            contest = await workspace.audited.freeze(contest.id)
        except ContestError as exc:
            raise UserError(str(exc), EXIT_USAGE) from None
        valid = plural(len(contest.frozen), "valid entry", "valid entries")
        print(one_line(f"{contest.name}: {valid} frozen"))
        frozen = workspace.audited.freeze_reply(contest)
        return 0 if frozen is None else await _send(workspace, frozen)

    return job


def _drawer(given: str, *, unverifiable: bool, yes: bool) -> Job:
    async def job(workspace: Workspace, _left_out: list[str]) -> int:
        from smm_tui.adapters.beacons import beacon_source

        contest = find(workspace, given)
        try:
            if unverifiable:
                _confirm(UNVERIFIABLE_QUESTION, yes, what="draw")
                contest = await workspace.audited.draw_unverifiable(contest.id)
            else:
                async with beacon_source(contest) as source:
                    contest = await workspace.audited.draw(contest.id, source)
        except DrawWaits as exc:
            raise UserError(str(exc), EXIT_FAILED) from None
        except ContestError as exc:
            raise UserError(str(exc), EXIT_USAGE) from None
        for place, handle in enumerate(workspace.audited.winner_handles(contest), start=1):
            print(one_line(f"winner {place}: {handle}"))
        return 0

    return job


def _announcer(given: str, saved: str | None, *, yes: bool) -> Job:
    async def job(workspace: Workspace, left_out: list[str]) -> int:
        contest = find(workspace, given)
        text = announcement(workspace, contest, saved)
        _confirm(f"Post the winners on {contest.account}: {text!r}?", yes)
        try:
            reply = await workspace.audited.announce(contest.id, text)
        except ContestError as exc:
            raise UserError(str(exc), EXIT_USAGE) from None
        warn(left_out)
        return await _send(workspace, reply)

    return job


def announcement(workspace: Workspace, contest: Contest, saved: str | None) -> str:
    """The announcement's text: the saved reply named, else the first tagged
    ``contest-winners``, else the built-in wording; filled for ``contest``."""
    chosen = None
    if saved is not None:
        chosen = workspace.saved_replies.named(saved)
        if chosen is None:
            raise UserError(f"no saved reply named {saved!r}", EXIT_USAGE)
    values = workspace.audited.announcement_values(contest)
    filled = announcement_text(workspace.saved_replies, values, chosen)
    if filled.text is None:
        raise UserError(f"the announcement cannot be filled: {filled.problem}", EXIT_USAGE)
    return filled.text


__all__ = ["LIST_FIELDS", "announcement", "find", "run"]
