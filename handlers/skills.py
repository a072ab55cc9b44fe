"""A program's skills for its admins: `/mentor admin skills [program]` lists them, `merge` folds
one into another and `retire` takes one out of the form.

A taxonomy that admins grow needs pruning: duplicates ("K8s" and "Kubernetes") split the people
who mean the same thing, and a merge keeps everyone's choice under the surviving name.
"""

from __future__ import annotations

from collections.abc import Callable

from flows import programs as flow
from handlers import copy
from handlers.commands import CommandRequest, CommandRouter
from handlers.context import Deps
from handlers.listen import Answer, reply
from handlers.text import cut, esc

KNOWN_SHOWN = 8  # skill names suggested when a name is not found


def skills_text(program: str, clusters: list[tuple[str, list[str]]]) -> str:
    lines = [copy.SKILLS_HEADER.format(program=esc(program))]
    lines += [f"*{esc(c)}*: " + ", ".join(esc(n) for n in names) for c, names in clusters]
    return cut("\n".join(lines), 12_000) + "\n" + copy.SKILLS_HOW


def change_text(change: flow.SkillChange) -> str:
    if change.into is None:
        return copy.SKILL_RETIRED.format(
            skill=esc(change.skill), program=esc(change.program_name), n=change.profiles
        )
    return copy.SKILL_MERGED.format(
        skill=esc(change.skill),
        into=esc(change.into),
        program=esc(change.program_name),
        n=change.profiles,
    )


def _parse(words: tuple[str, ...]) -> tuple[str, str, str | None, str | None] | None:
    """(verb, skill, into, program) from `merge A into B [program]` or `retire A [program]`."""
    if len(words) >= 4 and words[0].lower() == "merge" and words[2].lower() == "into":
        return "merge", words[1], words[3], " ".join(words[4:]) or None
    if len(words) >= 2 and words[0].lower() == "retire":
        return "retire", words[1], None, " ".join(words[2:]) or None
    return None


def handle_command_skills(deps: Deps) -> Callable[[CommandRequest], Answer]:
    def handle(request: CommandRequest) -> Answer:
        verb = request.words[0].lower() if request.words else ""
        try:
            with deps.sessions.begin() as s:
                if verb not in ("merge", "retire"):
                    name, clusters = flow.skills_of(
                        s, request.team_id, " ".join(request.words) or None, request.authority
                    )
                    return reply(skills_text(name, clusters))
                parsed = _parse(request.words)
                if parsed is None:
                    return reply(copy.SKILLS_USAGE)
                _, skill, into, program = parsed
                change = flow.change_skill(
                    s,
                    request.team_id,
                    request.slack_user_id,
                    program,
                    request.authority,
                    skill,
                    into=into,
                    at=deps.clock(),
                )
        except flow.NotAdminOfError as error:
            return reply(copy.NOT_ADMIN_OF.format(program=esc(error.program_name)))
        except flow.SkillNotFoundError as error:
            known = ", ".join(f"`{esc(k)}`" for k in error.known[:KNOWN_SHOWN])
            return reply(copy.SKILL_UNKNOWN.format(skill=esc(cut(error.name, 60)), known=known))
        except flow.SkillAskedAboutError:
            return reply(copy.SKILL_ASKED_ABOUT)
        except flow.SameSkillError:
            return reply(copy.SKILL_SAME)
        return reply(change_text(change))

    return handle


def register(router: CommandRouter, deps: Deps) -> None:
    router.add(("admin", "skills"), handle_command_skills(deps), admin=True)
