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
from handlers.insight import report_lines, retro_lines
from handlers.payloads import CheckInRef, MatchRef, ProgramRef, RoundRef, SurveyRef, encode
from handlers.text import channel_link, cut, esc, mention, slack_date
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
        )
    )
    return message("\n".join(fallback), blocks)


# --- engagement ---------------------------------------------------------------------------


def _ask(text: str, *buttons: ButtonElement) -> Payload:
    return message(text, [_md(text), _buttons(*buttons)])


@renders(notices.GoalsInvite)
def goals_invite(n: notices.GoalsInvite) -> Payload:
    text = copy.GOALS_INVITE.format(program=esc(n.program_name))
    return _ask(text, _button(copy.GOALS_BUTTON, Action.GOALS_OPEN, encode(MatchRef(n.match_id))))


def checkin_buttons(checkin_id: int) -> ActionsBlock:
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
    )


@renders(notices.CheckInAsk)
def checkin_ask(n: notices.CheckInAsk) -> Payload:
    text = copy.CHECKIN.format(since=f"{n.since:%a %d %b}")
    return message(text, [_md(text), checkin_buttons(n.checkin_id)])


@renders(notices.FirstMeetingNudge)
def first_meeting_nudge(n: notices.FirstMeetingNudge) -> Payload:
    slots = "\n".join(f"• {slack_date(m)}" for m in n.slots)
    text = copy.FIRST_MEETING_NUDGE.format(days=n.days, slots=slots)
    return message(text, [_md(text)])


@renders(notices.KeepGoingAsk)
def keep_going_ask(n: notices.KeepGoingAsk) -> Payload:
    value = encode(SurveyRef(n.survey_id))
    return _ask(
        copy.KEEP_GOING.format(program=esc(n.program_name)),
        _button(copy.KEEP_GOING_YES, Action.KEEP_GOING_YES, value, "primary"),
        _button(copy.KEEP_GOING_NO, Action.KEEP_GOING_NO, value),
    )


def _survey(template: str, program: str, survey_id: int) -> Payload:
    return _ask(
        template.format(program=esc(program)),
        _button(copy.PULSE_BUTTON, Action.PULSE_OPEN, encode(SurveyRef(survey_id)), "primary"),
    )


@renders(notices.PulseAsk)
def pulse_ask(n: notices.PulseAsk) -> Payload:
    return _survey(copy.PULSE, n.program_name, n.survey_id)


@renders(notices.PulseReminder)
def pulse_reminder(n: notices.PulseReminder) -> Payload:
    return _survey(copy.PULSE_REMINDER, n.program_name, n.survey_id)


@renders(notices.FinalSurvey)
def final_survey(n: notices.FinalSurvey) -> Payload:
    return _survey(copy.PULSE_FINAL, n.program_name, n.survey_id)


@renders(notices.MentorInvite)
def mentor_invite(n: notices.MentorInvite) -> Payload:
    text = copy.MENTEE_INVITE.format(program=esc(n.program_name))
    return message(text, [_md(text)])


@renders(notices.CompletedThanks)
def completed_thanks(n: notices.CompletedThanks) -> Payload:
    text = copy.COMPLETED_THANKS.format(program=esc(n.program_name))
    return message(text, [_md(text)])


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
    text = copy.MATCH_ENDED_KINDLY.format(program=esc(n.program_name))
    return message(text, [_md(text)])


# --- insight ------------------------------------------------------------------------------


def report_blocks(lines: Sequence[str]) -> list[Block]:
    return [
        HeaderBlock(text=cut(lines[0], 150)),
        *sections(f"• {line}" for line in lines[1:]),
    ]


@renders(notices.ReportPosted)
def report_posted(n: notices.ReportPosted) -> Payload:
    lines = report_lines(n.report)
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


missing = set(notices.KINDS.values()) - set(RENDERERS)
assert not missing, f"notices without a renderer: {sorted(c.KIND for c in missing)}"
