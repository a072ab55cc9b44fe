"""A revoked token is not forever: once Slack takes the token again, delivery comes back.

The outbox marks a workspace revoked when Slack says token_revoked; a rotated token and a
restart (startup's auth.test), or the leader's periodic check, lift the mark.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from bot.slack_status import SlackStatus, clear_revocation
from models import outbox
from models.tables import Workspace
from testkit.requests import SIGNING_SECRET
from testkit.serve import start_serve
from testkit.slack import BOT_TOKEN, TEAM_ID, FakeSlack
from tests.bot.test_rounds_serve import _eventually
from tests.support.clock import FrozenClock
from tests.support.world import make_workspace

CHANNEL = "C0NEWS0001"


def _revoked_workspace_with_a_message(s: Session, at: datetime) -> None:
    workspace = make_workspace(s, at, team_id=TEAM_ID)
    workspace.token_revoked_at = at
    outbox.enqueue(
        s,
        workspace_id=workspace.id,
        key="news",
        conversation=CHANNEL,
        payload={"text": "Round 3 starts on Monday."},
        at=at,
    )


def _revoked(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(Workspace.token_revoked_at)) is not None


def test_a_restart_with_a_working_token_brings_delivery_back(
    fake_slack: FakeSlack, engine: Engine
) -> None:
    fake_slack.add_channel(CHANNEL, "news")
    with Session(engine) as s, s.begin():
        _revoked_workspace_with_a_message(s, datetime.now(UTC))
    served = start_serve(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        }
    )
    try:
        assert not _revoked(engine)
        _eventually(lambda: bool(fake_slack.messages_in(CHANNEL)), timeout=30)
    finally:
        served.stop()
    assert "Slack takes the token again; delivery resumes" in "".join(served.log), served.log


def test_the_periodic_check_lifts_the_mark_only_once_slack_takes_the_token(
    bot: Mentorbot, fake_slack: FakeSlack, clock: FrozenClock, engine: Engine
) -> None:
    fake_slack.add_channel(CHANNEL, "news")
    with bot.sessions.begin() as s:
        _revoked_workspace_with_a_message(s, clock())
    status = SlackStatus(bot.client, clock)
    fake_slack.inject("auth.test", error="token_revoked")
    assert not clear_revocation(bot.sessions, status.check())
    assert status.last.refused
    bot.deliverer.run_once()
    assert fake_slack.messages_in(CHANNEL) == []
    assert _revoked(engine)

    assert clear_revocation(bot.sessions, status.check())
    assert not _revoked(engine)
    assert bot.deliverer.run_once().sent == 1
    assert [m.text for m in fake_slack.messages_in(CHANNEL)] == ["Round 3 starts on Monday."]
