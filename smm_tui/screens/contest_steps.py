"""The steps of an audited contest as the Contest pane runs them: rules, commit, close,
draw. Each asks first where it goes out in public, runs the service call in a worker and
says in one toast what came of it; ContestScreen only routes its keys here."""

from __future__ import annotations

from datetime import datetime

from smm_tui.core import beacon
from smm_tui.core.contest_proof import Commitment
from smm_tui.core.contest_run import DrawWaits, Gathered
from smm_tui.core.contest_timing import draw_round
from smm_tui.core.models import Contest, ContestState, Reply
from smm_tui.core.wording import plural
from smm_tui.screens.base import WorkspaceScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.contest_entries import ContestEntriesScreen
from smm_tui.screens.contest_proof_view import ContestProofScreen
from smm_tui.screens.contest_replies import send_again_or_say
from smm_tui.screens.contest_rules_editor import RulesEditorScreen
from smm_tui.widgets.contest_render import moment
from smm_tui.widgets.render import local, one_line


def edit_rules(screen: WorkspaceScreen, contest: Contest) -> None:
    """Open the rules file of ``contest`` (or a template for its post) to edit."""

    def kept(changed: Contest | None) -> None:
        if changed is not None:
            screen.say(f"Rules kept for {one_line(changed.name)}.")

    screen.app.push_screen(RulesEditorScreen(contest), kept)


def show_entries(screen: WorkspaceScreen, contest: Contest) -> None:
    """Every comment of ``contest`` with its verdict."""
    if not contest.rules_toml:
        screen.say("This contest has no rules: its entries are on the right.")
        return
    screen.app.push_screen(ContestEntriesScreen(contest.id))


def commit(screen: WorkspaceScreen, contest: Contest) -> None:
    """Post the draw commitment (asking first), or send again one that failed."""
    audited = screen.workspace.audited
    reply = audited.commitment_reply(contest)
    if reply is not None:
        send_again_or_say(screen, reply, "the commitment", "Committed already")
        return
    rules = audited.rules(contest)
    if rules is None:
        screen.say("This contest has no rules yet: write them first.")
        return
    round_number = draw_round(rules)
    public = Commitment(rules_hash=rules.rules_hash(), round=round_number).text()
    question = (
        f"Post the draw commitment in public under {contest.account} post "
        f"{one_line(contest.post_external_id)}?\n\n{public}\n\n"
        f"It fixes these rules and drand quicknet round {round_number}, published at "
        f"{moment(beacon.time_of(round_number))} (entries close at {moment(rules.closes)}). "
        "The rules cannot change after, and the entries must be checked and frozen before "
        "that round is out."
    )

    def answered(yes: bool | None) -> None:
        if yes:
            screen.act(audited.commit(contest.id), done=committed)

    def committed(posted: Reply) -> None:
        screen.send_reply(posted.id)
        screen.say(f"Commitment to round {round_number} on its way to the contest post.")

    screen.app.push_screen(ConfirmScreen(question), answered)


def close_entries(screen: WorkspaceScreen, contest: Contest) -> None:
    """Ask the networks about the entrants, then freeze the valid entries (not before the
    close: membership is "at the close", and a fact once asked is kept)."""
    audited = screen.workspace.audited
    rules = audited.rules(contest)
    if rules is None:
        screen.say("This contest has no rules: it has no entries to close.")
        return
    if screen.workspace.ctx.clock() < rules.closes:
        screen.say(f"Entries close at {moment(rules.closes)}: close them then.")
        return
    published = audited.freeze_reply(contest)
    if published is not None:
        send_again_or_say(screen, published, "the frozen entries' hash", "Entries are frozen")
        return

    def asked(gathered: Gathered) -> None:
        facts = gathered.facts
        if isinstance(gathered.collected, str):
            screen.say(gathered.collected)
        for account, until in facts.limited.items():
            screen.say(f"{account}: rate limited until {local(until):%H:%M}.")
        for account, why in facts.failed.items():
            screen.say(f"{account}: {why}", error=True)
        if facts.left:
            screen.say(
                f"{plural(facts.learnt, 'entrant')} checked, {facts.left} not yet: "
                "close again to go on. Nothing frozen."
            )
            return
        if facts.learnt:
            screen.say(f"{plural(facts.learnt, 'entrant')} checked.")
        screen.act(audited.freeze(contest.id), done=frozen)

    def frozen(changed: Contest) -> None:
        screen.say(f"{plural(len(changed.frozen), 'valid entry', 'valid entries')} frozen.")
        if changed.freeze_reply_id is not None:  # their hash goes out before the round
            screen.send_reply(changed.freeze_reply_id)

    workspace = screen.workspace
    screen.act(audited.gather(contest.id, workspace.contests, workspace.sources), done=asked)


def draw(screen: WorkspaceScreen, contest: Contest) -> None:
    """Draw ``contest`` after asking: on its committed beacon round if it has rules, else
    from a local seed (``smm-draw-v1``, as contests without rules always have)."""
    if contest.rules_toml:
        draw_on_beacon(screen, contest)
    else:
        draw_local_seed(screen, contest)


def draw_local_seed(screen: WorkspaceScreen, contest: Contest) -> None:
    """Draw a contest without rules from a local seed; its proof shows in the detail."""
    contests = screen.workspace.contests
    entries = len(contests.entries(contest.id))
    winners = plural(contest.winners_wanted, "winner")
    question = (
        f"Draw {winners} of “{one_line(contest.name)}” from {plural(entries, 'entry')}?\n"
        "The draw is final and closes the contest."
    )

    def drawn(changed: Contest) -> None:
        count = len(changed.draw.winner_entry_ids) if changed.draw else 0
        screen.say(f"Drawn: {plural(count, 'winner')}. The proof is on the right.")

    def answered(yes: bool | None) -> None:
        if yes:
            screen.act(contests.run_draw(contest.id), done=drawn)

    screen.app.push_screen(ConfirmScreen(question), answered)


def draw_on_beacon(screen: WorkspaceScreen, contest: Contest) -> None:
    """Show the proof of a drawn contest; else draw on the committed round (asking first)."""
    if contest.state is ContestState.DRAWN:
        screen.app.push_screen(ContestProofScreen(contest.id))
        return
    committed = contest.commitment
    round_text = f"drand quicknet round {committed.round}" if committed else "the beacon"
    question = (
        f"Draw the winners of “{one_line(contest.name)}” from "
        f"{plural(len(contest.frozen), 'frozen entry', 'frozen entries')} on {round_text}?\n"
        "The draw is final."
    )
    audited = screen.workspace.audited

    async def attempt() -> Contest | DrawWaits:
        try:
            return await audited.draw_from_beacon(contest.id)
        except DrawWaits as waits:
            return waits

    def drawn(outcome: Contest | DrawWaits) -> None:
        if isinstance(outcome, DrawWaits):
            screen.say(waiting(outcome))
            return
        winners = outcome.beacon_draw.winners if outcome.beacon_draw is not None else ()
        screen.say(f"Drawn: {plural(len(winners), 'winner')}.")
        screen.app.push_screen(ContestProofScreen(contest.id))

    def answered(yes: bool | None) -> None:
        if yes:
            screen.act(attempt(), done=drawn, group="contest-draw")

    screen.app.push_screen(ConfirmScreen(question), answered)


def draw_unverifiable(screen: WorkspaceScreen, contest: Contest) -> None:
    """Draw a frozen contest from a local seed, after a warning: the explicit, labelled
    fallback for when the committed beacon round cannot be had."""
    question = (
        f"Draw “{one_line(contest.name)}” from a local seed instead of drand round "
        f"{contest.commitment.round if contest.commitment else '(none)'}?\n\n"
        "Nobody can check that this draw was not re-rolled: its proof says "
        "“unverifiable”. Do it only when the beacon cannot be had."
    )

    def drawn(changed: Contest) -> None:
        count = len(screen.workspace.audited.winner_handles(changed))
        screen.say(f"Drawn from a local seed (unverifiable): {plural(count, 'winner')}.")
        screen.app.push_screen(ContestProofScreen(contest.id))

    def answered(yes: bool | None) -> None:
        if yes:
            screen.act(screen.workspace.audited.draw_unverifiable(contest.id), done=drawn)

    screen.app.push_screen(ConfirmScreen(question), answered)


def waiting(waits: DrawWaits) -> str:
    """Why the draw waits, and when to try again where known."""
    retry: datetime | None = waits.retry_at
    again = f" Try again after {moment(retry)}." if retry is not None else ""
    return f"{waits}{again}"
