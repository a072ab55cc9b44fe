"""Fuzzed buttons, modal submissions and events against every registered listener.

Whatever arrives (missing fields, wrong types, unknown options, ids of rows that do not
exist, unicode), the answer is a 200 (or a modal's field errors), and nothing the user
sees is a traceback or an internal-error apology: bad input gets a clear message.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Mentorbot
from handlers.ids import Block
from testkit.requests import TEAM_ID, SlackDriver
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.rounds_world import make_skills
from tests.support.world import (
    ADMIN_CHANNEL,
    PROGRAM_CHANNEL,
    arrange_channels,
    make_enrollment,
    make_match,
    make_person,
    make_program,
    make_round,
    make_workspace,
)

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
USERS = st.sampled_from([ADMIN, "UMENTOR001", "UMENTEE001", "UNOBODY001", ""])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.text(max_size=60),
    st.text(min_size=3000, max_size=3100),
    st.sampled_from(["1", "2", "0", "-1", "9999999", "2026-12-24", "not-a-date", "\u202e"]),
)
ID_VALUES = st.one_of(
    SCALARS.map(lambda v: v if isinstance(v, str) else json.dumps(v)),
    st.dictionaries(
        st.sampled_from(["match_id", "program_id", "round_id", "survey_id", "goal_id", "x"]),
        SCALARS,
        max_size=3,
    ).map(json.dumps),
)
ELEMENT = st.one_of(
    st.fixed_dictionaries({"type": st.just("plain_text_input"), "value": SCALARS}),
    st.fixed_dictionaries(
        {
            "type": st.just("static_select"),
            "selected_option": st.one_of(
                st.none(), st.fixed_dictionaries({"value": st.text(max_size=30)})
            ),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("multi_static_select"),
            "selected_options": st.lists(
                st.fixed_dictionaries({"value": st.text(max_size=30)}), max_size=12
            ),
        }
    ),
    st.fixed_dictionaries(
        {"type": st.just("checkboxes"), "selected_options": st.lists(st.just({"value": "yes"}))}
    ),
    st.fixed_dictionaries(
        {"type": st.just("users_select"), "selected_user": st.one_of(st.none(), USERS)}
    ),
    st.fixed_dictionaries(
        {"type": st.just("multi_users_select"), "selected_users": st.lists(USERS, max_size=5)}
    ),
    st.fixed_dictionaries({"type": st.just("datepicker"), "selected_date": SCALARS}),
    st.fixed_dictionaries({"type": st.just("timepicker"), "selected_time": SCALARS}),
    st.fixed_dictionaries({"type": st.just("number_input"), "value": SCALARS}),
)
BLOCK_IDS = [str(b) for b in Block] or ["b"]


def _world(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock) -> None:
    """Rows for the fuzzed ids to point at: a program, a mentor, a mentee and their match;
    in Slack, its channels with everyone in them. Forged clicks still pair channels and
    people Slack never would, so the refusals those draw are expected."""
    now = clock()
    users = ("UMENTOR001", "UMENTEE001", ADMIN)
    for user in users:
        fake.add_user(user)
    arrange_channels(fake, *users)
    fake.tolerate("channel_not_found", "user_not_in_channel")
    with bot.sessions.begin() as s:
        ws = make_workspace(s, now, TEAM_ID)
        program = make_program(s, ws, now, program_channel_id=PROGRAM_CHANNEL)
        make_skills(s, program, now)  # a program is created with its taxonomy
        mentor = make_enrollment(s, program, make_person(s, ws, "UMENTOR001", now), "mentor", now)
        mentee = make_enrollment(s, program, make_person(s, ws, "UMENTEE001", now), "mentee", now)
        make_match(s, make_round(s, program, now), [(mentor, "mentor"), (mentee, "mentee")], now)


def _nothing_alarming(fake: FakeSlack) -> None:
    shown = [json.dumps(call.args) for call in fake.calls]
    shown += [json.dumps(r) for r in fake.state.responses]
    for text in shown:
        assert "Traceback" not in text
        assert "went wrong on my side" not in text, text[:500]


@FUZZ
@given(data=st.data())
def test_any_button_click_gets_a_clear_answer(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock, data: Any
) -> None:
    if not bot.registrar.actions:
        pytest.skip("no buttons registered")
    if not fake_slack.state.users:
        _world(bot, fake_slack, clock)
    action_id = data.draw(st.sampled_from(sorted(bot.registrar.actions)))
    response = slack.action(
        data.draw(USERS),
        action_id,
        data.draw(ID_VALUES),
        channel_id=data.draw(st.sampled_from([None, ADMIN_CHANNEL, "D0000001"])),
    )
    assert response.status == 200, (action_id, response.body)
    _nothing_alarming(fake_slack)


@FUZZ
@given(data=st.data())
def test_any_modal_submission_gets_a_clear_answer(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock, data: Any
) -> None:
    if not bot.registrar.views:
        pytest.skip("no modals registered")
    if not fake_slack.state.users:
        _world(bot, fake_slack, clock)
    callback_id = data.draw(st.sampled_from(sorted(bot.registrar.views)))
    values = data.draw(
        st.dictionaries(
            st.sampled_from(BLOCK_IDS),
            st.dictionaries(st.sampled_from(["input", "value", "select", "a"]), ELEMENT),
            max_size=len(BLOCK_IDS),
        )
    )
    response = slack.submit(  # forged: no view Slack showed, so no blocks
        data.draw(USERS), callback_id, values, private_metadata=data.draw(ID_VALUES), blocks=None
    )
    assert response.status == 200, (callback_id, response.body)
    if response.body:
        answer = json.loads(response.body)
        assert answer.get("response_action") in {"errors", "update", "clear", "push", None}
        if answer.get("response_action") == "errors":
            assert all(isinstance(v, str) and v for v in answer["errors"].values())
    _nothing_alarming(fake_slack)


EVENT_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "user": st.one_of(
            USERS,
            st.fixed_dictionaries(
                {"id": USERS},
                optional={"deleted": st.booleans(), "is_bot": st.booleans(), "tz": SCALARS},
            ),
        ),
        "channel": st.sampled_from([PROGRAM_CHANNEL, ADMIN_CHANNEL, "CRANDOM001", ""]),
        "tab": st.sampled_from(["home", "messages", ""]),
        "team": st.sampled_from([TEAM_ID, "TOTHER0001"]),
    },
)


@FUZZ
@given(data=st.data())
def test_any_event_is_acknowledged_and_harmless(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock, data: Any
) -> None:
    if not bot.registrar.events:
        pytest.skip("no events subscribed")
    if not fake_slack.state.users:
        _world(bot, fake_slack, clock)
    event = {"type": data.draw(st.sampled_from(sorted(bot.registrar.events)))}
    event.update(data.draw(EVENT_FIELDS))
    response = slack.event(event, retry_num=data.draw(st.one_of(st.none(), st.integers(1, 3))))
    assert response.status == 200, (event, response.body)
    _nothing_alarming(fake_slack)
