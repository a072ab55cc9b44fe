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
ROUND_WRONG_CHANNEL = "Run rounds for *{program}* from its admin channel, <#{channel}>."
ROUND_NO_WORKSPACE = "There is no mentoring program here yet. Ask an admin to create one."
ROUND_STARTED_PREVIEW = "Round for *{program}* is ready: the preview is in <#{channel}>."
ROUND_STARTED_DIRECT = "Round for *{program}* is done: introducing {matches} matches now."
ROUND_NO_ADMIN_CHANNEL = (
    "Round for *{program}* is ready, but the program has no admin channel for its preview. "
    "Set one with `/mentor admin program edit`."
)
ROUND_PREVIEW_TITLE = "*Round preview: {program}*"
ROUND_DRY_RUN_TITLE = "*Dry run: {program}* (nothing was sent to anyone)"
ROUND_PREVIEW_COUNTS = (
    "{matches} matches · {matched} people matched · {unmatched} unmatched "
    "(of {participants} eligible)"
)
ROUND_PREVIEW_SCORES = "Scores: min {min} · median {median} · max {max}  ({buckets})"
ROUND_PREVIEW_NO_SCORES = "Scores: no matches this round."
ROUND_PREVIEW_UNMATCHED = "Unmatched because: {reasons}"
ROUND_PREVIEW_FAIRNESS = "Fairness flags: {flags}"
ROUND_PREVIEW_NO_FAIRNESS = "Fairness flags: none"
ROUND_PREVIEW_GAPS = "Coverage gaps: {gaps}"
ROUND_PREVIEW_SAMPLE = "*Sample of matches*"
ROUND_PREVIEW_PAIR = "• {names} ({score:.2f}): {reasons}"
ROUND_APPROVE = "Approve"
ROUND_DISCARD = "Discard"
ROUND_RERUN = "Re-run"
ROUND_UNMATCHED_WORDS = {
    "no_counterpart": "nobody in the other role",
    "no_goal_fit": "no mentor near their goals",
    "no_overlap": "no shared working hours",
    "constraints": "reporting line, exclusions or past pairs",
    "all_taken": "every fitting mentor was full",
    "circle_too_small": "too few people for a circle",
    "odd_one_out": "odd one out",
}
ROUND_APPROVED = "<@{user}> approved the *{program}* round: introducing {matches} matches."
ROUND_DISCARDED = "<@{user}> discarded the *{program}* round; nobody was told."
ROUND_RERUN_DONE = "<@{user}> discarded the *{program}* round and ran it again."
ROUND_ALREADY = "That round is already {status}; nothing changed."
ROUND_GONE = "That round no longer exists."
ROUND_SLOT_TAKEN = "That schedule slot has already run; nothing changed."

INTRO_TEXT = "Meet your {program} match: {names}"
INTRO_HELLO = ":wave: *Say hello!* You've been matched in *{program}*."
INTRO_WHO = "• <@{user}>: {role}{title}"
INTRO_ROLE_MENTOR = "mentor"
INTRO_ROLE_MENTEE = "mentee"
INTRO_ROLE_PEER = "peer"
INTRO_WHY = "*Why you two*"
INTRO_WHY_GROUP = "*Why this group*"
INTRO_GOALS = "*{name} hopes to work on*"
INTRO_SLOTS = "*Three times that suit both of you* (next 7 days, in each of your zones)"
INTRO_SLOT = "• <!date^{epoch}^{{date_short_pretty}} at {{time}}|{fallback}>: {local}"
INTRO_SLOT_LOCAL = "{name} {time}"
INTRO_NO_SLOTS = "Your working hours barely overlap this week; pick a time in a thread here."
INTRO_EXPECTATIONS = (
    "*What we ask*: meet about every {cadence} days for the next {weeks} weeks. "
    "Reply here to find a time, and tell me when it's booked."
)
INTRO_SCHEDULED = "We've scheduled it"
INTRO_NOT_A_GOOD_FIT = "Not a good fit"


# --- engagement ---


# --- insight ---
