"""Render: feed rows, the detail view and the customer view show hostile text as literal text.

Rendered both from stored mentions (cleaned at ingest) and from raw ones, as
a thread fetched from a network is shown without being stored.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from types import SimpleNamespace
from typing import cast

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.content import Content

from smm_tui.core.customers import CustomerHistory
from smm_tui.core.ingest import sanitize_mention
from smm_tui.core.models import Mention, Platform, Reply, ReplyState, Status, Ticket
from smm_tui.core.sanitize import clean_identity, clean_text
from smm_tui.core.tickets import title_from
from smm_tui.core.workspace import Workspace
from smm_tui.screens.customer import CustomerScreen, history_options, summary_content
from smm_tui.widgets.render import (
    HANDLE_CELLS,
    ROW_TEXT_CHARS,
    author_label,
    cut,
    mention_block,
    mention_row,
    note_line,
    one_line,
    reply_line,
    why_block,
)
from tests.conftest import T0
from tests.fuzz.checks import (
    assert_literal,
    assert_rendered_safe,
    assert_safe_identity,
    assert_safe_text,
)
from tests.fuzz.strategies import Fields, examples, fields, identities, large_texts, texts

NOW = T0 + timedelta(minutes=7)


def shown(sent: Fields, stored: bool) -> Mention:
    raw = sent.mention()
    return sanitize_mention(raw) if stored else raw


@given(
    fields,
    st.booleans(),
    st.sampled_from(Status),
    st.booleans(),
    st.booleans(),
    st.lists(identities, max_size=2),
)
def test_feed_row_and_detail_view_are_literal_text(
    sent: Fields, stored: bool, status: Status, marked: bool, triage: bool, replying: list[str]
) -> None:
    mention = dataclasses.replace(shown(sent, stored), status=status)

    row = mention_row(mention, NOW, marked=marked, busy=bool(replying))
    assert_rendered_safe(row)
    line = one_line(mention.text[:ROW_TEXT_CHARS])
    assert row.plain.endswith(line)
    assert_safe_text(sent.text[:ROW_TEXT_CHARS], line, one_line=True)
    assert_literal(row, cut(clean_identity(mention.author.handle), HANDLE_CELLS))

    block = mention_block(mention, now=NOW, replying=replying, triage=triage)
    assert_rendered_safe(block)
    label, body = author_label(mention), clean_text(mention.text)
    assert_literal(block, label, body, *(clean_identity(name) for name in replying))
    assert_safe_text(sent.text, body)
    assert_safe_identity(sent.handle, clean_identity(mention.author.handle))
    assert_safe_identity(sent.name, clean_identity(mention.author.display_name))
    if mention.url:
        assert_literal(block, clean_identity(mention.url))
    assert_rendered_safe(why_block(mention, NOW))


@given(texts, texts)
def test_reply_lines_are_literal_text(text: str, error: str) -> None:
    reply = Reply(
        id="r1",
        mention_id="m1",
        platform=Platform.VK,
        account="bank-vk",
        text=text,
        author="alice",
        created_at=T0,
        state=ReplyState.FAILED,
        error=error,
    )
    line = reply_line(reply)
    assert_rendered_safe(line)
    assert_literal(line, one_line(text), one_line(error))


class OfflineCustomerScreen(CustomerScreen):
    """The customer view's own rendering, without an app around it."""

    @property
    def workspace(self) -> Workspace:
        return cast(Workspace, SimpleNamespace(ctx=SimpleNamespace(clock=lambda: NOW)))


#: Departments come from the config, which is trusted: they are not fuzzed.
DEPARTMENTS = ("", "Cards", "Платежи")


@given(st.lists(st.tuples(fields, st.booleans()), min_size=1, max_size=2), texts)
def test_customer_view_is_literal_text(sent: list[tuple[Fields, bool]], reply_text: str) -> None:
    mentions = tuple(shown(one, stored) for one, stored in sent)
    first = mentions[0]
    reply = Reply("r1", first.id, first.platform, first.account, reply_text, "alice", NOW)
    ticket = Ticket(
        id="t1",
        mention_id=first.id,
        title=title_from(first.text),
        created_at=NOW,
        updated_at=NOW,
        department=DEPARTMENTS[len(sent) % len(DEPARTMENTS)],
    )
    history = CustomerHistory(first.author, first.platform, mentions, (reply,), (ticket,))
    screen = OfflineCustomerScreen(history)
    rows = [row.prompt for row in history_options(history) if row is not None]
    body = Content("\n").join(row for row in rows if isinstance(row, Content))
    title = screen._title()
    for content in (title, summary_content(history), body):
        assert_rendered_safe(content)
    assert_literal(title, author_label(first))
    assert_literal(body, *(clean_text(m.text) for m in mentions), one_line(reply_text))


@given(texts)
def test_a_note_on_a_customer_is_literal_text(text: str) -> None:
    for line in (note_line(text), note_line(text, 30)):
        assert_rendered_safe(line)
    assert_literal(note_line(text), one_line(text))


@settings(max_examples=examples(ci=3, fuzz=50))
@given(large_texts, st.booleans())
def test_large_texts_render_whole_and_safe(text: str, stored: bool) -> None:
    mention = shown(Fields(text, "@anna", "Anna", ""), stored)
    block = mention_block(mention, now=NOW)
    assert_rendered_safe(block)
    assert_literal(block, clean_text(mention.text))
    assert_rendered_safe(mention_row(mention, NOW, marked=False))


def test_rendering_checks_catch_markup_links_and_escapes() -> None:
    """The checks above would see a leak: markup parsed, a link, or an ESC reaching the wire."""
    for leaky in (
        Content.from_markup("[@click=app.quit]x[/]"),
        Content.from_markup("[link='https://evil.example']bank[/]"),
        Content.assemble("title\x1b]0;pwned\x07"),
        Content.assemble("csi\x9b2J"),
    ):
        try:
            assert_rendered_safe(leaky)
        except AssertionError:
            continue
        raise AssertionError(f"not caught: {leaky!r}")
