"""The skill taxonomy: a shipped default of about 60 skills in clusters, extensible per program.

Each program gets its own copy of the default when it is created, so admins can add skills
to one program without changing another's, and matching keeps comparing skill ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.errors import InvalidError
from models.tables import EnrollmentSkill, MicroRequest, Skill

DEFAULT_TAXONOMY: dict[str, tuple[str, ...]] = {
    "Leadership": (
        "People management",
        "Giving feedback",
        "Delegation",
        "Hiring and interviewing",
        "Strategy",
        "Decision making",
        "Leading through change",
        "Coaching others",
    ),
    "Engineering": (
        "System design",
        "Code review",
        "Testing",
        "Python",
        "JavaScript / TypeScript",
        "Cloud infrastructure",
        "Security",
        "Performance",
        "Incident response",
        "Technical writing",
    ),
    "Product": (
        "Product discovery",
        "Roadmapping",
        "User research",
        "Prioritisation",
        "Metrics and experiments",
        "UX design",
        "Go-to-market",
    ),
    "Data": (
        "SQL",
        "Statistics",
        "Machine learning",
        "Data visualisation",
        "Data engineering",
        "Analytics storytelling",
    ),
    "Communication": (
        "Public speaking",
        "Writing clearly",
        "Running meetings",
        "Negotiation",
        "Stakeholder management",
        "Conflict resolution",
        "Presenting to executives",
    ),
    "Career growth": (
        "Career planning",
        "Getting promoted",
        "Changing teams or roles",
        "Building a network",
        "Personal brand",
        "Time management",
        "Work-life balance",
        "Becoming a manager",
    ),
    "Inclusion": (
        "Inclusive leadership",
        "Allyship",
        "Building diverse teams",
        "Navigating bias",
        "Accessibility",
    ),
    "Business": (
        "Finance basics",
        "Sales",
        "Customer success",
        "Operations",
        "Project management",
        "Entrepreneurship",
        "Legal and compliance basics",
    ),
}

MAX_SKILL_NAME = 60


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64]


@dataclass(frozen=True)
class SkillInfo:
    id: int
    slug: str
    name: str
    cluster: str


def list_skills(s: Session, program_id: int) -> list[SkillInfo]:
    """A program's skills by cluster and name (plain rows: every form and summary reads them)."""
    query = select(Skill.id, Skill.slug, Skill.name, Skill.cluster).where(
        Skill.program_id == program_id
    )
    return [SkillInfo(*row) for row in s.execute(query.order_by(Skill.cluster, Skill.name))]


def seed_default_skills(s: Session, program_id: int, at: datetime) -> int:
    """Give a program the default taxonomy (skills it already has are kept); count added."""
    have = {skill.slug for skill in list_skills(s, program_id)}
    added = 0
    for cluster, names in DEFAULT_TAXONOMY.items():
        for name in names:
            slug = slugify(name)
            if slug not in have:
                s.add(
                    Skill(
                        program_id=program_id, slug=slug, name=name, cluster=cluster, created_at=at
                    )
                )
                have.add(slug)
                added += 1
    s.flush()
    return added


def add_skill(s: Session, program_id: int, name: str, cluster: str, at: datetime) -> Skill:
    """An admin's own skill for one program; the same name twice is one skill."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_SKILL_NAME:
        raise InvalidError(f"A skill name needs 1 to {MAX_SKILL_NAME} characters.")
    slug = slugify(name)
    existing = s.scalar(select(Skill).where(Skill.program_id == program_id, Skill.slug == slug))
    if existing is not None:
        return existing
    skill = Skill(program_id=program_id, slug=slug, name=name, cluster=cluster[:64], created_at=at)
    s.add(skill)
    s.flush()
    return skill


def find_skill(s: Session, program_id: int, name: str) -> Skill | None:
    """The program's skill of this name (spelling, case and spacing aside)."""
    return s.scalar(
        select(Skill).where(Skill.program_id == program_id, Skill.slug == slugify(name))
    )


def skill_uses(s: Session, skill_id: int) -> int:
    """How many profiles offer or seek the skill."""
    found = s.scalars(
        select(EnrollmentSkill.enrollment_id).where(EnrollmentSkill.skill_id == skill_id)
    )
    return len(set(found))


def merge_skill(s: Session, source: Skill, target: Skill) -> int:
    """Everyone who offered or sought `source` now has `target` instead (the higher level
    where they had both); asks about it move too; `source` is gone. Profiles moved."""
    rows = list(s.scalars(select(EnrollmentSkill).where(EnrollmentSkill.skill_id == source.id)))
    for row in rows:
        have = s.get(EnrollmentSkill, (row.enrollment_id, target.id, row.kind))
        if have is None:
            s.add(
                EnrollmentSkill(
                    enrollment_id=row.enrollment_id,
                    skill_id=target.id,
                    kind=row.kind,
                    level=row.level,
                )
            )
        else:
            have.level = max(have.level, row.level)
        s.delete(row)
    s.execute(
        update(MicroRequest).where(MicroRequest.skill_id == source.id).values(skill_id=target.id)
    )
    s.flush()
    s.delete(source)
    s.flush()
    return len({r.enrollment_id for r in rows})


def asked_about(s: Session, skill_id: int) -> bool:
    """Whether a micro-mentoring ask names the skill (its history would go with it)."""
    return s.scalar(select(MicroRequest.id).where(MicroRequest.skill_id == skill_id)) is not None


def retire_skill(s: Session, skill: Skill) -> int:
    """The skill leaves the form and every profile; how many profiles had it."""
    uses = skill_uses(s, skill.id)
    s.execute(delete(EnrollmentSkill).where(EnrollmentSkill.skill_id == skill.id))
    s.delete(skill)
    s.flush()
    return uses
