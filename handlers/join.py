"""Opening the join (or profile) form: who the person is, then the modal, or a refusal.

Shared by the `/mentor join` command and the Home and invitation buttons; it runs after the
ack, since it calls Slack (users.info, views.open, views.update) and a trigger lives 3 s.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from flows import enrollment as flow
from flows.enrollment import Excluded, JoinForm, ProgramChoice, SlackProfile
from handlers import copy
from handlers.context import Deps
from handlers.enroll_form import enrollment_form, notice, program_choice
from handlers.errors import shown
from handlers.listen import Slack, tell_in_dm
from handlers.messages import excluded_text
from models.errors import DomainError

log = logging.getLogger("mentorbot.enrollment")


def refusal_text(code: str) -> str:
    return copy.CANNOT_ENROLL.format(why=copy.REFUSAL_WHY.get(code, copy.REFUSAL_WHY["guest"]))


def slack_profile(info: dict[str, object]) -> SlackProfile:
    """users.info's answer as plain values."""
    user = info.get("user")
    user = user if isinstance(user, dict) else {}
    profile = user.get("profile")
    profile = profile if isinstance(profile, dict) else {}
    return SlackProfile(
        name=str(profile.get("display_name") or user.get("name") or "") or None,
        real_name=str(user.get("real_name") or profile.get("real_name") or "") or None,
        tz=str(user.get("tz") or "") or None,
        title=str(profile.get("title") or "") or None,
        deleted=bool(user.get("deleted")),
        bot=bool(user.get("is_bot")),
        guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
    )


def lookup(client: WebClient, user_id: str) -> SlackProfile | None:
    try:
        return slack_profile(dict(client.users_info(user=user_id).data))  # type: ignore[arg-type]
    except SlackApiError as err:
        log.warning("users.info for %s failed: %s", user_id, err.response.get("error"))
        return None


def form_view(form: JoinForm | ProgramChoice) -> View:
    if isinstance(form, ProgramChoice):
        return program_choice(form.programs)
    return enrollment_form(form.context, form.values)


def open_form(
    deps: Deps,
    *,
    team_id: str,
    user_id: str,
    trigger_id: str,
    name: str | None = None,
    editing: bool = False,
    program_id: int | None = None,
    say: Callable[[Slack, str], None] | None = None,
) -> Callable[[Slack], None]:
    """After the ack: open the join (or profile) modal, or say why it cannot be opened.

    Someone Slack has never described to us (no zone yet) is looked up first, so the form
    opens in their zone and a refusal needs no modal; users.info is quick and the trigger
    lives 3 s. Everyone else sees the form at once, refreshed only if Slack's answer changes it.
    """

    def tell_them(slack: Slack, text: str) -> None:
        if say is not None:
            say(slack, text)
        else:  # a Home button has no reply channel: the app's own DM
            tell_in_dm(user_id, text)(slack)

    def run(slack: Slack) -> None:
        at = deps.clock()
        with deps.sessions.begin() as s:
            person = flow.known(s, team_id, user_id, at)
        if person is None:
            tell_them(slack, copy.NO_OPEN_PROGRAM)
            return
        asked = False
        if person.tz is None:
            profile = lookup(slack.client, user_id)
            asked = True
            if profile is not None:
                with deps.sessions.begin() as s:
                    person = flow.remember(s, team_id, user_id, profile, at) or person
        if person.refusal:
            tell_them(slack, refusal_text(person.refusal))
            return
        try:
            with deps.sessions.begin() as s:
                form = flow.form_for(
                    s,
                    person.person_id,
                    name=name,
                    editing=editing,
                    program_id=program_id,
                    at=at,
                )
        except DomainError as error:
            tell_them(slack, shown(error))
            return
        if isinstance(form, Excluded):
            tell_them(slack, excluded_text(form.program_name, form.rules))
            return
        opened = slack.client.views_open(trigger_id=trigger_id, view=form_view(form))
        if asked:
            return
        profile = lookup(slack.client, user_id)
        if profile is None:
            return
        with deps.sessions.begin() as s:
            fresh = flow.remember(s, team_id, user_id, profile, deps.clock())
            refreshed = (
                flow.form_for(
                    s, person.person_id, name=None, editing=editing, program_id=program_id
                )
                if fresh is not None and isinstance(form, JoinForm) and fresh.tz != person.tz
                else None
            )
        view = opened.get("view") or {}
        try:
            if fresh is not None and fresh.refusal:
                slack.client.views_update(
                    view_id=view.get("id"),
                    view=notice(copy.JOIN_TITLE, refusal_text(fresh.refusal)),
                )
            elif refreshed is not None and not isinstance(refreshed, Excluded):
                slack.client.views_update(
                    view_id=view.get("id"), hash=view.get("hash"), view=form_view(refreshed)
                )
        except SlackApiError as error:
            # The form is open and usable; a refusal is enforced again when it is submitted.
            log.warning("views.update failed: %s", error.response.get("error"))

    return run
