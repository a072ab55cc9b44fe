"""Rounds in Slack: run one, preview it to admins, approve it, introduce every match.

Every message goes through the outbox in the transaction that decided it; the preview's
buttons move the round on only from 'proposed', so a double click has one effect.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    SectionBlock,
)
from sqlalchemy.orm import Session

from handlers import copy
from handlers.commands import CommandRequest, CommandRouter, CommandTools, Reply
from handlers.context import Deps
from handlers.ids import Action
from handlers.notify import end_match_kindly
from matching import rounds
from matching.timing import pattern_of, suggest_slots, working_intervals, zone
from models import outbox
from models import rounds as store
from models.admins import is_admin
from models.audit import record
from models.errors import InvalidError, NotFoundError
from models.outbox import PendingMessage
from models.programs import resolve_program
from models.tables import Match, Person, Program, Round, Workspace
from models.workspace import ensure_person, get_person, get_workspace

if TYPE_CHECKING:  # the registry imports this module
    from handlers.registry import Registrar

log = logging.getLogger("mentorbot.rounds")

# conversations.open errors that mean a member is gone for good.
VANISHED_ERRORS = frozenset({"user_disabled", "user_not_found", "users_not_found"})
MAX_TEXT = 2900  # Slack's section text limit is 3000 characters


@dataclass(frozen=True)
class RoundValue:
    """The preview buttons' value."""

    round_id: int

    def dump(self) -> str:
        return json.dumps({"round_id": self.round_id})

    @classmethod
    def load(cls, raw: str) -> RoundValue:
        try:
            return cls(int(json.loads(raw)["round_id"]))
        except (ValueError, KeyError, TypeError):
            raise InvalidError("That button is out of date.") from None


# --- builders ----------------------------------------------------------------------------


def _md(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:MAX_TEXT]))


def _reasons_line(reasons: Mapping[str, int]) -> str:
    return ", ".join(
        f"{copy.ROUND_UNMATCHED_WORDS.get(code, code)} ({n})" for code, n in reasons.items()
    )


def round_preview(
    outcome: rounds.RoundOutcome, program_name: str
) -> tuple[str, list[dict[str, Any]]]:
    """The admin channel's preview: counts, scores, reasons, fairness, gaps, a sample."""
    st = outcome.stats
    title = (copy.ROUND_DRY_RUN_TITLE if outcome.dry_run else copy.ROUND_PREVIEW_TITLE).format(
        program=program_name
    )
    counts = copy.ROUND_PREVIEW_COUNTS.format(
        matches=st.get("matches", 0),
        matched=st.get("matched_people", 0),
        unmatched=st.get("unmatched", 0),
        participants=st.get("participants", 0),
    )
    scores = st.get("scores") or {}
    if "median" in scores:
        buckets = ", ".join(f"≥{low}: {n}" for low, n in scores["buckets"].items() if n)
        score_line = copy.ROUND_PREVIEW_SCORES.format(
            min=scores["min"], median=scores["median"], max=scores["max"], buckets=buckets
        )
    else:
        score_line = copy.ROUND_PREVIEW_NO_SCORES
    lines = [title, counts, score_line]
    if st.get("unmatched_reasons"):
        lines.append(
            copy.ROUND_PREVIEW_UNMATCHED.format(reasons=_reasons_line(st["unmatched_reasons"]))
        )
    flags = st.get("fairness_flags") or []
    if flags:
        words = "; ".join(
            f"{f['attribute']} {f['value']} matched {f['match_rate']:.0%} "
            f"(overall {st.get('overall_match_rate', 0):.0%})"
            for f in flags
        )
        lines.append(copy.ROUND_PREVIEW_FAIRNESS.format(flags=words))
    else:
        lines.append(copy.ROUND_PREVIEW_NO_FAIRNESS)
    gaps = st.get("coverage_gaps") or []
    if gaps:
        words = "; ".join(
            f"{g['skill']}: {g['demand']} want it, {g['slots']} slots, {g['unmet']} unmet"
            for g in gaps[:5]
        )
        lines.append(copy.ROUND_PREVIEW_GAPS.format(gaps=words))
    blocks: list[Block] = [_md("\n".join(lines))]
    if outcome.pairs:
        sample = [copy.ROUND_PREVIEW_SAMPLE]
        for pair in outcome.pairs:
            sample.append(
                copy.ROUND_PREVIEW_PAIR.format(
                    names=" & ".join(pair.names),
                    score=pair.score,
                    reasons="; ".join(pair.reasons[:3]) or "-",
                )
            )
        blocks.append(_md("\n".join(sample)))
    if not outcome.dry_run:
        value = RoundValue(outcome.round_id).dump()
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=copy.ROUND_APPROVE,
                        action_id=Action.ROUND_APPROVE,
                        value=value,
                        style="primary",
                    ),
                    ButtonElement(
                        text=copy.ROUND_DISCARD,
                        action_id=Action.ROUND_DISCARD,
                        value=value,
                        style="danger",
                    ),
                    ButtonElement(text=copy.ROUND_RERUN, action_id=Action.ROUND_RERUN, value=value),
                ]
            )
        )
    text = f"{title}\n{counts}"
    return text, [b.to_dict() for b in blocks]


def _role_word(role: str) -> str:
    return {
        "mentor": copy.INTRO_ROLE_MENTOR,
        "mentee": copy.INTRO_ROLE_MENTEE,
    }.get(role, copy.INTRO_ROLE_PEER)


def _local_time(moment: datetime, tz: str) -> str:
    return moment.astimezone(zone(tz)).strftime("%a %d %b %H:%M")


def match_intro(
    intro: rounds.IntroMatch, slots: list[datetime]
) -> tuple[str, list[dict[str, Any]]]:
    """The group DM that introduces a match: who, why, goals, times, what we ask, buttons."""
    names = ", ".join(m.name for m in intro.members)
    text = copy.INTRO_TEXT.format(program=intro.program_name, names=names)
    who = [copy.INTRO_HELLO.format(program=intro.program_name)]
    for m in intro.members:
        title = f", {m.title}" if m.title else ""
        who.append(
            copy.INTRO_WHO.format(user=m.slack_user_id, role=_role_word(m.role), title=title)
        )
    blocks: list[Block] = [_md("\n".join(who))]
    if intro.reasons:
        heading = copy.INTRO_WHY if len(intro.members) == 2 else copy.INTRO_WHY_GROUP
        blocks.append(_md(heading + "\n" + "\n".join(f"• {r}" for r in intro.reasons[:3])))
    for m in intro.members:
        if m.goals:
            blocks.append(
                _md(
                    copy.INTRO_GOALS.format(name=m.name)
                    + "\n"
                    + "\n".join(f"• {g}" for g in m.goals[:5])
                )
            )
    if slots:
        lines = [copy.INTRO_SLOTS]
        for slot in slots:
            local = " · ".join(
                copy.INTRO_SLOT_LOCAL.format(name=m.name, time=_local_time(slot, m.timezone))
                for m in intro.members
            )
            lines.append(
                copy.INTRO_SLOT.format(
                    epoch=int(slot.timestamp()),
                    fallback=slot.astimezone(UTC).strftime("%a %d %b %H:%M UTC"),
                    local=local,
                )
            )
        blocks.append(_md("\n".join(lines)))
    else:
        blocks.append(_md(copy.INTRO_NO_SLOTS))
    expectations = intro.expectations or copy.INTRO_EXPECTATIONS.format(
        cadence=intro.cadence_days, weeks=intro.engagement_weeks
    )
    blocks.append(DividerBlock())
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=expectations[:MAX_TEXT])]))
    value = json.dumps({"match_id": intro.match_id})
    blocks.append(
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=copy.INTRO_SCHEDULED,
                    action_id=Action.SCHEDULED,
                    value=value,
                    style="primary",
                ),
                ButtonElement(
                    text=copy.INTRO_NOT_A_GOOD_FIT, action_id=Action.NOT_A_GOOD_FIT, value=value
                ),
            ]
        )
    )
    return text, [b.to_dict() for b in blocks]


# --- domain steps in the caller's transaction ---------------------------------------------


def cancel_vanished(
    s: Session, match_id: int, *, at: datetime, leaving_person_ids: frozenset[int]
) -> bool:
    """Cancel a match a member vanished from; the others are told kindly and queued first."""
    ended = end_match_kindly(
        s,
        match_id,
        at=at,
        reason="vanished",
        leaving_person_ids=leaving_person_ids,
        state="cancelled",
    )
    if ended is None:
        return False
    round_id = s.get_one(Match, match_id).round_id
    store.bump_stat(s, round_id, "vanished")
    return True


def meeting_slots(
    members: Sequence[rounds.IntroMember], start: datetime, n: int = 3
) -> list[datetime]:
    """Up to `n` first-meeting starts in the next 7 days inside every member's hours.

    suggest_slots weighs two people; for a circle or a trio, the first two's candidates
    are kept only where everyone else is working too.
    """
    first, second, *others = members
    candidates = suggest_slots(first, second, start, days=7, n=n if not others else 40)
    if not others:
        return candidates
    end = start + timedelta(days=8)
    busy = [working_intervals(pattern_of(m), start, end) for m in others]
    meeting = timedelta(minutes=30)
    fitting = [
        slot
        for slot in candidates
        if all(any(b <= slot and slot + meeting <= e for b, e in spans) for spans in busy)
    ]
    return fitting[:n]


def introduce(s: Session, match_id: int, *, at: datetime) -> bool:
    """Start a proposed match and queue its intro; a vanished member cancels it instead."""
    intro = rounds.get_intro(s, match_id)
    gone = frozenset(m.person_id for m in intro.members if m.deleted)
    if gone:
        cancel_vanished(s, match_id, at=at, leaving_person_ids=gone)
        return False
    if not rounds.start_match(s, match_id, at=at):
        return False
    text, blocks = match_intro(intro, meeting_slots(intro.members, at + timedelta(hours=1)))
    outbox.enqueue(
        s,
        workspace_id=intro.workspace_id,
        key=f"round:{intro.round_id}:intro:{match_id}",
        conversation=outbox.dm_to(*(m.slack_user_id for m in intro.members)),
        payload={"text": text, "blocks": blocks},
        at=at,
        match_id=match_id,
    )
    return True


def announce(s: Session, round_id: int, *, at: datetime) -> int:
    """Introduce every proposed match of an approved round; the number introduced."""
    introduced = sum(
        1
        for match_id in store.list_proposed_match_ids(s, round_id)
        if introduce(s, match_id, at=at)
    )
    store.set_round_status(
        s, round_id, from_status="approved", to_status="announced", announced_at=at
    )
    return introduced


def _post(
    s: Session, program: Program, key: str, text: str, at: datetime, blocks: Any = None
) -> None:
    if not program.admin_channel_id:
        return
    payload: dict[str, Any] = {"text": text}
    if blocks is not None:
        payload["blocks"] = blocks
    outbox.enqueue(
        s,
        workspace_id=program.workspace_id,
        key=key,
        conversation=program.admin_channel_id,
        payload=payload,
        at=at,
    )


def start_round(
    s: Session,
    program_id: int,
    *,
    at: datetime,
    kind: str = "manual",
    scheduled_for: datetime | None = None,
    dry_run: bool = False,
    requested_by: int | None = None,
) -> rounds.RoundOutcome | None:
    """Run a round and queue what follows: the preview, or the intros when no approval."""
    outcome = rounds.run_round(
        s,
        program_id,
        at=at,
        kind=kind,
        scheduled_for=scheduled_for,
        dry_run=dry_run,
        requested_by=requested_by,
    )
    if outcome is None:
        return None
    program = s.get_one(Program, program_id)
    if dry_run or program.approval_required:
        text, blocks = round_preview(outcome, program.name)
        _post(s, program, f"round:{outcome.round_id}:preview", text, at, blocks)
        return outcome
    store.set_round_status(
        s, outcome.round_id, from_status="proposed", to_status="approved", approved_at=at
    )
    announce(s, outcome.round_id, at=at)
    return outcome


def match_newcomers(s: Session, program_id: int, *, at: datetime) -> rounds.RoundOutcome | None:
    """Place newcomers against spare capacity and introduce them at once."""
    outcome = rounds.run_newcomers(s, program_id, at=at)
    if outcome is None:
        return None
    for match_id in outcome.match_ids:
        introduce(s, match_id, at=at)
    store.set_round_status(
        s, outcome.round_id, from_status="approved", to_status="announced", announced_at=at
    )
    return outcome


# --- listeners --------------------------------------------------------------------------


def _parse_round_words(words: tuple[str, ...]) -> tuple[str | None, bool]:
    dry_run = False
    names: list[str] = []
    for word in words:
        if word.lower() in ("--dry-run", "--dryrun", "dry-run"):
            dry_run = True
        elif word.startswith("--"):
            raise InvalidError(f"I don't know the option `{word[:30]}`. Try `--dry-run`.")
        else:
            names.append(word)
    return (" ".join(names) or None), dry_run


def handle_command_round(deps: Deps) -> Callable[[CommandRequest, CommandTools], Reply | None]:
    def handle(request: CommandRequest, tools: CommandTools) -> Reply | None:
        name, dry_run = _parse_round_words(request.words)
        tools.ack_now()  # matching a large program can take longer than Slack waits
        at = deps.clock()
        with deps.sessions.begin() as s:
            workspace = get_workspace(s, request.team_id)
            if workspace is None:
                raise NotFoundError(copy.ROUND_NO_WORKSPACE)
            program = resolve_program(s, workspace.id, name, open_only=True)
            if program.admin_channel_id and request.channel_id != program.admin_channel_id:
                raise InvalidError(
                    copy.ROUND_WRONG_CHANNEL.format(
                        program=program.name, channel=program.admin_channel_id
                    )
                )
            person = ensure_person(s, workspace.id, request.slack_user_id, at)
            outcome = start_round(
                s, program.id, at=at, kind="manual", dry_run=dry_run, requested_by=person.id
            )
            assert outcome is not None
            record(
                s,
                action="round.dry_run" if dry_run else "round.run",
                at=at,
                workspace_id=workspace.id,
                actor_slack_user_id=request.slack_user_id,
                target=f"round:{outcome.round_id}",
                details={"program_id": program.id, "matches": outcome.stats.get("matches", 0)},
            )
            if not program.admin_channel_id:
                return Reply(copy.ROUND_NO_ADMIN_CHANNEL.format(program=program.name))
            if dry_run or program.approval_required:
                return Reply(
                    copy.ROUND_STARTED_PREVIEW.format(
                        program=program.name, channel=program.admin_channel_id
                    )
                )
            return Reply(
                copy.ROUND_STARTED_DIRECT.format(
                    program=program.name, matches=len(outcome.match_ids)
                )
            )

    return handle


@dataclass(frozen=True)
class _Click:
    team_id: str
    slack_user_id: str
    value: RoundValue


def _click(body: Mapping[str, Any]) -> _Click:
    actions = body.get("actions") or [{}]
    return _Click(
        team_id=str((body.get("team") or {}).get("id") or ""),
        slack_user_id=str((body.get("user") or {}).get("id") or ""),
        value=RoundValue.load(str(actions[0].get("value") or "")),
    )


def _may_decide(deps: Deps, s: Session, click: _Click) -> bool:
    return click.slack_user_id in deps.global_admins or is_admin(
        s, click.team_id, click.slack_user_id
    )


def _round_of(s: Session, click: _Click) -> tuple[Round, Program, Workspace] | None:
    round_ = s.get(Round, click.value.round_id)
    if round_ is None:
        return None
    program = s.get_one(Program, round_.program_id)
    workspace = s.get_one(Workspace, program.workspace_id)
    if workspace.slack_team_id != click.team_id:
        return None
    return round_, program, workspace


Decision = Callable[[Session, Round, Program, Person, datetime, _Click], str]


def _decide(deps: Deps, decision: Decision) -> Callable[..., None]:
    def listener(ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        # Answer a malformed value here: an error raised after ack() makes Bolt drop the ack.
        try:
            click = _click(body)
        except InvalidError as error:
            respond(text=str(error), response_type="ephemeral", replace_original=False)
            return
        at = deps.clock()
        with deps.sessions.begin() as s:
            if not _may_decide(deps, s, click):
                message = copy.NOT_ADMIN
            else:
                found = _round_of(s, click)
                if found is None:
                    message = copy.ROUND_GONE
                else:
                    round_, program, workspace = found
                    person = ensure_person(s, workspace.id, click.slack_user_id, at)
                    message = decision(s, round_, program, person, at, click)
        if message:
            respond(text=message, response_type="ephemeral", replace_original=False)

    return listener


def _approve(
    s: Session, round_: Round, program: Program, person: Person, at: datetime, click: _Click
) -> str:
    if not store.set_round_status(
        s,
        round_.id,
        from_status="proposed",
        to_status="approved",
        approved_by=person.id,
        approved_at=at,
    ):
        s.refresh(round_)
        return copy.ROUND_ALREADY.format(status=round_.status)
    introduced = announce(s, round_.id, at=at)
    record(
        s,
        action="round.approve",
        at=at,
        workspace_id=program.workspace_id,
        actor_slack_user_id=click.slack_user_id,
        target=f"round:{round_.id}",
    )
    _post(
        s,
        program,
        f"round:{round_.id}:approved",
        copy.ROUND_APPROVED.format(
            user=click.slack_user_id, program=program.name, matches=introduced
        ),
        at,
    )
    return ""


def _discard(
    s: Session, round_: Round, program: Program, person: Person, at: datetime, click: _Click
) -> str:
    if not store.discard_round(s, round_.id, at=at):
        s.refresh(round_)
        return copy.ROUND_ALREADY.format(status=round_.status)
    record(
        s,
        action="round.discard",
        at=at,
        workspace_id=program.workspace_id,
        actor_slack_user_id=click.slack_user_id,
        target=f"round:{round_.id}",
    )
    _post(
        s,
        program,
        f"round:{round_.id}:discarded",
        copy.ROUND_DISCARDED.format(user=click.slack_user_id, program=program.name),
        at,
    )
    return ""


def _rerun(
    s: Session, round_: Round, program: Program, person: Person, at: datetime, click: _Click
) -> str:
    if not store.discard_round(s, round_.id, at=at):
        s.refresh(round_)
        return copy.ROUND_ALREADY.format(status=round_.status)
    record(
        s,
        action="round.rerun",
        at=at,
        workspace_id=program.workspace_id,
        actor_slack_user_id=click.slack_user_id,
        target=f"round:{round_.id}",
    )
    _post(
        s,
        program,
        f"round:{round_.id}:rerun",
        copy.ROUND_RERUN_DONE.format(user=click.slack_user_id, program=program.name),
        at,
    )
    start_round(
        s,
        program.id,
        at=at,
        kind=round_.kind if round_.kind != "scheduled" else "manual",
        requested_by=person.id,
    )
    return ""


# --- delivery failures --------------------------------------------------------------------


def _vanished_users(client: WebClient, slack_user_ids: list[str]) -> set[str]:
    gone: set[str] = set()
    for user_id in slack_user_ids:
        try:
            info = client.users_info(user=user_id)
        except SlackApiError as err:
            if err.response.get("error") in VANISHED_ERRORS:
                gone.add(user_id)
            continue
        if (info.get("user") or {}).get("deleted"):
            gone.add(user_id)
    return gone


def make_failure_hook(deps: Deps, client: WebClient) -> Callable[[PendingMessage, str], None]:
    """After an intro's group DM could not be opened because someone is gone: cancel kindly.

    conversations.open does not say which member is gone, so users.info asks per member
    (outside any transaction); the ones Slack reports deleted are marked so and leave.
    """

    def hook(message: PendingMessage, error: str) -> None:
        if error not in VANISHED_ERRORS or message.match_id is None:
            return
        if ":intro:" not in message.key or not message.conversation.startswith("users:"):
            return
        gone = _vanished_users(client, message.conversation[len("users:") :].split(","))
        at = deps.clock()
        with deps.sessions.begin() as s:
            leaving: set[int] = set()
            for user_id in gone:
                person = get_person(s, message.workspace_id, user_id)
                if person is not None:
                    person.is_deleted = True
                    person.updated_at = at
                    leaving.add(person.id)
            cancel_vanished(s, message.match_id, at=at, leaving_person_ids=frozenset(leaving))

    return hook


def register(registrar: Registrar, router: CommandRouter, deps: Deps) -> None:
    router.add(("admin", "round"), handle_command_round(deps), admin=True)
    registrar.action(Action.ROUND_APPROVE, _decide(deps, _approve), admin=True)
    registrar.action(Action.ROUND_DISCARD, _decide(deps, _discard), admin=True)
    registrar.action(Action.ROUND_RERUN, _decide(deps, _rerun), admin=True)
