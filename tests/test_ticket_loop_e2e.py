"""The issue's "Done when": a complaint's whole loop on a fake network, by the command line.

Complaint → ticket → the department (a webhook that checks the signature) →
resolved with a public follow-up from a saved reply → the customer edits the
comment into a thank-you (VK) or deletes it (Mastodon) → the next ``poll
--once`` sees it, and ``ticket list`` shows the review's new state with every
step's time.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from smm_tui.core.models import Mention
from smm_tui.core.repository import Collection
from smm_tui.store.store import Store
from tests.adapters.httpserver import TestServer
from tests.posting_kit import Desk, fake_networks, jsonl
from tests.ticket_kit import HOOK, SECRET, SECRET_ENV, cards_table, signed
from tests.ticket_kit import webhook as webhook  # the fixture, for pytest

COMPLAINT = "Charged twice for one purchase, this is terrible"
THANKS = "Update: the money is back, thank you for the quick help!"


def config_tables(webhook: TestServer) -> str:
    return (
        cards_table(webhook)
        + """
[[saved_replies]]
name = "double-debit-fixed"
language = "en"
tags = ["complaint", "follow-up"]
body = "{first_name}, we refunded the double charge ({ticket}). Is it back on your card?"
"""
    )


def stored_mention(desk: Desk, text: str) -> Mention:
    with Store.open(desk.data_dir) as store:
        mentions = [Mention.from_record(r) for r in store.records(Collection.MENTIONS)]
    return next(m for m in mentions if text in m.text)


def step(desk: Desk, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    code, out, err = desk.run(capsys, *args)
    assert code == 0, out + err
    return out


@pytest.mark.parametrize("network", ["vk", "mastodon"])
def test_a_complaint_goes_round_the_loop(
    network: str, tmp_path: Path, webhook: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_networks((network,)) as fakes:
        desk = Desk(tmp_path, fakes, extra=config_tables(webhook))
        desk.env[SECRET_ENV] = SECRET
        try:
            loop(desk, network, webhook, capsys)
        finally:
            desk.close()


def loop(desk: Desk, network: str, webhook: TestServer, capsys: pytest.CaptureFixture[str]) -> None:
    fake = desk.fakes[f"brand-{network}"]
    external_id = fake.add_mention(COMPLAINT, author="olga")
    step(desk, capsys, "poll", "--once")
    complaint = stored_mention(desk, COMPLAINT)
    assert complaint.sentiment.value == "negative"

    ref = step(desk, capsys, "ticket", "open", complaint.id, "--department", "Cards").strip()
    assert step(desk, capsys, "ticket", "send", ref) == f"sent {ref} to Cards: HTTP 200\n"
    [handed] = webhook.requests_to("POST", HOOK)
    assert signed(handed) and json.loads(handed.body)["ref"] == ref

    out = step(desk, capsys, "ticket", "resolve", ref, "--follow-up", "double-debit-fixed")
    assert f"{ref}: awaiting customer" in out
    [follow_up] = fake.published
    assert follow_up.in_reply_to == external_id, "on the original thread"
    assert follow_up.text.endswith(
        f"we refunded the double charge ({ref}). Is it back on your card?"
    )

    if network == "vk":
        fake.edit_mention(external_id, THANKS)
    else:
        fake.delete_mention(external_id)
    out = step(desk, capsys, "poll", "--once")
    said = "review updated (positive)" if network == "vk" else "review removed"
    assert f"{ref}: {said}" in out

    [record] = jsonl(step(desk, capsys, "ticket", "list"))
    assert record["state"] == "awaiting" and record["handoff"] == "sent"
    if network == "vk":
        assert (record["review"], record["review_tone"]) == ("updated", "positive")
        assert stored_mention(desk, THANKS).history[0].text == COMPLAINT
    else:
        assert record["review"] == "removed"
        kept = stored_mention(desk, COMPLAINT)
        assert kept.deleted_at is not None, "deleted, and kept with its last text"
    times = [
        datetime.fromisoformat(str(record[key]))
        for key in ("opened_at", "handed_over_at", "followed_up_at", "review_changed_at")
    ]
    assert times == sorted(times), "every step timed, in order"


@pytest.mark.parametrize("network", ["vk", "x", "mastodon", "bluesky", "telegram"])
def test_the_follow_up_lands_on_the_complaint_and_the_answer_is_linked(
    network: str, tmp_path: Path, webhook: TestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with fake_networks((network,)) as fakes:
        desk = Desk(tmp_path, fakes, extra=config_tables(webhook))
        try:
            fake = desk.fakes[f"brand-{network}"]
            external_id = fake.add_mention(COMPLAINT, author="olga")
            step(desk, capsys, "poll", "--once")
            complaint = stored_mention(desk, COMPLAINT)
            ref = step(desk, capsys, "ticket", "open", complaint.id).strip()
            step(desk, capsys, "ticket", "resolve", ref, "--follow-up", "double-debit-fixed")
            [follow_up] = fake.published
            assert follow_up.in_reply_to == external_id

            fake.add_mention(THANKS, author="olga", reply_to=follow_up.external_id)
            step(desk, capsys, "poll", "--once")
            answer = stored_mention(desk, THANKS)
            [record] = jsonl(step(desk, capsys, "ticket", "list"))
            assert answer.ticket_id is not None
            assert (record["ref"], record["answer_tone"]) == (ref, "positive")
            assert record["suggestion"] == "close" and record["answered_at"]
        finally:
            desk.close()
