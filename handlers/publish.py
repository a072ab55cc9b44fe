"""Publishing a person's App Home after something changed what it shows (or on opening it).

Shared by Home's own buttons, the join form and every other place that changes a person's
enrollment; it runs after the ack, since it calls Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk.errors import SlackApiError

from flows import enrollment as flow
from handlers.context import Deps
from handlers.listen import Slack, authority_of
from handlers.status import home_view

log = logging.getLogger("mentorbot.home")


def publish(deps: Deps, team_id: str, user_id: str) -> Callable[[Slack], None]:
    """After the ack: build the person's Home from the database and publish it."""

    def run(slack: Slack) -> None:
        if not team_id or not user_id:
            return
        admin = authority_of(deps, team_id, user_id)
        with deps.sessions.begin() as s:
            view = home_view(flow.home(s, team_id, user_id, admin=admin, at=deps.clock()))
        try:
            slack.client.views_publish(user_id=user_id, view=view)
        except SlackApiError as err:
            log.warning("views.publish for %s failed: %s", user_id, err.response.get("error"))

    return run
