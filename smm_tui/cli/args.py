"""What one ``smm-tui`` command line asks for, once click has read it."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Args:
    """One command line, read: the command and every option it can take."""

    command: str
    config: str | None = None
    data_dir: str | None = None
    user: str | None = None
    log_file: str | None = None
    log_level: str | None = None
    rate: float | None = None
    fmt: str = ""
    output: str | None = None
    query: str = ""
    file: str = ""
    once: bool = False
    mention_id: str = ""
    text: str = ""
    force: bool = False
    days: int = 30
    demo: bool = False
    accounts: tuple[str, ...] = ()
    #: ``post --text``: None when not given (an empty one is refused as empty).
    post_text: str | None = None
    text_file: str | None = None
    at: str | None = None
    campaign: str = ""
    retry: str | None = None
    account: str | None = None
    #: ``ticket open``: the mentions, the department and the note.
    mention_ids: tuple[str, ...] = ()
    department: str = ""
    note: str = ""
    #: ``ticket send``, ``resolve`` and ``note``: the ticket's reference (``T-2026-0042``).
    ref: str = ""
    again: bool = False
    #: ``ticket resolve``: the saved reply to follow up with, or why it closes without one.
    follow_up: str | None = None
    reason: str = ""
    #: ``trends --window``: how far back a rising term is counted (``1h`` or ``1d``).
    window: str = "1h"
    #: ``campaign create``, ``report``: the campaign's name, period, terms and budget.
    name: str = ""
    starts: str = ""
    ends: str = ""
    hashtags: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    budget: tuple[str, str] | None = None
    #: ``campaign link-contest``, ``contest …``: the contest's id, or its name.
    contest: str = ""
    #: ``contest create``: the post (the network's id) whose comments are the entries.
    post: str = ""
    #: ``contest draw --unverifiable``: from a local seed, by a person's explicit choice.
    unverifiable: bool = False
    #: ``contest commit --freeze-within``: how long after the close the drawing round is.
    freeze_within: str = "1h"
    #: ``incident``: the incident (``I-2026-0001``), its title and seed mentions.
    incident_id: str = ""
    title: str = ""
    seeds: tuple[str, ...] = ()
    #: ``incident reply``/``resolve``: the saved reply, or the text, to fill for each member.
    saved: str | None = None
    template: str | None = None
    yes: bool = False
