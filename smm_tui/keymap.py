"""The user's ``[keymap]``: every binding id it may name, and the checks run before start.

Keys are remapped by binding id (Textual's keymap). Bindings that are active
together — the app's, a pane's and its focused widget's — must not share a
key after remapping, or one of them would silently stop working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from textual.binding import Binding
from textual.dom import DOMNode

from smm_tui.app import SmmApp
from smm_tui.screens.accounts import AccountsScreen
from smm_tui.screens.alerts import AlertsScreen
from smm_tui.screens.assign import AssignScreen
from smm_tui.screens.campaign_detail import CampaignScreen
from smm_tui.screens.campaigns import CampaignsScreen
from smm_tui.screens.composer import ComposerScreen
from smm_tui.screens.confirm import ConfirmScreen
from smm_tui.screens.content import ContentScreen
from smm_tui.screens.content_detail import PostDetailScreen
from smm_tui.screens.contest_entries import ContestEntriesScreen
from smm_tui.screens.contest_proof_view import ContestProofScreen
from smm_tui.screens.contest_rules_editor import RulesEditorScreen
from smm_tui.screens.contests import ContestScreen, NewContestScreen
from smm_tui.screens.customer import CustomerScreen
from smm_tui.screens.detail import MentionScreen
from smm_tui.screens.feed import FeedScreen
from smm_tui.screens.help import HelpScreen
from smm_tui.screens.incident import IncidentScreen
from smm_tui.screens.incident_dialogs import TemplateScreen
from smm_tui.screens.incidents import IncidentsScreen
from smm_tui.screens.label import LabelScreen, TagScreen
from smm_tui.screens.line import LineScreen
from smm_tui.screens.note import NoteScreen
from smm_tui.screens.post_editor import PostEditorScreen
from smm_tui.screens.post_editor_parts import AccountChoices
from smm_tui.screens.report import ReportScreen
from smm_tui.screens.saved_reply_picker import SavedReplyPicker
from smm_tui.screens.schedule import ScheduleScreen
from smm_tui.screens.ticket_detail import TicketScreen
from smm_tui.screens.ticket_dialogs import FollowUpScreen
from smm_tui.screens.tickets import TicketBoardScreen, TicketEditScreen
from smm_tui.screens.trends import TrendsScreen
from smm_tui.widgets.feed_list import FeedList
from smm_tui.widgets.pick_list import PickList

#: Groups of classes whose bindings are active at the same time.
SCOPES: tuple[tuple[type[DOMNode], ...], ...] = (
    (SmmApp, FeedScreen, FeedList),
    (SmmApp, MentionScreen),
    (SmmApp, ComposerScreen),
    (SmmApp, TicketBoardScreen),
    (SmmApp, TicketScreen),
    (SmmApp, ContestScreen),
    (SmmApp, ContestEntriesScreen),
    (SmmApp, ContestProofScreen),
    (SmmApp, CustomerScreen),
    (SmmApp, ReportScreen),
    (SmmApp, ContentScreen),
    (SmmApp, TrendsScreen, PickList),
    (SmmApp, IncidentScreen, FeedList),
    (SmmApp, IncidentsScreen),
    (SmmApp, CampaignsScreen),
    (SmmApp, CampaignScreen),
    (PostDetailScreen,),
    (TicketEditScreen,),
    (FollowUpScreen,),
    (LineScreen,),
    (NewContestScreen,),
    (RulesEditorScreen,),
    (ConfirmScreen,),
    (HelpScreen,),
    (AccountsScreen,),
    (AlertsScreen, PickList),
    (TemplateScreen,),
    (LabelScreen,),
    (TagScreen,),
    (NoteScreen,),
    (AssignScreen,),
    (PostEditorScreen, AccountChoices),
    (ScheduleScreen,),
    (SavedReplyPicker,),
)


def _bindings(owners: Iterable[type[DOMNode]]) -> list[Binding]:
    return [b for owner in owners for b in owner.BINDINGS if isinstance(b, Binding) and b.id]


def binding_ids() -> set[str]:
    """Every binding id a user can remap in ``[keymap]``."""
    return {b.id for scope in SCOPES for b in _bindings(scope) if b.id}


def _clash(scope: tuple[type[DOMNode], ...], keymap: Mapping[str, str]) -> str | None:
    """A key the keymap made ambiguous in this scope.

    Clashes among the defaults are deliberate (``q`` goes back in a detail view
    rather than quitting); only one that involves a remapped binding is reported.
    """
    owner_of: dict[str, str] = {}
    for binding in _bindings(scope):
        assert binding.id is not None
        keys = keymap.get(binding.id, binding.key)
        for key in (k.strip() for k in keys.split(",")):
            other = owner_of.setdefault(key, binding.id)
            if other != binding.id and (other in keymap or binding.id in keymap):
                return f"key {key!r} is bound to both {other!r} and {binding.id!r}"
    return None


def check_keymap(keymap: Mapping[str, str]) -> str | None:
    """A one-line problem with a ``[keymap]`` table (unknown id, clashing keys), or None."""
    known = binding_ids()
    for binding_id in keymap:
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"unknown key 'keymap.{binding_id}'{hint}"
    for scope in SCOPES:
        clash = _clash(scope, keymap)
        if clash is not None:
            return f"keymap: {clash}"
    return None
