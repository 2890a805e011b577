"""``smm-tui ticket`` and ``replies`` in this process, against a fake Mastodon and a webhook.

The department Cards hears through a local webhook that checks the body's
HMAC signature; Payments' webhook is a port nothing listens on. The public
follow-up is posted on the fake network's thread.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from smm_tui.config import load_config
from smm_tui.core.models import Mention
from smm_tui.core.repository import Collection
from smm_tui.core.ticket_rows import TICKET_FIELDS
from smm_tui.runtime import account_secrets, open_workspace
from smm_tui.store.store import Store
from tests.adapters.httpserver import TestServer, unused_port
from tests.fakes.base import FakeNetwork
from tests.posting_kit import PATIENCE, Desk, fake_networks, jsonl, wait_until
from tests.ticket_kit import HOOK, SECRET, SECRET_ENV, cards_table, signed
from tests.ticket_kit import webhook as webhook  # the fixture, for pytest

REF = re.compile(r"^T-\d{4}-\d{4}$")


def departments(webhook: TestServer) -> str:
    return (
        cards_table(webhook)
        + f"""
[[departments]]
name = "Payments"
handoff = "webhook"
url = "http://127.0.0.1:{unused_port()}/hooks"

[[departments]]
name = "General"

[[saved_replies]]
name = "fixed"
body = "{{first_name}}, we have refunded the double charge ({{ticket}})."

[[saved_replies]]
name = "nick"
body = "Hi {{nickname}}, all sorted."
"""
    )


@pytest.fixture
def desk(tmp_path: Path, webhook: TestServer) -> Iterator[Desk]:
    with fake_networks(("mastodon",)) as fakes:
        made = Desk(tmp_path, fakes, extra=departments(webhook))
        made.env[SECRET_ENV] = SECRET
        try:
            yield made
        finally:
            made.close()


@pytest.fixture
def fake(desk: Desk) -> FakeNetwork:
    return desk.fakes["brand-mastodon"]


def complaint(desk: Desk, capsys: pytest.CaptureFixture[str], text: str) -> Mention:
    """A mention by anna on the fake network, fetched into the store by ``poll --once``."""
    desk.fakes["brand-mastodon"].add_mention(text, author="anna")
    code, out, err = desk.run(capsys, "poll", "--once")
    assert code == 0, out + err
    with Store.open(desk.data_dir) as store:
        mentions = [Mention.from_record(r) for r in store.records(Collection.MENTIONS)]
    return next(m for m in mentions if text in m.text)


def opened(desk: Desk, capsys: pytest.CaptureFixture[str], mention: Mention, *more: str) -> str:
    code, out, err = desk.run(capsys, "ticket", "open", mention.id[:8], *more)
    assert code == 0, err
    assert REF.match(out.strip()), out
    return out.strip()


def listed(desk: Desk, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    code, out, err = desk.run(capsys, "ticket", "list", *args)
    assert code == 0, err
    return jsonl(out)


def one_line_error(result: tuple[int, str, str], code: int = 1) -> str:
    got, out, err = result
    assert (got, out) == (code, ""), err
    assert err.count("\n") == 1 and err.startswith("smm-tui: "), err
    return err.strip()


def test_a_ticket_is_handed_over_followed_up_and_listed(
    desk: Desk, fake: FakeNetwork, webhook: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    mention = complaint(desk, capsys, "charged twice for one coffee")
    ref = opened(desk, capsys, mention, "--department", "cards", "--note", "double debit")

    code, out, err = desk.run(capsys, "ticket", "send", ref)
    assert (code, out) == (0, f"sent {ref} to Cards: HTTP 200\n"), err
    [request] = webhook.requests_to("POST", HOOK)
    assert signed(request)
    body = json.loads(request.body)
    assert body["ref"] == ref and body["department"] == "Cards"
    assert body["mentions"][0]["id"] == mention.id and body["note"] == "double debit"

    code, out, _ = desk.run(capsys, "ticket", "send", ref)
    assert code == 0 and out.startswith(f"{ref}: already sent to Cards") and "--again" in out
    assert len(webhook.requests_to("POST", HOOK)) == 1, "no second delivery without --again"

    code, out, err = desk.run(capsys, "ticket", "resolve", ref, "--follow-up", "fixed")
    assert code == 0, err
    url, state = out.splitlines()
    assert url.startswith("http") and state.startswith(f"{ref}: awaiting customer, confirm by ")
    [reply] = fake.published
    assert reply.in_reply_to == mention.external_id
    assert f"anna, we have refunded the double charge ({ref})." in reply.text

    [record] = listed(desk, capsys)
    assert {key: record[key] for key in ("ref", "state", "department", "handoff")} == {
        "ref": ref,
        "state": "awaiting",
        "department": "Cards",
        "handoff": "sent",
    }
    assert record["follow_up"] == "awaiting" and record["customer_handle"] == mention.author.handle
    assert record["mention_ids"] == [mention.id] and record["review"] == "unchanged"
    assert record["handed_over_at"] and record["followed_up_at"] and record["confirm_by"]
    assert isinstance(record["minutes_to_resolution"], float)
    assert record["minutes_to_confirmation"] is None

    code, out, err = desk.run(capsys, "ticket", "note", ref, "Cards refunded 450 RUB")
    assert (code, out) == (0, f"{ref}: noted\n"), err


def test_ticket_list_filters_and_writes_csv(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    cards = opened(desk, capsys, complaint(desk, capsys, "card blocked"), "--department", "Cards")
    opened(desk, capsys, complaint(desk, capsys, "=HYPERLINK(1) app crashes"))

    code, out, err = desk.run(
        capsys, "ticket", "list", "--format", "csv", "--query", "department:cards blocked"
    )
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == list(TICKET_FIELDS), "the header is stable"
    assert [row[0] for row in rows[1:]] == [cards]

    code, out, _ = desk.run(capsys, "ticket", "list", "--format", "csv", "-q", "hyperlink")
    [row] = list(csv.DictReader(io.StringIO(out)))
    assert row["title"] == "'@brand =HYPERLINK(1) app crashes", "a formula is defused"

    assert [r["handoff"] for r in listed(desk, capsys, "-q", "state:new -department:cards")] == [
        "none"
    ]
    assert listed(desk, capsys, "-q", "handoff:sent") == []
    line = one_line_error(desk.run(capsys, "ticket", "list", "-q", "colour:red"), code=2)
    assert "unknown field 'colour'" in line


def test_a_refused_connection_is_said_and_listed(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = opened(desk, capsys, complaint(desk, capsys, "payment stuck"), "--department", "Payments")

    line = one_line_error(desk.run(capsys, "ticket", "send", ref))
    assert line.startswith(f"smm-tui: {ref}: handoff to Payments failed: ")
    assert "smm-tui poll tries again after" in line, "a refused connection is retried by itself"

    [record] = listed(desk, capsys, "-q", "handoff:failed")
    assert record["ref"] == ref and record["state"] == "waiting"
    assert "Payments" in str(record["handoff_error"])


def test_a_department_without_a_handoff_is_refused(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = opened(
        desk, capsys, complaint(desk, capsys, "where is my parcel"), "--department", "General"
    )
    line = one_line_error(desk.run(capsys, "ticket", "send", ref))
    assert (
        line == f"smm-tui: {ref}: General has no handoff: add one in [[departments]] of the config"
    )


def test_unknown_mentions_departments_and_tickets_are_named(
    desk: Desk, capsys: pytest.CaptureFixture[str]
) -> None:
    mention = complaint(desk, capsys, "card blocked")
    line = one_line_error(desk.run(capsys, "ticket", "open", "nosuchmention"))
    assert line == "smm-tui: no mention with id 'nosuchmention'"
    line = one_line_error(
        desk.run(capsys, "ticket", "open", mention.id, "--department", "Kitchen"), code=2
    )
    assert line.startswith("smm-tui: unknown department 'Kitchen' (departments: Cards, Payments")
    line = one_line_error(desk.run(capsys, "ticket", "send", "T-1999-0001"))
    assert line == "smm-tui: no ticket 'T-1999-0001'"
    assert listed(desk, capsys) == [], "nothing was opened"


def test_a_follow_up_that_cannot_be_filled_posts_nothing(
    desk: Desk, fake: FakeNetwork, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = opened(desk, capsys, complaint(desk, capsys, "card blocked"))

    line = one_line_error(desk.run(capsys, "ticket", "resolve", ref, "--follow-up", "nick"))
    assert line.startswith("smm-tui: saved reply 'nick' cannot be used: unknown field {nickname}")
    line = one_line_error(desk.run(capsys, "ticket", "resolve", ref, "--follow-up", "nope"))
    assert line == "smm-tui: no saved reply 'nope' (saved replies: fixed, nick)"
    assert fake.published == []
    [record] = listed(desk, capsys)
    assert (record["state"], record["follow_up"]) == ("new", "none")

    code, out, err = desk.run(capsys, "ticket", "resolve", ref)
    assert (code, out) == (0, f"{ref}: resolved (closed without a public follow-up)\n"), err
    [record] = listed(desk, capsys)
    assert record["state"] == "resolved" and record["resolved_at"]
    assert record["closed_reason"] == "closed without a public follow-up"
    assert fake.published == []


def test_poll_once_sends_the_handoffs_due(
    desk: Desk, webhook: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    cards = opened(desk, capsys, complaint(desk, capsys, "card blocked"), "--department", "Cards")
    payments = opened(
        desk, capsys, complaint(desk, capsys, "payment stuck"), "--department", "Payments"
    )
    queue_handoffs(desk, cards, payments)

    code, out, _ = desk.run(capsys, "poll", "--once")
    assert f"ok   {cards}: handed to Cards (HTTP 200)\n" in out
    assert f"FAIL {payments}: handoff to Payments failed: " in out
    assert code == 1, "a handoff that failed fails the poll"
    assert len(webhook.requests_to("POST", HOOK)) == 1
    assert {r["ref"]: r["handoff"] for r in listed(desk, capsys)} == {
        cards: "sent",
        payments: "failed",
    }


def test_poll_sends_handoffs_while_it_runs(
    desk: Desk, webhook: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    cards = opened(desk, capsys, complaint(desk, capsys, "card blocked"), "--department", "Cards")
    queue_handoffs(desk, cards)
    lines: list[str] = []
    with desk.spawn("poll") as poller:  # closes its pipes at the end
        stdout = poller.stdout
        assert stdout is not None
        reader = threading.Thread(target=lambda: lines.extend(iter(stdout.readline, "")))
        reader.start()
        try:
            wait_until(
                lambda: f"ok   {cards}: handed to Cards (HTTP 200)\n" in lines, "handed over"
            )
        finally:
            poller.terminate()
            poller.wait(timeout=PATIENCE)
            reader.join()
    assert poller.returncode == 0, lines
    assert len(webhook.requests_to("POST", HOOK)) == 1


def queue_handoffs(desk: Desk, *refs: str) -> None:
    """Hand the tickets over without sending (as an app that stopped before it sent)."""
    config = load_config(desk.config, desk.env, required=True)

    async def hand_over() -> None:
        with open_workspace(desk.data_dir, config, sources={}, env=desk.env) as (workspace, _):
            for ref in refs:
                ticket = workspace.tickets.by_ref(ref)
                assert ticket is not None
                await workspace.handoffs.hand_over(ticket.id)

    asyncio.run(hand_over())


def test_replies_list_merges_the_side_file(desk: Desk, capsys: pytest.CaptureFixture[str]) -> None:
    side = desk.config.with_name("saved_replies.toml")
    side.write_text(
        '[[saved_replies]]\nname = "thanks"\nbody = "Thank you, {first_name}!"\nlanguage = "en"\n',
        encoding="utf-8",
    )
    code, out, err = desk.run(capsys, "replies", "list", "--format", "jsonl")
    assert code == 0, err
    records = {str(r["name"]): r for r in jsonl(out)}
    assert list(records) == ["fixed", "nick", "thanks"]
    assert records["thanks"]["fields"] == ["first_name"] and records["fixed"]["problem"] is None
    assert "nickname" in str(records["nick"]["problem"])

    side.write_text('[[saved_replies]]\nname = "broken"\n', encoding="utf-8")
    line = one_line_error(desk.run(capsys, "replies", "list"), code=2)
    assert line.startswith(f"smm-tui: config {side}: ")


def test_handoff_secrets_are_redacted_from_logs(desk: Desk) -> None:
    config = load_config(desk.config, desk.env, required=True)
    secrets = account_secrets(config, desk.env)
    assert SECRET in secrets
    assert desk.fakes["brand-mastodon"].token in secrets


def test_poll_sees_reviews_change_and_export_keeps_them(
    desk: Desk, fake: FakeNetwork, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = complaint(desk, capsys, "the app ate my money")
    deleted = complaint(desk, capsys, "worst bank ever")
    first, second = opened(desk, capsys, edited), opened(desk, capsys, deleted)
    fake.edit_mention(edited.external_id, "sorted now, thank you, great support!")
    fake.delete_mention(deleted.external_id)

    code, out, err = desk.run(capsys, "poll", "--once")
    assert code == 0, out + err
    assert f"ok   {first}: review updated (positive)\n" in out
    assert f"ok   {second}: review removed\n" in out
    records = {str(r["ref"]): r for r in listed(desk, capsys, "-q", "review:updated,removed")}
    assert (records[first]["review"], records[first]["review_tone"]) == ("updated", "positive")
    assert records[second]["review"] == "removed" and records[first]["suggestion"] == "close"

    code, out, err = desk.run(capsys, "export", "--format", "jsonl")
    assert code == 0, err
    exported = {str(r["id"]): r for r in jsonl(out)}
    gone = exported[deleted.id]
    assert gone["deleted_at"] and gone["text"] == deleted.text, "its last text is kept"
    now = exported[edited.id]
    assert "sorted now" in str(now["text"]) and now["deleted_at"] is None
    assert isinstance(now["history"], list)
    assert [(h["kind"], h["text"]) for h in now["history"]] == [("edited", edited.text)]


def test_a_handoff_whose_secret_is_unset_says_which_variable(
    desk: Desk, webhook: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = opened(desk, capsys, complaint(desk, capsys, "card blocked"), "--department", "Cards")
    del desk.env[SECRET_ENV]
    line = one_line_error(desk.run(capsys, "ticket", "send", ref))
    assert line == f"smm-tui: {ref}: department 'Cards': secret_env {SECRET_ENV} is not set"
    assert webhook.requests_to("POST", HOOK) == []
    assert [r["handoff"] for r in listed(desk, capsys)] == ["none"], "nothing was recorded"


def test_a_reopened_ticket_is_followed_up_again_with_the_same_reply(
    desk: Desk, fake: FakeNetwork, capsys: pytest.CaptureFixture[str]
) -> None:
    mention = complaint(desk, capsys, "charged twice for one coffee")
    ref = opened(desk, capsys, mention)
    assert desk.run(capsys, "ticket", "resolve", ref, "--follow-up", "fixed")[0] == 0
    [first] = fake.published
    fake.add_mention(
        "No, still charged twice, this is awful", author="anna", reply_to=first.external_id
    )
    assert desk.run(capsys, "poll", "--once")[0] == 0
    [record] = listed(desk, capsys)
    assert (record["state"], record["answer_tone"]) == ("in_progress", "negative")

    code, out, err = desk.run(capsys, "ticket", "resolve", ref, "--follow-up", "fixed")
    assert code == 0, err
    assert len(fake.published) == 2, "a second follow-up, not the first one's URL again"
    assert out.splitlines()[-1].startswith(f"{ref}: awaiting customer")
    code, out, err = desk.run(capsys, "ticket", "resolve", ref, "--follow-up", "fixed")
    assert code == 0 and len(fake.published) == 2, "run again: the same follow-up goes out once"
