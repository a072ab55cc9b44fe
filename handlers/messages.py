"""Every notice rendered into a Slack message: pure functions of the notice, nothing else.

The outbox stores notices; delivery calls `render` just before posting, so what people see
is always built by the code that is running, from values, with every typed piece escaped.
Long content is packed into several sections rather than cut, within Slack's limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from flows import notices
from handlers import chart, copy
from handlers.chart import Point
from handlers.ids import Action
from handlers.insight import noted, report_lines, retro_lines
from handlers.payloads import (
    CheckInRef,
    ConcernRef,
    MatchRef,
    MicroRef,
    ProgramRef,
    RoundRef,
    SurveyRef,
    encode,
)
from handlers.text import channel_link, cut, esc, mention, slack_date
from matching.eligibility import Rules
from matching.schedule_text import describe_schedule
from matching.timing import zone

SECTION_LIMIT = 3000  # characters in a section's text (Block Kit)
MESSAGE_BLOCKS = 50  # blocks in one message
FALLBACK_LIMIT = 3500  # the plain text a notification or screen reader shows

Payload = dict[str, Any]
N = TypeVar("N", bound=notices.Notice)
RENDERERS: dict[type[notices.Notice], Callable[[Any], Payload]] = {}


def renders(kind: type[N]) -> Callable[[Callable[[N], Payload]], Callable[[N], Payload]]:
    def register(fn: Callable[[N], Payload]) -> Callable[[N], Payload]:
        RENDERERS[kind] = fn
        return fn

    return register


def render(notice: notices.Notice) -> Payload:
    """The chat.postMessage arguments (text and blocks, no channel) that show `notice`."""
    return RENDERERS[type(notice)](notice)


def sections(lines: Iterable[str], limit: int = SECTION_LIMIT - 100) -> list[Block]:
    """Lines packed into as few sections as fit; a line longer than a section is cut."""
    out: list[Block] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = cut(line, limit)
        if current and size + len(line) + 1 > limit:
            out.append(SectionBlock(text=MarkdownTextObject(text="\n".join(current))))
            current, size = [], 0
        current.append(line)
        size += len(line) + 1
    if current:
        out.append(SectionBlock(text=MarkdownTextObject(text="\n".join(current))))
    return out


def message(text: str, blocks: Sequence[Block] = ()) -> Payload:
    """A message payload: a fallback that carries the point, and at most 50 blocks."""
    payload: Payload = {"text": cut(text, FALLBACK_LIMIT)}
    if blocks:
        kept = list(blocks)
        if len(kept) > MESSAGE_BLOCKS:
            hidden = len(kept) - MESSAGE_BLOCKS + 1
            kept = [*kept[: MESSAGE_BLOCKS - 1], _md(copy.MORE_NOT_SHOWN.format(n=hidden))]
        payload["blocks"] = [b.to_dict() for b in kept]
    return payload


def _md(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_LIMIT)))


def _buttons(*buttons: ButtonElement) -> ActionsBlock:
    return ActionsBlock(elements=list(buttons))


def _button(
    text: str,
    action: str,
    value: str,
    style: str | None = None,
    confirm: ConfirmObject | None = None,
) -> ButtonElement:
    return ButtonElement(text=text, action_id=action, value=value, style=style, confirm=confirm)


def _confirm(title: str, text: str, yes: str, no: str = "Cancel") -> ConfirmObject:
    return ConfirmObject(title=title, text=text, confirm=yes, deny=no)


def concern_button(match_id: int) -> ButtonElement:
    """On every message about a match: opens a private modal for whoever clicks it, so a
    button in a pair's DM tells the partner nothing."""
    return _button(copy.CONCERN_BUTTON, Action.CONCERN_OPEN, encode(MatchRef(match_id)))


# --- enrollment ---------------------------------------------------------------------------


DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def minutes(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def role_phrase(role: str) -> str:
    return copy.ROLE_PHRASES.get(role, copy.ROLE_PHRASES["peer"])


def next_round_text(when: datetime | None) -> str:
    return copy.ENROLL_NEXT_ROUND.format(when=slack_date(when)) if when else copy.ENROLL_NO_ROUND


def enrollment_summary(n: notices.EnrollmentSaved) -> str:
    goals = [esc(g) for g in n.goals]
    if n.free_goal:
        goals.append(f"“{esc(cut(n.free_goal, 100))}”")
    capacity = copy.ENROLL_CAPACITY.format(n=n.capacity) if n.capacity else ""
    return copy.ENROLL_SUMMARY.format(
        offered=", ".join(esc(o) for o in n.offered) or "none",
        goals=", ".join(goals) or "none",
        days=", ".join(DAY_NAMES[d] for d in n.working_days if 0 <= d < 7),
        start=minutes(n.start_minute),
        end=minutes(n.end_minute),
        tz=esc(n.timezone),
        frequency=copy.FREQUENCIES.get(n.frequency_days or 0, copy.FREQUENCY_ANY),
        capacity=capacity,
    )


def enrollment_lines(n: notices.EnrollmentSaved) -> list[str]:
    head = copy.ENROLL_SAVED_NEW if n.created else copy.ENROLL_SAVED_EDIT
    return [
        head.format(program=esc(n.program_name), role=role_phrase(n.role)),
        enrollment_summary(n),
        next_round_text(n.next_round),
        copy.ENROLL_FOOTER,
    ]


@renders(notices.EnrollmentSaved)
def enrollment_saved(n: notices.EnrollmentSaved) -> Payload:
    text = "\n".join(enrollment_lines(n))
    return message(text, sections([text]))


@renders(notices.ChannelInvite)
def channel_invite(n: notices.ChannelInvite) -> Payload:
    text = copy.INVITE.format(channel=channel_link(n.channel_id), program=esc(n.program_name))
    return message(
        text,
        [
            _md(text),
            _buttons(
                _button(
                    copy.INVITE_JOIN,
                    Action.INVITE_JOIN,
                    encode(ProgramRef(n.program_id)),
                    "primary",
                )
            ),
        ],
    )


@renders(notices.ProgramSaved)
def program_saved(n: notices.ProgramSaved) -> Payload:
    template = copy.PROGRAM_CREATED if n.action == "program.create" else copy.PROGRAM_UPDATED
    text = template.format(
        program=esc(n.program_name),
        slug=esc(n.slug),
        schedule=describe_schedule(n.schedule_rrule),
    )
    return message(text, [_md(text)])


# --- rounds ---------------------------------------------------------------------------------


def _reasons_line(reasons: Mapping[str, int]) -> str:
    return ", ".join(
        f"{copy.ROUND_UNMATCHED_WORDS.get(code, esc(code))} ({n})" for code, n in reasons.items()
    )


def preview_lines(n: notices.RoundPreview) -> list[str]:
    st = n.stats
    title = (copy.ROUND_DRY_RUN_TITLE if n.dry_run else copy.ROUND_PREVIEW_TITLE).format(
        program=esc(n.program_name)
    )
    lines = [title, _counts(st)]
    scores = st.get("scores") or {}
    if "median" in scores:
        buckets = ", ".join(f"≥{low}: {count}" for low, count in scores["buckets"].items() if count)
        lines.append(
            copy.ROUND_PREVIEW_SCORES.format(
                min=scores["min"], median=scores["median"], max=scores["max"], buckets=buckets
            )
        )
    else:
        lines.append(copy.ROUND_PREVIEW_NO_SCORES)
    if st.get("unmatched_reasons"):
        lines.append(
            copy.ROUND_PREVIEW_UNMATCHED.format(reasons=_reasons_line(st["unmatched_reasons"]))
        )
    if st.get("out_of_scope"):
        lines.append(copy.ROUND_PREVIEW_OUT_OF_SCOPE.format(n=st["out_of_scope"]))
    if st.get("at_hours_cap"):
        lines.append(copy.ROUND_PREVIEW_HOURS_CAP.format(n=st["at_hours_cap"]))
    flags = st.get("fairness_flags") or []
    if flags:
        words = "; ".join(
            f"{esc(str(f['attribute']))} {esc(str(f['value']))} matched {f['match_rate']:.0%} "
            f"(overall {st.get('overall_match_rate', 0):.0%})"
            for f in flags
        )
        lines.append(copy.ROUND_PREVIEW_FAIRNESS.format(flags=words))
    else:
        lines.append(copy.ROUND_PREVIEW_NO_FAIRNESS)
    if st.get("certificate"):
        lines.append(copy.ROUND_PREVIEW_OPTIMAL.format(certificate=esc(str(st["certificate"]))))
    if st.get("matches"):
        idle, doubled = int(st.get("idle_mentors") or 0), int(st.get("mentors_with_two_plus") or 0)
        if idle == 0 or doubled == 0:
            lines.append(copy.ROUND_PREVIEW_LOAD_EVEN)
        else:
            lines.append(
                copy.ROUND_PREVIEW_LOAD.format(
                    doubled=doubled, idle=idle, cost=float(st.get("load_spread_cost") or 0)
                )
            )
    gaps = st.get("coverage_gaps") or []
    if gaps:
        words = "; ".join(
            copy.ROUND_PREVIEW_GAP.format(
                skill=esc(str(g["skill"])), demand=g["demand"], slots=g["slots"], unmet=g["unmet"]
            )
            for g in gaps[:5]
        )
        lines.append(copy.ROUND_PREVIEW_GAPS.format(gaps=words))
    return lines


def _counts(st: Mapping[str, Any]) -> str:
    return copy.ROUND_PREVIEW_COUNTS.format(
        matches=st.get("matches", 0),
        matched=st.get("matched_people", 0),
        unmatched=st.get("unmatched", 0),
        participants=st.get("participants", 0),
    )


@renders(notices.RoundPreview)
def round_preview(n: notices.RoundPreview) -> Payload:
    """The admin channel's preview: counts, scores, reasons, fairness, gaps, a sample."""
    lines = preview_lines(n)
    blocks: list[Block] = sections(lines)
    if n.pairs:
        sample = [copy.ROUND_PREVIEW_SAMPLE] + [
            copy.ROUND_PREVIEW_PAIR.format(
                names=" & ".join(esc(name) for name in pair.names),
                score=pair.score,
                reasons="; ".join(esc(r) for r in pair.reasons[:3]) or "-",
            )
            for pair in n.pairs
        ]
        blocks += sections(sample)
    if not n.dry_run:
        value = encode(RoundRef(n.round_id))
        matches = int(n.stats.get("matches", 0) or 0)
        blocks.append(
            _buttons(
                _button(
                    copy.ROUND_APPROVE,
                    Action.ROUND_APPROVE,
                    value,
                    "primary",
                    _confirm(
                        copy.ROUND_APPROVE_CONFIRM_TITLE,
                        copy.ROUND_APPROVE_CONFIRM.format(matches=matches),
                        copy.ROUND_APPROVE,
                    ),
                ),
                _button(copy.ROUND_DISCARD, Action.ROUND_DISCARD, value, "danger"),
                _button(copy.ROUND_RERUN, Action.ROUND_RERUN, value),
            )
        )
    return message(f"{lines[0]}\n{lines[1]}", blocks)


@renders(notices.RoundDecision)
def round_decision(n: notices.RoundDecision) -> Payload:
    who = mention(n.by_slack_user_id) if n.by_slack_user_id else copy.NOBODY
    program = esc(n.program_name)
    if n.decision in ("approved", "introduced"):
        template = copy.ROUND_APPROVED if n.decision == "approved" else copy.ROUND_INTRODUCED
        text = template.format(user=who, program=program, matches=n.matches)
        if n.first_intro_at and n.last_intro_at:
            text += " " + copy.ROUND_INTROS_LAND.format(
                first=slack_date(n.first_intro_at), last=slack_date(n.last_intro_at)
            )
        if n.reach_all_by and n.last_intro_at and n.reach_all_by > n.last_intro_at:
            text += " " + copy.ROUND_INTROS_PACED.format(by=slack_date(n.reach_all_by))
    elif n.decision == "discarded":
        text = copy.ROUND_DISCARDED.format(user=who, program=program)
    else:
        text = copy.ROUND_RERUN_DONE.format(user=who, program=program)
    return message(text, [_md(text)])


@renders(notices.RoundExpired)
def round_expired(n: notices.RoundExpired) -> Payload:
    text = copy.ROUND_EXPIRED.format(program=esc(n.program_name))
    return message(text, [_md(text)])


def _role_word(role: str) -> str:
    return {"mentor": copy.INTRO_ROLE_MENTOR, "mentee": copy.INTRO_ROLE_MENTEE}.get(
        role, copy.INTRO_ROLE_PEER
    )


def _local_time(moment: datetime, tz: str) -> str:
    return moment.astimezone(zone(tz)).strftime("%a %d %b %H:%M")


@renders(notices.MatchIntro)
def match_intro(n: notices.MatchIntro) -> Payload:
    """The group DM that introduces a match: who, why, goals, times, what we ask, buttons."""
    names = ", ".join(esc(m.name) for m in n.members)
    who = [copy.INTRO_HELLO.format(program=esc(n.program_name))]
    for m in n.members:
        title = f", {esc(m.title)}" if m.title else ""
        who.append(
            copy.INTRO_WHO.format(
                user=mention(m.slack_user_id), role=_role_word(m.role), title=title
            )
        )
    mentor = next((m for m in n.members if m.role == "mentor"), None)
    mentee = next((m for m in n.members if m.role == "mentee"), None)
    if n.reverse and mentor is not None and mentee is not None:
        who.append(
            copy.INTRO_REVERSE.format(
                mentor=mention(mentor.slack_user_id), mentee=mention(mentee.slack_user_id)
            )
        )
    blocks: list[Block] = sections(who)
    fallback = [copy.INTRO_TEXT.format(program=esc(n.program_name), names=names)]
    if n.reasons:
        heading = copy.INTRO_WHY if len(n.members) == 2 else copy.INTRO_WHY_GROUP
        why = [f"• {esc(r)}" for r in n.reasons[:3]]
        blocks += sections([heading, *why])
        fallback += [heading.strip("*"), *why]
    for m in n.members:
        if m.goals:
            blocks += sections(
                [copy.INTRO_GOALS.format(name=esc(m.name))] + [f"• {esc(g)}" for g in m.goals[:5]]
            )
    if n.slots:
        lines = [copy.INTRO_SLOTS]
        for slot in n.slots:
            local = " · ".join(
                copy.INTRO_SLOT_LOCAL.format(name=esc(m.name), time=_local_time(slot, m.timezone))
                for m in n.members
            )
            lines.append(
                copy.INTRO_SLOT.format(
                    epoch=int(slot.timestamp()),
                    fallback=slot.astimezone(UTC).strftime("%a %d %b %H:%M UTC"),
                    local=local,
                )
            )
        blocks += sections(lines)
    else:
        blocks.append(_md(copy.INTRO_NO_SLOTS))
    expectations = (
        esc(n.expectations)
        if n.expectations
        else copy.INTRO_EXPECTATIONS.format(cadence=n.cadence_days, weeks=n.engagement_weeks)
    )
    blocks.append(DividerBlock())
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=cut(expectations, SECTION_LIMIT))])
    )
    value = encode(MatchRef(n.match_id))
    blocks.append(
        _buttons(
            _button(copy.INTRO_SCHEDULED, Action.SCHEDULED, value, "primary"),
            _button(
                copy.INTRO_NOT_A_GOOD_FIT,
                Action.NOT_A_GOOD_FIT,
                value,
                confirm=_confirm(
                    copy.NOT_A_GOOD_FIT_CONFIRM_TITLE,
                    copy.NOT_A_GOOD_FIT_CONFIRM,
                    copy.NOT_A_GOOD_FIT_CONFIRM_YES,
                ),
            ),
            concern_button(n.match_id),
        )
    )
    return message("\n".join(fallback), blocks)


# --- engagement ---------------------------------------------------------------------------


def _ask(text: str, *buttons: ButtonElement) -> Payload:
    return message(text, [_md(text), _buttons(*buttons)])


def _about_match(text: str, match_id: int) -> Payload:
    """A message about a match that asks nothing: its words and the concern button."""
    return _ask(text, concern_button(match_id))


@renders(notices.GoalsInvite)
def goals_invite(n: notices.GoalsInvite) -> Payload:
    text = copy.GOALS_INVITE.format(program=esc(n.program_name))
    return _ask(
        text,
        _button(copy.GOALS_BUTTON, Action.GOALS_OPEN, encode(MatchRef(n.match_id))),
        concern_button(n.match_id),
    )


def checkin_buttons(checkin_id: int, match_id: int) -> ActionsBlock:
    value = encode(CheckInRef(checkin_id))
    return _buttons(
        _button(copy.CHECKIN_MET, Action.CHECKIN_MET, value, "primary"),
        _button(copy.CHECKIN_NOT_YET, Action.CHECKIN_NOT_YET, value),
        _button(copy.CHECKIN_RESCHEDULING, Action.CHECKIN_RESCHEDULING, value),
        _button(
            copy.CHECKIN_END,
            Action.CHECKIN_END,
            value,
            confirm=_confirm(
                copy.END_MATCH_CONFIRM_TITLE, copy.END_MATCH_CONFIRM, copy.END_MATCH_CONFIRM_YES
            ),
        ),
        concern_button(match_id),
    )


@renders(notices.CheckInAsk)
def checkin_ask(n: notices.CheckInAsk) -> Payload:
    text = copy.CHECKIN.format(since=f"{n.since:%a %d %b}")
    return message(text, [_md(text), checkin_buttons(n.checkin_id, n.match_id)])


@renders(notices.FirstMeetingNudge)
def first_meeting_nudge(n: notices.FirstMeetingNudge) -> Payload:
    slots = "\n".join(f"• {slack_date(m)}" for m in n.slots)
    text = copy.FIRST_MEETING_NUDGE.format(days=n.days, slots=slots)
    return _about_match(text, n.match_id)


@renders(notices.KeepGoingAsk)
def keep_going_ask(n: notices.KeepGoingAsk) -> Payload:
    value = encode(SurveyRef(n.survey_id))
    return _ask(
        copy.KEEP_GOING.format(program=esc(n.program_name)),
        _button(copy.KEEP_GOING_YES, Action.KEEP_GOING_YES, value, "primary"),
        _button(copy.KEEP_GOING_NO, Action.KEEP_GOING_NO, value),
        concern_button(n.match_id),
    )


def _survey(template: str, n: notices.SurveyAsk) -> Payload:
    return _ask(
        template.format(program=esc(n.program_name)),
        _button(copy.PULSE_BUTTON, Action.PULSE_OPEN, encode(SurveyRef(n.survey_id)), "primary"),
        concern_button(n.match_id),
    )


@renders(notices.PulseAsk)
def pulse_ask(n: notices.PulseAsk) -> Payload:
    return _survey(copy.PULSE, n)


@renders(notices.PulseReminder)
def pulse_reminder(n: notices.PulseReminder) -> Payload:
    return _survey(copy.PULSE_REMINDER, n)


@renders(notices.FinalSurvey)
def final_survey(n: notices.FinalSurvey) -> Payload:
    return _survey(copy.PULSE_FINAL, n)


@renders(notices.MentorInvite)
def mentor_invite(n: notices.MentorInvite) -> Payload:
    return _about_match(copy.MENTEE_INVITE.format(program=esc(n.program_name)), n.match_id)


@renders(notices.CompletedThanks)
def completed_thanks(n: notices.CompletedThanks) -> Payload:
    return _about_match(copy.COMPLETED_THANKS.format(program=esc(n.program_name)), n.match_id)


@renders(notices.Kudos)
def kudos(n: notices.Kudos) -> Payload:
    text = copy.KUDOS.format(
        mentor=mention(n.mentor_slack_user_id),
        mentee=mention(n.mentee_slack_user_id),
        program=esc(n.program_name),
    )
    return message(text, [_md(text)])


@renders(notices.MatchEnded)
def match_ended(n: notices.MatchEnded) -> Payload:
    return _about_match(copy.MATCH_ENDED_KINDLY.format(program=esc(n.program_name)), n.match_id)


# --- insight ------------------------------------------------------------------------------


def report_blocks(lines: Sequence[str]) -> list[Block]:
    return [
        HeaderBlock(text=cut(lines[0], 150)),
        *sections(f"• {line}" for line in lines[1:]),
    ]


def _count(value: int | None) -> str:
    return copy.FIGURE_HIDDEN if value is None else str(value)


def hours_lines(h: notices.HoursFigures | None) -> list[str]:
    if h is None:
        return []
    if h.suppressed:
        return [copy.REPORT_HOURS_SUPPRESSED]
    if h.capped == 0:
        return [copy.REPORT_HOURS_NO_CAPS.format(hours=h.hours, mentors=h.mentors)]
    if h.mean_share is None:
        return [copy.REPORT_HOURS_FEW_CAPS.format(hours=h.hours, mentors=h.mentors)]
    lines = [
        copy.REPORT_HOURS.format(
            hours=h.hours,
            mentors=h.mentors,
            capped=_count(h.capped),
            share=f"{h.mean_share:.0%}",
            at_cap=_count(h.at_cap),
        )
    ]
    if h.groups:
        words = ", ".join(f"{esc(name)} {share:.0%}" for name, share in h.groups)
        lines.append(copy.REPORT_HOURS_GROUPS.format(groups=words))
    return lines


def micro_lines(m: notices.MicroFigures | None) -> list[str]:
    if m is None or m.asked == 0:
        return []
    helped = copy.FIGURE_HIDDEN if m.helped is None else f"{m.helped} of {m.helped_of}"
    return [
        copy.REPORT_MICRO.format(
            asked=_count(m.asked),
            accepted=_count(m.accepted),
            held=_count(m.held),
            unavailable=_count(m.unavailable),
            helped=helped,
        )
    ]


@renders(notices.ReportPosted)
def report_posted(n: notices.ReportPosted) -> Payload:
    own = [line for line in report_lines(n.report) if line != copy.FIGURES_HIDDEN_NOTE]
    lines = noted([*own, *hours_lines(n.hours), *micro_lines(n.micro)])
    return message("\n".join(lines), report_blocks(lines))


@renders(notices.RoundRetro)
def round_retro(n: notices.RoundRetro) -> Payload:
    lines = retro_lines(n.retro)
    return message("\n".join(lines), report_blocks(lines))


@renders(notices.ReportChart)
def report_chart(n: notices.ReportChart) -> Payload:
    points = [Point(p.label, p.match_rate, p.pulse) for p in n.points]
    return {
        "upload": {
            "content": chart.render(points),
            "filename": f"{n.slug}-rounds-{n.day:%Y%m%d}.png",
            "title": copy.CHART_TITLE.format(program=n.program_name),
            "initial_comment": copy.CHART_LEGEND,
            "alt_txt": chart.alt_text(points),
        }
    }


@renders(notices.MatchesExport)
def matches_export(n: notices.MatchesExport) -> Payload:
    return {
        "upload": {
            "content": n.csv,
            "filename": f"{n.slug}-matches-{n.day:%Y%m%d}.csv",
            "title": copy.EXPORT_TITLE.format(program=n.program_name),
        }
    }


@renders(notices.WorkNote)
def work_note(n: notices.WorkNote) -> Payload:
    template = copy.WORK_NOTES.get(n.outcome, copy.WORK_NOTES["failed"])
    text = template.format(
        what=copy.WORK_WHAT.get(n.what, n.what), program=esc(n.program_name), detail=esc(n.detail)
    )
    return message(text, [_md(text)])


# --- eligibility ----------------------------------------------------------------------------


def _names(names: Sequence[str]) -> str:
    shown = [esc(n) for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def rules_text(rules: Rules) -> str:
    """The program's eligibility rules in words (department, level, tenure, location)."""
    parts = []
    if rules.departments:
        parts.append(copy.RULE_DEPARTMENT.format(names=_names(rules.departments)))
    low, high = rules.min_level, rules.max_level
    if low is not None and high is not None:
        parts.append(copy.RULE_LEVEL_RANGE.format(low=low, high=high))
    elif low is not None:
        parts.append(copy.RULE_LEVEL_MIN.format(low=low))
    elif high is not None:
        parts.append(copy.RULE_LEVEL_MAX.format(high=high))
    if rules.min_tenure_months is not None:
        parts.append(copy.RULE_TENURE.format(months=rules.min_tenure_months))
    if rules.locations:
        parts.append(copy.RULE_LOCATION.format(names=_names(rules.locations)))
    return "; ".join(parts)


def open_to(program: str, rules: Rules) -> str:
    return copy.OPEN_TO.format(program=esc(program), rules=rules_text(rules))


def excluded_text(program: str, rules: Rules) -> str:
    return copy.EXCLUDED_JOIN.format(open_to=open_to(program, rules))


@renders(notices.OutOfScope)
def out_of_scope(n: notices.OutOfScope) -> Payload:
    text = copy.OUT_OF_SCOPE.format(open_to=open_to(n.program_name, n.rules))
    return message(text, [_md(text)])


# --- micro-mentoring ---------------------------------------------------------------------


def _times(slots: Sequence[datetime]) -> str:
    return ", ".join(slack_date(slot) for slot in slots)


@renders(notices.MicroProposal)
def micro_proposal(n: notices.MicroProposal) -> Payload:
    text = copy.MICRO_PROPOSAL.format(
        asker=mention(n.asker_slack_user_id),
        minutes=n.minutes,
        skill=esc(n.skill),
        program=esc(n.program_name),
    )
    lines = [text]
    if n.suggested_by:
        lines.append(copy.MICRO_PROPOSAL_SUGGESTED.format(suggester=mention(n.suggested_by)))
    if n.topic:
        lines.append(copy.MICRO_TOPIC.format(topic=esc(n.topic)))
    if n.slots:
        lines.append(copy.MICRO_TIMES.format(times=_times(n.slots)))
    value = encode(MicroRef(n.request_id))
    return message(
        "\n".join(lines),
        [
            *sections(lines),
            _buttons(
                _button(copy.MICRO_ACCEPT, Action.MICRO_ACCEPT, value, "primary"),
                _button(copy.MICRO_DECLINE, Action.MICRO_DECLINE, value),
                _button(copy.MICRO_SUGGEST, Action.MICRO_SUGGEST, value),
            ),
        ],
    )


@renders(notices.MicroIntro)
def micro_intro(n: notices.MicroIntro) -> Payload:
    head = copy.MICRO_INTRO.format(
        expert=mention(n.expert_slack_user_id),
        minutes=n.minutes,
        asker=mention(n.asker_slack_user_id),
        skill=esc(n.skill),
        program=esc(n.program_name),
    )
    lines = [head]
    if n.topic:
        lines.append(copy.MICRO_TOPIC.format(topic=esc(n.topic)))
    if n.slots:
        lines += [copy.MICRO_INTRO_SLOTS, *(f"• {slack_date(slot)}" for slot in n.slots)]
    else:
        lines.append(copy.MICRO_INTRO_NO_SLOTS)
    fallback = copy.MICRO_INTRO_TEXT.format(
        expert=mention(n.expert_slack_user_id),
        asker=mention(n.asker_slack_user_id),
        minutes=n.minutes,
        skill=esc(n.skill),
    )
    return message(fallback, sections(lines))


MICRO_OUTCOMES = (
    (copy.MICRO_HELPED, Action.MICRO_HELPED),
    (copy.MICRO_SOMEWHAT, Action.MICRO_SOMEWHAT),
    (copy.MICRO_NOT_HELPED, Action.MICRO_NOT_HELPED),
    (copy.MICRO_NOT_MET, Action.MICRO_NOT_MET),
)


@renders(notices.MicroFollowUp)
def micro_followup(n: notices.MicroFollowUp) -> Payload:
    text = copy.MICRO_FOLLOWUP.format(expert=mention(n.expert_slack_user_id), skill=esc(n.skill))
    value = encode(MicroRef(n.request_id))
    return _ask(text, *(_button(words, action, value) for words, action in MICRO_OUTCOMES))


@renders(notices.MicroUnavailable)
def micro_unavailable(n: notices.MicroUnavailable) -> Payload:
    text = copy.MICRO_UNAVAILABLE.format(skill=esc(n.skill), program=esc(n.program_name))
    return message(text, [_md(text)])


# --- concerns -------------------------------------------------------------------------------


def concern_actions(concern_id: int, *, about_match: bool) -> ActionsBlock:
    value = encode(ConcernRef(concern_id))
    buttons = []
    if about_match:
        buttons += [
            _button(copy.CONCERN_PAUSE, Action.CONCERN_PAUSE, value),
            _button(copy.CONCERN_RESUME, Action.CONCERN_RESUME, value),
            _button(
                copy.CONCERN_END,
                Action.CONCERN_END,
                value,
                "danger",
                _confirm(
                    copy.CONCERN_END_CONFIRM_TITLE, copy.CONCERN_END_CONFIRM, copy.CONCERN_END_YES
                ),
            ),
        ]
    buttons += [
        _button(copy.CONCERN_REPLY, Action.CONCERN_REPLY, value, "primary"),
        _button(copy.CONCERN_RESOLVE, Action.CONCERN_RESOLVE, value),
    ]
    return _buttons(*buttons)


@renders(notices.ConcernReport)
def concern_report(n: notices.ConcernReport) -> Payload:
    head = copy.CONCERN_REPORT.format(
        program=esc(n.program_name),
        category=copy.CONCERN_CATEGORIES.get(n.category, esc(n.category)).lower(),
        reporter=mention(n.reporter),
    )
    lines = [head]
    if n.members:
        lines.append(
            copy.CONCERN_REPORT_MATCH.format(
                members=", ".join(mention(m) for m in n.members),
                since=f"{n.match_since:%d %b %Y}" if n.match_since else "-",
                state=esc(n.match_state or ""),
                paused="",
            )
        )
    else:
        lines.append(copy.CONCERN_REPORT_NO_MATCH)
    lines.append(copy.CONCERN_REPORT_TEXT.format(text=esc(n.text)))
    lines.append(copy.CONCERN_REPORT_REPLY if n.wants_reply else copy.CONCERN_REPORT_NO_REPLY)
    return message(
        head, [*sections(lines), concern_actions(n.concern_id, about_match=bool(n.members))]
    )


def reached_words(reached: int) -> str:
    return copy.CONCERN_REACHED.get(reached, copy.CONCERN_REACHED_MANY.format(n=reached))


@renders(notices.ConcernReceived)
def concern_received(n: notices.ConcernReceived) -> Payload:
    if not n.reached:
        text = copy.CONCERN_NOBODY
    else:
        text = copy.CONCERN_RECEIVED.format(
            program=esc(n.program_name),
            who=reached_words(n.reached),
            reply=copy.CONCERN_REPLY_YES if n.wants_reply else copy.CONCERN_REPLY_NO,
        )
    return message(text, [_md(text)])


@renders(notices.ConcernReply)
def concern_reply(n: notices.ConcernReply) -> Payload:
    text = copy.CONCERN_REPLY_MESSAGE.format(
        program=esc(n.program_name), text=esc(n.text).replace("\n", "\n>")
    )
    return message(text, [_md(text)])


# --- recognition ----------------------------------------------------------------------------


def impact_lines(f: notices.ImpactFigures) -> list[str]:
    cap = copy.IMPACT_CAP.format(cap=f.cap) if f.cap is not None else ""
    lines = [
        copy.IMPACT_PEOPLE.format(n=f.people),
        copy.IMPACT_MATCHES.format(n=f.matches, completed=f.completed),
        copy.IMPACT_MICRO.format(n=f.micro_sessions),
        copy.IMPACT_GOALS.format(n=f.goals_reached),
        copy.IMPACT_HOURS.format(hours=f.hours, month=f.hours_this_month, cap=cap),
    ]
    if f.recommend is not None:
        whole = f.recommend_answers // 5 * 5
        lines.append(copy.IMPACT_RECOMMEND.format(n=whole, score=f.recommend))
    else:
        lines.append(copy.IMPACT_RECOMMEND_WAIT.format(n=f.recommend_answers))
    if f.programs:
        lines.append(copy.IMPACT_PROGRAMS.format(names=", ".join(esc(p) for p in f.programs)))
    return lines


def share_button() -> ButtonElement:
    return _button(copy.IMPACT_SHARE, Action.IMPACT_SHARE, "share", "primary")


@renders(notices.ImpactSummary)
def impact_summary(n: notices.ImpactSummary) -> Payload:
    lines = [copy.IMPACT_COMPLETED.format(program=esc(n.program_name)), *impact_lines(n.figures)]
    return message("\n".join(lines), [*sections(lines), _buttons(share_button())])


def card_text(mentor: str, f: notices.ImpactFigures) -> str:
    programs = (
        copy.CARD_PROGRAMS.format(names=", ".join(esc(p) for p in f.programs)) if f.programs else ""
    )
    return copy.CARD.format(
        mentor=mention(mentor),
        people=f.people,
        hours=f.hours,
        goals=f.goals_reached,
        programs=programs,
    )


@renders(notices.ThankYouCard)
def thank_you_card(n: notices.ThankYouCard) -> Payload:
    text = card_text(n.mentor_slack_user_id, n.figures)
    return message(text, [_md(text)])


@renders(notices.ShareFailed)
def share_failed(n: notices.ShareFailed) -> Payload:
    text = copy.SHARE_FAILED.format(channel=channel_link(n.channel_id))
    return message(text, [_md(text)])


@renders(notices.ImpactThanks)
def impact_thanks(n: notices.ImpactThanks) -> Payload:
    month = datetime.strptime(n.month, "%Y-%m").strftime("%B %Y")  # noqa: DTZ007 (a label)
    if n.mentors is not None:
        text = copy.THANKS_POST.format(
            program=esc(n.program_name),
            month=month,
            mentors=n.mentors,
            hours=n.hours or 0,
            sessions=n.sessions or 0,
            people=n.people or 0,
        )
    else:
        text = copy.THANKS_POST_SMALL.format(program=esc(n.program_name), month=month)
    if n.named:
        text += " " + copy.THANKS_NAMED.format(names=", ".join(mention(u) for u in n.named))
    return message(text, [_md(text)])


missing = set(notices.KINDS.values()) - set(RENDERERS)
assert not missing, f"notices without a renderer: {sorted(c.KIND for c in missing)}"
