"""All user-facing text in one place, so tone and wording are reviewed together."""

from __future__ import annotations

HELP = """*mentorbot* runs mentoring programs here in Slack. Commands:
• `/mentor join [program]`: enroll as a mentor, mentee or both
• `/mentor profile`: edit what you told us
• `/mentor status`: your programs, matches and the next round
• `/mentor pause until 2026-12-24` or `/mentor pause for 3 weeks`, then `/mentor resume`
• `/mentor goals`: your mentoring goals and their progress
• `/mentor feedback`: tell us how your mentoring is going (private)
• `/mentor rematch`: end your current match without fault and get a new one
• `/mentor leave [program]`: leave a program
• `/mentor forget-me`: delete everything the bot knows about you
• `/mentor help`: this message"""

ADMIN_HELP = """*Admin commands*
• `/mentor admin program create|edit|list`
• `/mentor admin round [program] [--dry-run]`
• `/mentor admin report [program]` · `/mentor admin export [program]`
• `/mentor admin add @user` · `/mentor admin remove @user`"""

UNKNOWN_SUBCOMMAND = "I don't know `{word}`. Here is what I can do:"
NOT_ADMIN = "Sorry, only program admins can do that. Ask one of your program admins."
INTERNAL_ERROR = "Something went wrong on my side and nothing was changed. (ref {ref})"

# A match that ended through no fault of the reader (partner left, vanished, or a
# no-fault exit); the reader never learns why or who asked.
MATCH_ENDED_KINDLY = (
    "Your mentoring match in *{program}* has come to an end. This happens, and it says "
    "nothing about you. You are first in line for the next match in this program."
)

# --- enrollment ---


# --- rounds ---


# --- engagement ---


# --- insight ---
