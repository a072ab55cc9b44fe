"""Enrollment through the real app: join, validation, profile, pause, leave, forget-me, status."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app import Mentorbot
from bot.jobs import resume_paused
from handlers.ids import Action, Block, Callback
from handlers.payloads import JoinForm, encode
from models.tables import (
    AuditEntry,
    Base,
    Enrollment,
    EnrollmentSkill,
    NeverMatch,
    Person,
    Program,
    Workspace,
)
from testkit.requests import SlackDriver, ack_json
from testkit.slack import FakeSlack
from tests.conftest import ADMIN
from tests.support.clock import FrozenClock
from tests.support.enroll_world import (
    EnrollWorld,
    form_state,
    make_enroll_world,
    metadata,
    opened_form,
)
from tests.support.work import live_through
from tests.support.world import (
    arrange_channels,
    make_enrollment,
    make_match,
    make_person,
    make_round,
)

ALICE = "UALICE0001"
BOB = "UBOBBY0001"


def _world(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock, **program: Any) -> EnrollWorld:
    fake.add_user(ALICE, real_name="Alice Ng", tz="America/New_York")
    fake.add_user(BOB, real_name="Bob Roy", tz="Europe/Berlin")
    arrange_channels(fake, ADMIN)
    with bot.sessions.begin() as s:
        return make_enroll_world(s, clock(), **program)


def _drain(bot: Mentorbot) -> None:
    for _ in range(10):
        if bot.deliverer.run_once().sent == 0:
            return


def _dms(fake: FakeSlack, user: str) -> list[str]:
    return [m.text for m in fake.messages_in(fake.dm_channel(user))]


def _rows(s: Session) -> dict[str, int]:
    return {
        t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
        for t in Base.metadata.sorted_tables
        if t.name != "processed_events"
    }


def _join(slack: SlackDriver, fake: FakeSlack, user: str, **answers: Any) -> dict[str, Any]:
    slack.command(user, "join")
    form = opened_form(fake)
    response = slack.submit(
        user,
        Callback.JOIN,
        form_state(**answers),
        private_metadata=metadata(form),
        view_id=form["id"],
    )
    return ack_json(response)


def test_join_opens_the_form_first_and_a_valid_submit_stores_and_confirms(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    slack.command(ALICE, "join")

    methods = [c.method for c in fake_slack.calls if c.method != "auth.test"]
    # Slack had never described Alice: asked first, so the form opens once, in her zone
    assert methods == ["users.info", "views.open"]
    form = opened_form(fake_slack)
    assert "America/New_York" in json.dumps(form["blocks"])
    labels = json.dumps(form["blocks"])
    for field in (
        "Your role",
        "Skills you can teach well",
        "What you want to develop",
        "Your manager",
        "Working days",
        "Never match me with",
        "forget-me",
    ):
        assert field in labels

    goal = world.skills["System design"]
    answer = ack_json(
        slack.submit(
            ALICE,
            Callback.JOIN,
            form_state(
                role="mentee",
                goals=[goal],
                expert=[world.skills["Python"]],  # a mentee offers nothing: dropped
                free_goal="Lead a design review",
            ),
            private_metadata=metadata(form),
            view_id=form["id"],
        )
    )
    # the form turns into what was saved and what comes next
    assert answer["response_action"] == "update"
    assert "You're in *Engineering mentoring* as a mentee" in json.dumps(answer["view"])
    with bot.sessions.begin() as s:
        enrollment = s.scalars(select(Enrollment)).one()
        assert enrollment.role == "mentee"
        assert enrollment.timezone == "America/New_York"
        assert enrollment.free_text_goal == "Lead a design review"
        assert [(k.skill_id, k.kind) for k in enrollment.skills] == [(goal, "seek")]
        assert enrollment.consent_at == clock()
    _drain(bot)
    (dm,) = _dms(fake_slack, ALICE)
    assert "You're in *Engineering mentoring* as a mentee" in dm
    assert "• Skills you offer: none\n• Goals: System design, “Lead a design review”" in dm
    assert "Next matching round: <!date^" in dm


def test_bad_submissions_show_errors_next_to_fields_and_store_nothing(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    slack.command(ALICE, "join")
    form = opened_form(fake_slack)
    with bot.sessions.begin() as s:
        before = _rows(s)
    skill = world.skills["Python"]
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"consent": False, "goals": [skill]}, Block.CONSENT, "agree"),
        ({"role": "mentee"}, Block.GOALS, "goal"),
        ({"role": "mentor"}, Block.OFFER_EXPERT, "skill"),
        ({"role": "mentor", "expert": [skill], "capacity": 9}, Block.CAPACITY, "between 1 and 3"),
        ({"goals": [skill], "start": 17 * 60, "end": 9 * 60}, Block.END, "End after"),
        ({"goals": [skill], "days": []}, Block.DAYS, "working day"),
        ({"goals": list(world.skills.values())[:6]}, Block.GOALS, "at most 5"),
        ({"goals": [skill], "free_goal": "x" * 301}, Block.FREE_GOAL, "under 300"),
        ({"goals": [999_999]}, Block.GOALS, "no longer offered"),
        (
            {"role": "mentor", "expert": [skill], "experienced": [skill]},
            Block.OFFER_EXPERIENCED,
            "one level",
        ),
        ({"role": None, "goals": [skill]}, Block.ROLE, "Choose a role"),
    ]
    for answers, block, words in cases:
        answer = ack_json(
            slack.submit(
                ALICE,
                Callback.JOIN,
                form_state(**answers),
                private_metadata=metadata(form),
                view_id=form["id"],
            )
        )
        assert answer["response_action"] == "errors", answers
        assert words.lower() in answer["errors"][block].lower(), (answers, answer)
    with bot.sessions.begin() as s:
        assert _rows(s) == before
        s.get_one(Program, world.program_id).status = "closed"
    answer = _join(slack, fake_slack, BOB, goals=[skill])
    assert "not taking new people" in answer["errors"][Block.ROLE]
    _drain(bot)
    assert _dms(fake_slack, ALICE) == []


@pytest.mark.parametrize(
    ("flags", "why"),
    [
        ({"deleted": True}, "deactivated"),
        ({"is_bot": True}, "bots"),
        ({"is_restricted": True}, "guest"),
    ],
)
def test_deactivated_bots_and_guests_cannot_enroll(
    bot: Mentorbot,
    slack: SlackDriver,
    fake_slack: FakeSlack,
    clock: FrozenClock,
    flags: dict[str, bool],
    why: str,
) -> None:
    world = _world(bot, fake_slack, clock)
    fake_slack.add_user("UODD000001", **flags)
    slack.command("UODD000001", "join")
    assert not fake_slack.state.views  # new to us, so Slack was asked first: no form at all
    assert why in fake_slack.state.responses[-1]["text"]
    fake_slack.add_user("UODD000002", **flags)
    with bot.sessions.begin() as s:  # known from before: the form opens, then turns into this
        make_person(s, s.get_one(Workspace, world.workspace_id), "UODD000002", clock())
    slack.command("UODD000002", "join")
    (refusal,) = fake_slack.state.views.values()
    assert refusal.get("callback_id") != Callback.JOIN
    assert why in json.dumps(refusal["blocks"])
    answer = ack_json(  # a forged or stale submission is refused the same way
        slack.submit(
            "UODD000001",
            Callback.JOIN,
            form_state(goals=[world.skills["SQL"]]),
            private_metadata=encode(JoinForm(world.program_id, "UTC")),
        )
    )
    assert answer["response_action"] == "update"
    assert why in json.dumps(answer["view"])
    with bot.sessions.begin() as s:
        assert s.scalars(select(Enrollment)).all() == []


def test_a_double_submit_stores_one_enrollment_and_sends_one_dm(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    slack.command(ALICE, "join")
    form = opened_form(fake_slack)
    state = form_state(goals=[world.skills["SQL"]])
    for _ in range(2):
        slack.submit(
            ALICE, Callback.JOIN, state, private_metadata=metadata(form), view_id=form["id"]
        )
    _drain(bot)
    with bot.sessions.begin() as s:
        assert len(s.scalars(select(Enrollment)).all()) == 1
    assert len(_dms(fake_slack, ALICE)) == 1


def test_several_open_programs_start_with_a_choice(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    with bot.sessions.begin() as s:
        from models.tables import Workspace
        from models.taxonomy import seed_default_skills
        from tests.support.world import make_program

        second = make_program(
            s,
            s.get_one(Workspace, world.workspace_id),
            clock(),
            slug="design",
            name="Design circle",
        )
        seed_default_skills(s, second.id, clock())
        second_id = second.id
    slack.command(ALICE, "join")
    choice = [
        v for v in fake_slack.state.views.values() if v.get("callback_id") == Callback.JOIN_PROGRAM
    ]
    assert "Design circle" in json.dumps(choice[0]["blocks"])
    pick = {
        Block.PROGRAM: {
            "v": {"type": "static_select", "selected_option": {"value": str(second_id)}}
        }
    }
    answer = ack_json(slack.submit(ALICE, Callback.JOIN_PROGRAM, pick))
    assert answer["response_action"] == "update"
    assert "Design circle" in json.dumps(answer["view"]["blocks"])
    bad = {Block.PROGRAM: {"v": {"type": "static_select", "selected_option": {"value": "424242"}}}}
    assert ack_json(slack.submit(ALICE, Callback.JOIN_PROGRAM, bad))["response_action"] == "errors"


def test_a_known_person_sees_the_form_first_and_it_follows_a_new_zone(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    with bot.sessions.begin() as s:  # known from an earlier visit, in Lisbon; Slack: New York
        make_person(s, s.get_one(Workspace, world.workspace_id), ALICE, clock(), tz="Europe/Lisbon")
    slack.command(ALICE, "join")
    methods = [c.method for c in fake_slack.calls if c.method != "auth.test"]
    assert methods == ["views.open", "users.info", "views.update"]  # the trigger lives 3 s
    opened = fake_slack.calls_to("views.open")[0].json_arg("view")
    assert "Europe/Lisbon" in json.dumps(opened["blocks"])
    assert "America/New_York" in json.dumps(opened_form(fake_slack)["blocks"])
    slack.command(ALICE, "join")  # the zone is current now: no second update
    assert len(fake_slack.calls_to("views.update")) == 1


def _initial(form: dict[str, Any], block_id: str) -> list[str]:
    block = next(b for b in form["blocks"] if b.get("block_id") == block_id)
    return [o["text"]["text"] for o in block["element"].get("initial_options", [])]


def test_profile_is_prefilled_and_saving_updates_it(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    python, sql = world.skills["Python"], world.skills["SQL"]
    _join(slack, fake_slack, ALICE, role="mentor", expert=[python], capacity=3, never=[BOB])
    slack.command(ALICE, "profile")
    form = opened_form(fake_slack)
    blocks = json.dumps(form["blocks"])
    assert '"initial_users": ["UBOBBY0001"]' in blocks
    assert _initial(form, Block.OFFER_EXPERT) == ["Python"]
    slack.command(BOB, "join")  # renderings are shared; Alice's answers must not travel
    assert _initial(opened_form(fake_slack), Block.OFFER_EXPERT) == []
    answer = ack_json(
        slack.submit(
            ALICE,
            Callback.JOIN,
            form_state(role="both", expert=[python], goals=[sql], capacity=1),
            private_metadata=metadata(form),
            view_id=form["id"] + "x",
        )
    )
    assert "errors" not in answer
    with bot.sessions.begin() as s:
        enrollment = s.scalars(select(Enrollment)).one()
        assert (enrollment.role, enrollment.capacity) == ("both", 1)
        assert s.scalars(select(NeverMatch)).all() == []
    _drain(bot)
    assert "is updated" in _dms(fake_slack, ALICE)[-1]


def test_pause_resume_and_auto_resume(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    assert "not enrolled" in ack_json(slack.command(ALICE, "pause for 2 weeks"))["text"]
    _join(slack, fake_slack, ALICE, goals=[world.skills["SQL"]])
    for text, words in [
        ("pause", "couldn't read"),
        ("pause until someday", "couldn't read"),
        ("pause until 2020-01-01", "passed"),
        ("pause for 0 weeks", "couldn't read"),
        ("pause for 3 fortnights", "couldn't read"),
        ("pause for 30 months", "up to a year"),
    ]:
        assert words in ack_json(slack.command(ALICE, text))["text"], text
    with bot.sessions.begin() as s:
        assert s.scalars(select(Enrollment.status)).one() == "active"

    assert (
        "Paused until Thu 24 Dec 2026"
        in ack_json(slack.command(ALICE, "pause until 2026-12-24"))["text"]
    )
    assert "paused until 24 Dec 2026" in ack_json(slack.command(ALICE, "status"))["text"]
    assert "Welcome back" in ack_json(slack.command(ALICE, "resume"))["text"]
    assert "aren't paused" in ack_json(slack.command(ALICE, "resume"))["text"]

    assert "Mon 07 Dec 2026" in ack_json(slack.command(ALICE, "pause for 2 weeks"))["text"]
    clock.set(datetime(2026, 12, 6, 23, tzinfo=UTC))
    assert resume_paused(bot.sessions, bot.deps.clock) == 0
    clock.set(datetime(2026, 12, 7, 0, 5, tzinfo=UTC))
    assert resume_paused(bot.sessions, bot.deps.clock) == 1
    with bot.sessions.begin() as s:
        enrollment = s.scalars(select(Enrollment)).one()
        assert (enrollment.status, enrollment.paused_until) == ("active", None)


def _matched(bot: Mentorbot, fake: FakeSlack, clock: FrozenClock, world: EnrollWorld) -> int:
    """Alice (enrolled through Slack) matched with Bob, a mentor made directly."""
    with bot.sessions.begin() as s:
        alice = s.scalars(select(Person).where(Person.slack_user_id == ALICE)).one()
        workspace = s.get_one(Workspace, world.workspace_id)
        bob = s.scalars(select(Person).where(Person.slack_user_id == BOB)).one_or_none()
        bob = bob or make_person(s, workspace, BOB, clock())
        program = s.get_one(Program, world.program_id)
        mentor = make_enrollment(s, program, bob, "mentor", clock())
        mentee = s.scalars(select(Enrollment).where(Enrollment.person_id == alice.id)).one()
        round_ = make_round(s, program, clock())
        return make_match(s, round_, [(mentor, "mentor"), (mentee, "mentee")], clock()).id


def test_leave_ends_the_match_kindly_and_tells_only_the_partner(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    _join(slack, fake_slack, ALICE, goals=[world.skills["SQL"]])
    _matched(bot, fake_slack, clock, world)
    assert "matched with <@UBOBBY0001>" in ack_json(slack.command(ALICE, "status"))["text"]
    assert "left *Engineering mentoring*" in ack_json(slack.command(ALICE, "leave"))["text"]
    live_through(bot, clock)  # the partner is told in their own hours
    with bot.sessions.begin() as s:
        enrollment = s.scalars(
            select(Enrollment)
            .join(Person, Person.id == Enrollment.person_id)
            .where(Person.slack_user_id == ALICE)
        ).one()
        assert enrollment.status == "left"
    (notice,) = _dms(fake_slack, BOB)
    assert "come to an end" in notice
    assert "Alice" not in notice
    assert "not enrolled" in ack_json(slack.command(ALICE, "leave"))["text"]


def test_forget_me_asks_first_then_deletes_personal_data(
    bot: Mentorbot, slack: SlackDriver, fake_slack: FakeSlack, clock: FrozenClock
) -> None:
    world = _world(bot, fake_slack, clock)
    _join(
        slack,
        fake_slack,
        ALICE,
        goals=[world.skills["SQL"]],
        free_goal="Private words",
        never=[BOB],
    )
    _matched(bot, fake_slack, clock, world)
    ask = ack_json(slack.command(ALICE, "forget-me"))
    assert "cannot be undone" in ask["text"]
    slack.action(ALICE, Action.FORGET_ME_CANCEL, "keep")
    with bot.sessions.begin() as s:
        assert s.scalars(select(Enrollment)).all() != []

    slack.action(ALICE, Action.FORGET_ME_CONFIRM, "forget")
    slack.action(ALICE, Action.FORGET_ME_CONFIRM, "forget")  # a double click
    with bot.sessions.begin() as s:
        assert s.scalars(select(Person).where(Person.slack_user_id == ALICE)).all() == []
        alice = s.scalars(select(Person).where(Person.forgotten_at.is_not(None))).one()
        assert s.scalars(select(Enrollment).where(Enrollment.person_id == alice.id)).all() == []
        assert s.scalars(select(EnrollmentSkill)).all() == []
        assert s.scalars(select(NeverMatch)).all() == []
        assert (alice.real_name, alice.tz, alice.forgotten_at) == (None, None, clock())
        audits = s.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "person.forget")
        ).all()
        assert audits == ["person.forget"]
    assert any("data is deleted" in str(r.get("text")) for r in fake_slack.state.responses)
    live_through(bot, clock)  # the partner is told in their own hours
    assert len(_dms(fake_slack, BOB)) == 1
    assert "not in any mentoring program" in ack_json(slack.command(ALICE, "status"))["text"]


def test_pause_dates_are_read_in_the_persons_own_zone() -> None:
    from handlers.enrollment import parse_pause

    today = date(2026, 11, 23)
    assert parse_pause(("until", "24", "Dec", "2026"), today) == date(2026, 12, 24)
    assert parse_pause(("for", "3", "weeks"), today) == date(2026, 12, 14)
    assert parse_pause(("for", "1", "month"), today) == date(2026, 12, 23)
