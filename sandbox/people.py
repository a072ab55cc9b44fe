"""The sample workspace: a dozen people in several zones, an admin, and their channels.

Only Slack's side is arranged (users and channels in the fake): the bot learns everyone the
way it does in a real workspace, when they use it. People are listed in the order the page's
"You are" picker shows them; the admin comes first.
"""

from __future__ import annotations

from dataclasses import dataclass

from testkit.slack import GENERAL, FakeSlack


@dataclass(frozen=True)
class Person:
    id: str
    name: str  # Slack's handle, what @mentions use
    real_name: str
    tz: str
    title: str
    department: str


ADMIN = "UADMIN0001"
ADMIN_CHANNEL = "CADMINS001"
PROGRAM_CHANNEL = "CMENTOR001"
CHANNELS = {GENERAL: "general", ADMIN_CHANNEL: "mentoring-admins", PROGRAM_CHANNEL: "mentoring"}

PEOPLE = (
    Person(ADMIN, "ada", "Ada Admin", "Europe/London", "People partner", "People"),
    Person("UMAYA00001", "maya", "Maya Okafor", "Europe/London", "Staff engineer", "Platform"),
    Person("ULEO000001", "leo", "Leo Brandt", "Europe/Berlin", "Engineering manager", "Payments"),
    Person("UPRIYA0001", "priya", "Priya Raman", "Asia/Kolkata", "Principal designer", "Design"),
    Person("UJAMES0001", "james", "James Carter", "America/New_York", "Head of data", "Data"),
    Person("USOFIA0001", "sofia", "Sofia Rossi", "Europe/Rome", "Senior PM", "Product"),
    Person("UKENJI0001", "kenji", "Kenji Sato", "Asia/Tokyo", "Senior engineer", "Platform"),
    Person("UNINA00001", "nina", "Nina Petrova", "Europe/Berlin", "Engineer", "Payments"),
    Person("USAM000001", "sam", "Sam Lee", "America/New_York", "Junior analyst", "Data"),
    Person("UARJUN0001", "arjun", "Arjun Mehta", "Asia/Kolkata", "Designer", "Design"),
    Person("ULUCIA0001", "lucia", "Lucia Gomez", "America/Chicago", "Product analyst", "Product"),
    Person("UTOM000001", "tom", "Tom Walsh", "Europe/Dublin", "Graduate engineer", "Platform"),
    Person("UEMMA00001", "emma", "Emma Dubois", "Europe/Paris", "Support lead", "Support"),
)


def seed(fake: FakeSlack) -> None:
    """Put the sample people and channels into the fake (the bot invited to its channels):
    everyone in #general and #mentoring, the admin alone in the private #mentoring-admins."""
    everyone = [p.id for p in PEOPLE]
    for p in PEOPLE:
        fake.add_user(
            p.id, p.name, real_name=p.real_name, tz=p.tz, title=p.title, department=p.department
        )
    fake.add_members(GENERAL, *everyone)
    fake.add_channel(ADMIN_CHANNEL, CHANNELS[ADMIN_CHANNEL], private=True, members=[ADMIN])
    fake.add_channel(PROGRAM_CHANNEL, CHANNELS[PROGRAM_CHANNEL], members=everyone)


def by_id(user_id: str) -> Person | None:
    return next((p for p in PEOPLE if p.id == user_id), None)
