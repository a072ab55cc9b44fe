"""All user-facing text in one place, so tone and wording are reviewed together."""

from __future__ import annotations

HELP = """*mentorbot* runs mentoring programs here in Slack. Commands:
• `/mentor join [program]`: enroll as a mentor, mentee or both
• `/mentor profile`: edit what you told us
• `/mentor status`: your programs, matches and the next round
• `/mentor pause until 2026-12-24` or `/mentor pause for 3 weeks`, then `/mentor resume`
• `/mentor goals`: your mentoring goals and their progress
• `/mentor feedback`: tell us how your mentoring is going (private)
• `/mentor ask <skill>`: one short conversation with an expert this week
• `/mentor concern`: tell the program's admins privately about a problem with a match
• `/mentor impact`: what your mentoring has achieved, and a thank-you card to share
• `/mentor rematch`: end your current match without fault and get a new one
• `/mentor leave [program]`: leave a program
• `/mentor forget-me`: delete everything the bot knows about you
• `/mentor help`: this message"""

ADMIN_HELP = """*Admin commands*
• `/mentor admin program create|edit|list`
• `/mentor admin round [program] [--dry-run]`
• `/mentor admin report [program]` · `/mentor admin export [program]`
• `/mentor admin concerns [program]`: open concerns in the programs you run
• `/mentor admin skills [program]`: list them; `merge "A" into "B"` or `retire "A"`
• `/mentor admin add` (a form), or `/mentor admin add @user [program]` ·
  `/mentor admin remove @user [program]` (workspace admins: `--workspace` names an admin of
  every program)"""

UNKNOWN_SUBCOMMAND = "I don't know `{word}`. Here is what I can do:"
NOT_ADMIN = "Sorry, only program admins can do that. Ask one of your program admins."
NOT_ADMIN_HERE = "Sorry, only admins of that program can do that. Ask one of its admins."
NOT_ADMIN_OF = "Sorry, only admins of *{program}* can do that. Ask one of its admins."
NOT_WORKSPACE_ADMIN = (
    "Sorry, only workspace admins can do that (creating programs, naming workspace admins)."
)
INTERNAL_ERROR = "Something went wrong on my side and nothing was changed. (ref {ref})"

# A match that ended through no fault of the reader (partner left, vanished, or a
# no-fault exit); the reader never learns why or who asked.
MATCH_ENDED_KINDLY = (
    "Your mentoring match in *{program}* has come to an end. This happens, and it says "
    "nothing about you. You are first in line for the next match in this program."
)

# --- enrollment ---
JOIN_TITLE = "Join mentoring"
PROFILE_TITLE = "Your mentoring profile"
JOIN_PROGRAM_PROMPT = "Which program would you like to join?"
CONSENT_TEXT = (
    "I agree that mentorbot stores what I enter here to match me, that only I see it in "
    "full (matches see my name, role, goals and skills; admins see totals only), and that "
    "`/mentor forget-me` deletes it."
)
CONSENT_BOX = "I agree to the above"
NEVER_HINT = "Confidential: nobody is ever told, including the people you pick."
MANAGER_HINT = "Used only to keep reporting lines apart."
HOURS_LABEL = "Working hours start ({tz})"
CANNOT_ENROLL = "Sorry, {why} can't join mentoring programs."
WHY_DEACTIVATED = "deactivated accounts"
WHY_BOT = "bots"
WHY_GUEST = "guest accounts"
NO_OPEN_PROGRAM = "There is no program open for enrollment right now. Ask an admin to create one."
NOT_ENROLLED = "You are not enrolled in any program yet. Try `/mentor join`."
ERR_CONSENT = "Please agree so we can store your answers."
ERR_ROLE = "Choose a role."
ERR_GOAL = "Pick at least one goal, or write one below."
ERR_SKILL = "Pick at least one skill you can offer."
ERR_BOTH_LEVELS = "A skill can only be at one level: remove it from one of the lists."
ERR_TOO_MANY = "Pick at most {n}."
ERR_TOO_LONG = "Keep it under {n} characters."
ERR_CAPACITY = "Choose between 1 and {n}."
ERR_HOURS = "End after the start."
ERR_DAYS = "Pick at least one working day."
ERR_UNKNOWN = "That option is no longer offered; please choose again."
ERR_CLOSED = "This program is not taking new people right now."
ENROLL_SAVED_NEW = "You're in *{program}* as {role}. Here is what I saved:"
ENROLL_SAVED_EDIT = "Your profile in *{program}* is updated. Here is what I saved:"
ENROLL_SUMMARY = (
    "• Skills you offer: {offered}\n• Goals: {goals}\n• Working hours: {days}, {start} to {end} "
    "({tz})\n• Meetings: {frequency}{capacity}"
)
ENROLL_CAPACITY = "; up to {n} mentees"
FREQUENCIES = {7: "Every week", 14: "Every two weeks", 28: "Every four weeks"}
FREQUENCY_ANY = "as you agree"
ROLE_PHRASES = {
    "mentor": "a mentor",
    "mentee": "a mentee",
    "both": "a mentor and mentee",
    "peer": "a peer",
}
INVITE_JOIN = "Join"
ENROLL_NEXT_ROUND = "Next matching round: {when}."
ENROLL_NO_ROUND = "Admins will announce the next matching round."
ENROLL_FOOTER = (
    "Change it any time with `/mentor profile`, take a break with `/mentor pause`, or see "
    "everything on my Home tab."
)
PAUSE_USAGE = (
    "I couldn't read that. Try `/mentor pause until 2027-01-04` or `/mentor pause for 3 weeks`."
)
PAUSE_PAST = "That date has passed. Try `/mentor pause until 2027-01-04`."
PAUSE_TOO_LONG = "You can pause for up to a year at a time."
PAUSED = (
    "Paused until {date}: no new matches or nudges until then. `/mentor resume` ends it sooner."
)
RESUMED = "Welcome back! You'll be considered for the next round."
NOT_PAUSED = "You aren't paused."
LEFT = "You've left *{program}*. Your history stays; join again any time with `/mentor join`."
FORGET_CONFIRM = (
    "This deletes everything I know about you — enrollments, answers, goals and notes — "
    "and ends your current matches kindly. It cannot be undone. Delete it?"
)
FORGET_YES = "Delete my data"
FORGET_NO = "Keep it"
FORGOTTEN = "Done: your data is deleted. Only anonymous counts remain."
FORGET_CANCELLED = "Nothing was deleted."
PROGRAM_CREATED = (
    "Program *{program}* is open: people can `/mentor join {slug}`. Rounds: {schedule}."
)
PROGRAM_UPDATED = "Program *{program}* is updated. Rounds: {schedule}."
PROGRAM_LIST_EMPTY = "No programs yet. Create one with `/mentor admin program create`."
PROGRAM_LINE = (
    "*{name}* (`{slug}`, {format}, {status}): {mentors} mentors, {mentees} mentees, "
    "{peers} peers. Rounds {schedule}."
)
PROGRAM_USAGE = (
    "Use `/mentor admin program create`, `/mentor admin program edit [program]` or "
    "`/mentor admin program list`."
)
ADMIN_USAGE = (
    "Use `/mentor admin add` (a form to pick the person and program), or"
    " `/mentor admin add @person [program]` or `/mentor admin remove @person [program]`;"
    " workspace admins may add `--workspace` to name an admin of every program."
)
ADMIN_ADDED = "<@{user}> is now an admin of *{program}*."
SKILLS_HEADER = "*Skills in {program}*"
SKILLS_HOW = (
    'Fold a duplicate into another with `/mentor admin skills merge "K8s" into'
    ' "Kubernetes" [program]` (everyone keeps their choice), or take one out of the form'
    ' with `/mentor admin skills retire "Name" [program]`.'
)
SKILLS_USAGE = (
    'Use `/mentor admin skills merge "Old name" into "New name" [program]` or'
    ' `/mentor admin skills retire "Name" [program]`.'
)
SKILL_MERGED = (
    "*{skill}* is merged into *{into}* in *{program}*: {n} profiles now say {into} instead."
)
SKILL_RETIRED = "*{skill}* is retired from *{program}*: it left the form and {n} profiles."
SKILL_UNKNOWN = "There is no skill called `{skill}` there. Some it has: {known}."
SKILL_ASKED_ABOUT = (
    "People have asked experts about that skill, so retiring it would erase their history:"
    " merge it into another instead."
)
SKILL_SAME = "Those are the same skill."
ADMIN_FORM_ADD_TITLE = "Add an admin"
ADMIN_FORM_REMOVE_TITLE = "Remove an admin"
ADMIN_FORM_ADD = "Add"
ADMIN_FORM_REMOVE = "Remove"
ADMIN_FORM_PERSON = "Who?"
ADMIN_FORM_PROGRAM = "Of which program?"
ADMIN_FORM_PROGRAM_PLACEHOLDER = "Choose a program"
ADMIN_FORM_EVERY_PROGRAM = "Every program (a workspace admin)"
ADMIN_FORM_ERR_PERSON = "Choose a person."
ADMIN_FORM_ERR_PROGRAM = "Choose one of the programs you run."
ADMIN_ALREADY = "<@{user}> was already an admin of *{program}*."
ADMIN_REMOVED = "<@{user}> is no longer an admin of *{program}*."
ADMIN_NOT = "<@{user}> was not an admin of *{program}*."
ERR_NAME = "Give the program a name of up to 100 characters."
ERR_ZONE = "Use a time zone name like Europe/Berlin or America/New_York."
ERR_RANGE = "Use a whole number from {low} to {high}."
ERR_CAPACITY_MAX = "At least the default."
HOME_TITLE = "Your mentoring"
HOME_NOT_ENROLLED = "You're not in a mentoring program yet. Open programs:"
HOME_NO_PROGRAMS = "There is no open program yet. Ask an admin to create one."
HOME_KNOWS = "*What mentorbot knows about you*, all of it used only for matching:"
HOME_ADMIN = "*Programs you run*"
HOME_ADMIN_LINE = (
    "*{program}*: {mentors} mentors, {mentees} mentees, {open} open matches. "
    "`/mentor admin round {slug}` · `/mentor admin report {slug}`"
)
HOME_PAUSE_WEEKS = 4
INVITE = (
    "Welcome to {channel}! *{program}* pairs people to learn from each other, a few "
    "conversations at a time. Want to join?"
)
STATUS_NONE = "You're not in any mentoring program. `/mentor join` to start."


# --- rounds ---
ROUND_WRONG_CHANNEL = "Run rounds for *{program}* from its admin channel, {channel}."
ROUND_NO_WORKSPACE = "There is no mentoring program here yet. Ask an admin to create one."
ROUND_STARTED_PREVIEW = (
    "Matching *{program}* now: the preview will be in {channel} in a moment, with buttons to"
    " approve, discard or re-run it."
)
ROUND_STARTED_DIRECT = (
    "Matching *{program}* now: each match is introduced in its members' working hours."
)
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
ROUND_PREVIEW_GAP = "{skill}: {demand} want it, {slots} slots, {unmet} unmet"
ROUND_APPROVE_CONFIRM_TITLE = "Introduce everyone?"
ROUND_APPROVE_CONFIRM = (
    "This starts {matches} matches and sends each one an introduction in their working hours."
    " It cannot be undone."
)
ROUND_INTROS_LAND = "Intros land in each pair's working hours, from {first} to {last}."
ROUND_EXPIRED = (
    "The *{program}* round waited a week without a decision, so it was discarded and its "
    "people are free for the next round. Nobody was told."
)
NOBODY = "Someone"
ROUND_PREVIEW_SAMPLE = "*Sample of matches*"
ROUND_PREVIEW_PAIR = "• {names} ({score:.2f}): {reasons}"
ROUND_APPROVE = "Approve"
ROUND_DISCARD = "Discard"
ROUND_RERUN = "Re-run"
ROUND_UNMATCHED_WORDS = {
    "no_counterpart": "nobody in the other role",
    "no_goal_fit": "no mentor near their goals",
    "no_overlap": "no shared working hours",
    "constraints": "reporting line, exclusions, past pairs or a junior-mentor rule",
    "all_taken": "every fitting mentor was full",
    "circle_too_small": "too few people for a circle",
    "odd_one_out": "odd one out",
}
ROUND_APPROVED = "{user} approved the *{program}* round: introducing {matches} matches."
ROUND_DISCARDED = "{user} discarded the *{program}* round; nobody was told."
ROUND_RERUN_DONE = "{user} discarded the *{program}* round and ran it again."
ROUND_ALREADY = "That round is already {status}; nothing changed."
ROUND_GONE = "That round no longer exists."
ROUND_SLOT_TAKEN = "That schedule slot has already run; nothing changed."

INTRO_TEXT = "Meet your {program} match: {names}"
INTRO_HELLO = ":wave: *Say hello!* You've been matched in *{program}*."
INTRO_WHO = "• {user}: {role}{title}"
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
NOT_A_GOOD_FIT_CONFIRM_TITLE = "End this match?"
NOT_A_GOOD_FIT_CONFIRM = (
    "Your match ends kindly: both of you are told the same words, nobody is told who asked,"
    " and you are first in line for the next round."
)
NOT_A_GOOD_FIT_CONFIRM_YES = "End the match"


# --- engagement ---
CHECKIN = "Quick check-in: did you two meet since {since}?"
CHECKIN_MET = "Yes, we met"
CHECKIN_NOT_YET = "Not yet"
CHECKIN_RESCHEDULING = "We're rescheduling"
CHECKIN_END = "End this match"
END_MATCH_CONFIRM_TITLE = "End this match?"
END_MATCH_CONFIRM = (
    "Your match ends kindly for both of you and you are first in line for the next round."
)
END_MATCH_CONFIRM_YES = "End the match"
CHECKIN_THANKS = "Thanks, noted: {answer}."
CHECKIN_ALREADY = "You already answered this check-in."
FIRST_MEETING_NUDGE = (
    "It's been {days} days since your intro and I haven't heard about a first meeting yet. "
    "Here are times that fit you both:\n{slots}"
)
KEEP_GOING = (
    "Your mentoring match in *{program}* has gone quiet. Would you like to keep going? "
    "Only I see your answer."
)
KEEP_GOING_YES = "Yes, keep going"
KEEP_GOING_NO = "No, end it kindly"
KEEP_GOING_THANKS = "Thanks, noted. Your answer stays private."
PULSE = "How is your mentoring going in *{program}*? Two quick ratings, private to you."
PULSE_FINAL = (
    "Your mentoring in *{program}* has reached its planned end. Thank you for taking part! "
    "One last private survey?"
)
PULSE_REMINDER = "A gentle reminder: your short survey for *{program}* closes soon."
PULSE_BUTTON = "Share how it's going"
PULSE_TITLE = "How it's going"
PULSE_THANKS = "Thank you: your answers are private and help the program."
PULSE_GONE = "This survey has closed or was already answered."
ERR_RATING = "Choose a rating."
COMPLETED_THANKS = (
    "Thank you both for mentoring in *{program}*. Your history stays on your Home tab."
)
MENTEE_INVITE = (
    "Ready to pass it on? Join *{program}* as a mentor next round with `/mentor profile`."
)
KUDOS = ":tada: Kudos to {mentor} for mentoring {mentee} in *{program}*!"
REMATCH_NONE = "You don't have a current match to end."
REMATCH_DONE = "Done: your match has ended kindly and you're first in line for the next one."
SCHEDULED_THANKS = "Great, noted that you've scheduled your first meeting."
NOT_A_MEMBER = "That button belongs to someone else's match."
GOALS_INVITE = (
    "Your *{program}* match has started. What do you want from it? Set one to three goals"
    " (what, how you'll measure it, by when, and the steps on the way); your mentor sees"
    " them, and the monthly pulse asks how far along each one is."
)
GOALS_BUTTON = "Set my goals"
GOALS_NONE = "You have no goals yet. Mentees can set them with `/mentor goals`."
GOALS_HEADER = "*Goals*"
GOALS_MENTEE_ONLY = "Goals belong to mentees: you'll see your mentee's goals here once matched."
GOALS_SAVED = "Your goals are saved; your mentor sees them (never your survey answers)."
FEEDBACK_NONE = "There is no survey open for you right now. I'll ask after your next meeting."
ERR_GOAL_DATE = "Pick a date in the future."
ERR_GOAL_FIRST = "Write at least one goal."


# --- insight ---
REPORT_POSTED = "The report for *{program}* is on its way to {channel}."
SLACK_REFUSED = (
    "Slack did not accept that just now ({error}), so nothing was done. Please try again in a"
    " minute."
)
REPORT_NO_CHART = (
    "The report for *{program}* is in <#{channel}>, but Slack refused the chart upload;"
    " try again in a minute."
)
EXPORT_POSTED = "The CSV for *{program}* (one row per match) is on its way to {channel}."
REPORT_NO_CHANNEL = "*{program}* has no admin channel: set one with `/mentor admin program edit`."

MORE_NOT_SHOWN = "…and {n} more sections not shown here."
JOIN_MORE_PROGRAMS = "…and {n} more programs: join one by name with `/mentor join <program>`."
CHART_TITLE = "{program}: match rate and pulse per round"
CHART_LEGEND = (
    "Bars: share of mentees matched in each round (left scale). "
    "Dots: average pulse value of that round's matches, 1-5 (right scale)."
)
EXPORT_TITLE = "{program}: matches"

# The report and the retro (handlers.insight); a figure the rule hides, or not there yet:
FIGURE_HIDDEN = "not shown"
FIGURES_HIDDEN_NOTE = (
    "A figure not shown would tell about fewer than 5 people, directly or by subtraction."
)
FIGURE_NONE = "n/a"
REPORT_TITLE = "Report for {program}"
REPORT_ENROLLED = "Enrolled: {mentors} mentors, {mentees} mentees"
REPORT_MATCHES = (
    "Matches: {matches}; mentees matched: {matched} of {mentees} ({rate});"
    " median days to match: {days}"
)
REPORT_FIRST_MEETING = "First meeting confirmed within 14 days: {share}"
REPORT_MEETINGS = "Check-ins reporting a meeting per pair per month: {rate}"
REPORT_PULSE = (
    "Pulse averages (1-5): value {value}, progress {progress}; would recommend (0-10): {recommend}"
)
REPORT_GOALS = "Goal completion: {share}"
REPORT_STATES = "Match states: {cells}"
REPORT_END_REASONS = "Ended, by reason: {cells}"
REPORT_REMATCHED = "Mentees re-matched after an ended match: {share}"
REPORT_UTILISATION = "Mentor utilisation: {share}"
REPORT_GAPS = "Skill coverage gaps: {gaps}"
REPORT_GAP = "recruit mentors for {skill} ({wanted} want it, {places} places)"
REPORT_BY_DEPARTMENT = "Match rate by department: {cells}"
REPORT_BY_LEVEL = "Match rate by job level: {cells}"
REPORT_TREND = "Per round (match rate, pulse value): {rounds}"
REPORT_TREND_ROUND = "{day} {rate}, {pulse}"
REPORT_NO_ROUNDS = "no rounds yet"
REPORT_NONE = "none"
REPORT_RETENTION = (
    "Retention {start} to {end}: participants {participants}, non-participants {others}"
)
REPORT_RETENTION_GROUP = "{share} of {total}"
RETRO_TITLE = "Round retro: {program}, round of {day} ({days} days on)"
RETRO_MATCHED = "Mentees matched: {matched} of {seekers} ({rate}); matches: {matches}"
RETRO_MET = "Pairs who have met: {met} of {matches}"
RETRO_NOW = "Now: {cells}"
RETRO_PULSE = "Pulse value (1-5): {pulse}"
RETRO_INTROS = "Intros reached every pair in {took}"
RETRO_NO_INTROS = "Intros: none delivered yet"
RETRO_UNMATCHED = "Unmatched: {unmatched}; {gaps}"
RETRO_GAPS = "recruit mentors for {skills}"
RETRO_NO_GAPS = "no skill gaps"
WORK_WHAT = {
    "round": "the matching round",
    "introductions": "the introductions",
    "report": "the report",
    "export": "the export",
}
WORK_NOTES = {
    "round_pending": (
        "*{program}* already has a round waiting for a decision, so I did not start another."
        " Approve or discard the preview in the admin channel first, or run"
        " `/mentor admin round --repost` to see it again."
    ),
    "failed": (
        "I could not finish {what} for *{program}* after several tries ({detail}). Nothing was"
        " sent twice; please try again, and tell your operator if it keeps failing."
    ),
}
COMMAND_TOO_LONG = "That is too long for a command ({n} characters; at most {limit})."
COMMAND_UNCLOSED_QUOTE = "I couldn't read that: a quote is not closed."
BUTTON_STALE = "That button is out of date."
ROUND_UNKNOWN_OPTION = "I don't know the option `{option}`. Try `--dry-run` or `--repost`."
ROUND_NOTHING_PENDING = "*{program}* has no round waiting for a decision."
ROUND_REPOSTED = "The waiting *{program}* round's preview is posted again in {channel}."
ROUND_PENDING = (
    "*{program}* already has a round waiting for a decision in {channel}: approve or discard"
    " it there first. Lost the preview? `/mentor admin round --repost` posts it again."
)
ROUND_DECIDED_BY = "{user} {verb} this round."
CHECKIN_ANSWER_WORDS = {
    "met": "you met",
    "not_yet": "not yet",
    "rescheduling": "rescheduling",
    "end": "ending",
}
CHECKIN_ANSWERED = "{user} answered: {answer}."
MATCH_ENDED_NOTE = "This match has ended."
SCHEDULED_NOTE = "{user} noted that your first meeting is scheduled."
KEEP_GOING_YES_NOTE = "You chose to keep going."
KEEP_GOING_NO_NOTE = "You chose to end this match kindly."
PULSE_GOAL_LABEL = "How far along: {title}"
PULSE_VALUE_LABEL = "How valuable are your sessions? (1-5)"
PULSE_PROGRESS_LABEL = "Progress on your goals (1-5)"
PULSE_RECOMMEND_LABEL = "Would you recommend mentoring here? (0-10)"
PULSE_KUDOS_LABEL = "Kudos"
PULSE_KUDOS_BOX = "Thank my partner in the program channel"
PULSE_COMMENT_LABEL = "Anything else? (private)"
PULSE_SUBMIT = "Send"
CANCEL = "Cancel"
REMATCH_USAGE = "Just `/mentor rematch`: it ends your current match kindly."
ROLE_WORDS = {
    "mentor": "Mentor: I'd like to guide someone",
    "mentee": "Mentee: I'd like guidance",
    "both": "Both",
    "peer": "Peer: learn with a colleague",
}
LEVELS = {
    1: "1 (new to it)",
    2: "2",
    3: "3",
    4: "4",
    5: "5",
    6: "6",
    7: "7 (executive)",
}
FORM_ROLE = "Your role"
FORM_ROLE_PLACEHOLDER = "Choose a role"
FORM_EXPERT = "Skills you can teach well"
FORM_EXPERIENCED = "Skills you have some experience in"
FORM_SKILLS_PLACEHOLDER = "Choose skills"
FORM_GOALS = "What you want to develop"
FORM_GOALS_PLACEHOLDER = "Choose goals"
FORM_FREE_GOAL = "A goal in your own words"
FORM_LEVEL = "Your job level"
FORM_LEVEL_PLACEHOLDER = "Choose a level"
FORM_DEPARTMENT = "Department"
FORM_MANAGER = "Your manager"
FORM_PERSON_PLACEHOLDER = "Choose a person"
FORM_PEOPLE_PLACEHOLDER = "Choose people"
FORM_DAYS = "Working days"
FORM_HOURS_END = "Working hours end"
FORM_LANGUAGES = "Languages you can mentor in"
FORM_LANGUAGES_HINT = "Separate with commas, e.g. English, Spanish"
FORM_FREQUENCY = "How often you'd like to meet"
FORM_CAPACITY = "Mentors: how many mentees at most"
FORM_NEVER = "Never match me with"
FORM_CONSENT = "Consent"
FORM_CHOOSE = "Choose"
FORM_SAVE = "Save"
FORM_NEXT = "Next"
CLOSE = "Close"
REFUSAL_WHY = {
    "deactivated": "deactivated accounts",
    "bot": "bots",
    "guest": "guest accounts",
}
FORGET_USAGE = "Just `/mentor forget-me`: I'll ask you to confirm first."
FORGET_NOTHING = "There was nothing left to delete: I hold no data about you."
HOME_JOIN = "Join {program}"
HOME_JOIN_MENU = "Choose a program to join"
HOME_JOIN_MORE = "…and {n} more open programs: `/mentor join <program>` joins any of them."
HOME_RESUME = "Resume"
HOME_PAUSE = "Pause {weeks} weeks"
HOME_EDIT = "Edit"
HOME_FORGET = "Forget me"
HOME_MORE = "…and {n} more sections: `/mentor status` shows them all."
STATUS_PAUSED_UNTIL = "paused until {date}"
STATUS_PROGRAM = "*{program}*: {role}, {state}"
STATUS_MATCH = "  • matched with {who} since {since} ({state})"
STATUS_NOBODY = "nobody"
LEVEL_EXPERT = "expert"
LEVEL_EXPERIENCED = "experienced"
KNOWS_ROLE = "• Role: {role}"
KNOWS_OFFERED = "• Skills you offer: {skills}"
KNOWS_GOALS = "• Goals: {goals}"
KNOWS_FREE_GOAL = "• Your goal in your words: {goal}"
KNOWS_LEVEL = "• Job level: {level}"
KNOWS_DEPARTMENT = "• Department: {department}"
KNOWS_MANAGER = "• Manager: {manager}"
KNOWS_HOURS = "• Working days: {days}, {start} to {end} ({tz})"
KNOWS_LANGUAGES = "• Languages: {languages}"
KNOWS_MEETINGS = "• Meetings: {frequency}"
KNOWS_CAPACITY = "• Mentees at most: {n}"
KNOWS_NEVER = "• Never matched with: {n} people (only you see this)"
KNOWS_CONSENT = "• Consent given: {date}"
FREQUENCY_AGREED = "as agreed"
FORMATS = {
    "one_on_one": "One-to-one mentoring",
    "circle": "Circles",
    "peer": "Peer pairs",
    "reverse": "Reverse mentoring (juniors guide seniors)",
}
PROGRAM_EDIT_TITLE = "Edit program"
PROGRAM_NEW_TITLE = "New program"
ERR_ADMIN_CHANNEL = "Choose the channel where previews and reports go."
ERR_ADMIN_CHANNEL_PUBLIC = (
    "Choose a private channel: previews name people and show scores, exports list matches."
)
ERR_ADMIN_CHANNEL_UNSEEN = (
    "mentorbot is not in that channel. Invite it first (/invite @mentorbot), then save again."
)
ERR_ADMIN_CHANNEL_CHECK = "Slack did not say whether that channel is private. Try again."
WORKSPACE_ADMIN_ADDED = "<@{user}> is now a workspace admin: every program here is theirs."
WORKSPACE_ADMIN_ALREADY = "<@{user}> was already a workspace admin."
WORKSPACE_ADMIN_REMOVED = "<@{user}> is no longer a workspace admin."
WORKSPACE_ADMIN_NOT = "<@{user}> was not a workspace admin."
ERR_SKILLS = "Up to 20 skills of up to 60 characters each."
GOAL_BY = ", by {date}"
GOAL_MEASURED = " (measured by: {measure})"
GOAL_PROGRESS = ": {n}%"
GOALS_YOURS = " (yours)"
GOALS_NONE_YET = "• none yet"
GOAL_STEPS = " ({n} steps)"
GOALS_SHORTENED = (
    "_That's a lot of goals, so these are titles only: `/mentor goals show @mentee` shows one"
    " mentee's in full._"
)
GOALS_NOT_YOUR_MENTEE = "Name one of your mentees, like `/mentor goals show @alex`."
GOALS_OF = "*Goals* of {user}"
GOALS_FORM_INTRO = "Up to three goals: what, how you'll measure it, by when, and the steps."
GOAL_LABEL = "Goal {n}"
GOAL_MEASURE_LABEL = "How you'll measure it"
GOAL_DATE_LABEL = "Target date"
GOAL_MILESTONES_LABEL = "Milestones, one per line (up to {n})"
GOALS_TITLE = "Your goals"
ERR_MILESTONES = "Up to {n} milestones, one per line (you wrote {given})."
ROUND_INTRODUCED = "The *{program}* round needs no approval: introducing {matches} matches."
P_NAME = "Name"
P_FORMAT = "Format"
P_SCHEDULE = "Round schedule"
P_SCHEDULE_HINT = "For example: {example}. Leave empty to run rounds by hand."
P_TIMEZONE = "Program time zone"
P_CADENCE = "Days between meetings"
P_WEEKS = "Engagement length in weeks"
P_CAPACITY = "Mentees per mentor (default)"
P_CAPACITY_MAX = "Mentees per mentor (at most)"
P_APPROVAL = "Rounds need admin approval"
P_APPROVAL_CHOICES = {"yes": "Yes: preview first", "no": "No: introduce at once"}
P_ADMIN_CHANNEL = "Admin channel (private)"
P_ADMIN_CHANNEL_HINT = (
    "Previews name people and show scores, so only a private channel is offered."
    " Invite mentorbot to it first (/invite @mentorbot)."
)
P_CHANNEL = "Program channel"
P_SKILLS = "Add skills to the taxonomy"
P_SKILLS_HINT = "Comma-separated, e.g. Kubernetes, Pricing"
JOINED_TITLE = "You're in"
ROUND_INTROS_PACED = (
    "Slack opens new conversations at about 50 a minute, so the last intro should arrive by {by}."
)
ROUND_PREVIEW_OPTIMAL = "{certificate}"  # the engine says "Optimal: …" or "Not proved optimal"
ROUND_PREVIEW_LOAD_EVEN = "Load: every mentor has a first mentee before anyone has a second."
ROUND_PREVIEW_LOAD = (
    "Load: {doubled} mentors have two or more mentees while {idle} with room have none;"
    " spreading the load cost {cost:.2f} score points."
)


# --- reverse mentoring ---
INTRO_REVERSE = (
    "*This is reverse mentoring*: {mentor} is the mentor here, sharing what they know "
    "with {mentee}, who brings experience of their own. Both of you learn."
)
P_REVERSE_RULE = "Reverse mentoring: how junior must a mentor be?"
P_REVERSE_RULES = {
    "may": "Juniors preferred: pairs where the mentor is junior score best",
    "must": "Juniors only: a mentor is always more junior than their mentee",
}
ERR_LEVEL_NEEDED = "This program pairs junior mentors with senior mentees, so it needs your level."
ROUND_PREVIEW_OUT_OF_SCOPE = "Outside the program's rules (not matched, told once): {n}"
ROUND_PREVIEW_HOURS_CAP = "Mentors with fewer places because of their monthly hours cap: {n}"

# --- eligibility ---
P_DEPARTMENTS = "Who may join: departments"
P_DEPARTMENTS_HINT = "Comma-separated, e.g. Engineering, Data. Empty: any department."
P_LEVEL_MIN = "Who may join: lowest job level"
P_LEVEL_MAX = "Who may join: highest job level"
P_TENURE = "Who may join: at least this many months at the company"
P_LOCATIONS = "Who may join: locations"
P_LOCATIONS_HINT = "Comma-separated, as in your HR records. Empty: anywhere."
ERR_LEVELS = "The lowest level must not be above the highest."
ERR_NAMES = "Up to 20 names of up to 100 characters each."
ERR_MONTHS = "Use a whole number of months from 0 to 600."
RULE_DEPARTMENT = "people in {names}"
RULE_LEVEL_RANGE = "job levels {low} to {high}"
RULE_LEVEL_MIN = "job level {low} and above"
RULE_LEVEL_MAX = "job level {high} and below"
RULE_TENURE = "people with at least {months} months at the company"
RULE_LOCATION = "people based in {names}"
OPEN_TO = "*{program}* is open to {rules}."
EXCLUDED_JOIN = (
    "{open_to} From what I know (your profile and the HR records), that doesn't include you"
    " right now, so I can't add you to this one. This says nothing about you; if something"
    " I know is out of date, an admin of the program can check it."
)
OUT_OF_SCOPE = (
    "{open_to} From the latest records you're now outside it, so you won't be matched in"
    " it again. A match you have now carries on as planned, and nothing else changes. If"
    " this is a mistake, an admin of the program can check it. I won't mention it again."
)

# --- hours ---
P_HOURS_CAP = "Mentoring hours a month at most, per person (default)"
P_HOURS_CAP_HINT = "Counts meetings reported in check-ins and micro sessions. Empty: no cap."
FORM_HOURS_CAP = "Mentors: at most this many mentoring hours a month (all programs)"
FORM_HOURS_CAP_HINT = "Leave empty for the program's default. Matching keeps within it."
ERR_HOURS_CAP = "Use a whole number of hours from 1 to 200."
KNOWS_HOURS_CAP = "• Mentoring hours a month at most: {n}"
REPORT_HOURS = (
    "Mentor hours this month: {hours:g} h from {mentors} mentors; against their caps"
    " (with one: {capped}): {share} used on average; at or over their cap: {at_cap}"
)
REPORT_HOURS_SUPPRESSED = "Mentor hours this month: shown from 5 mentors (fewer than 5)"
REPORT_HOURS_NO_CAPS = "Mentor hours this month: {hours:g} h from {mentors} mentors; no caps set"
REPORT_HOURS_FEW_CAPS = (
    "Mentor hours this month: {hours:g} h from {mentors} mentors; use against caps is shown"
    " once 5 of them have one"
)
REPORT_HOURS_GROUPS = "Hours used against caps by department: {groups}"

# --- micro-mentoring ---
MICRO_USAGE = "Name a skill, for example `/mentor ask Python`, or add what it's about: "
MICRO_USAGE += "`/mentor ask Public speaking my first conference talk`."
MICRO_ASKED = (
    "I'm asking the best available expert in *{skill}* ({program}) for a {minutes}-minute"
    " conversation this week. You'll hear from me as soon as someone says yes."
)
MICRO_ASKED_SHORT = (
    "I'm asking the best available expert in *{skill}* ({program}). You'll hear from me as"
    " soon as someone says yes."
)
MICRO_UNAVAILABLE_NOW = (
    "Nobody who offers *{skill}* in {program} has time in your working hours this week (or"
    " they're at their monthly limit). Try again next week, or pick a nearby skill."
)
MICRO_ALREADY = "You already have an ask about *{skill}* under way; I'll tell you when it moves."
MICRO_NOT_ENROLLED = "Micro-mentoring is for people in a mentoring program. Try `/mentor join`."
MICRO_OUT_OF_SCOPE = "None of your programs can take an ask from you right now."
MICRO_UNKNOWN_SKILL = "I don't know a skill called `{words}` in your programs."
MICRO_SUGGEST_SKILLS = " Did you mean: {names}?"
MICRO_TITLE = "Ask an expert"
MICRO_SKILL_LABEL = "What would you like to talk about?"
MICRO_TOPIC_LABEL = "In a sentence (the expert sees it)"
MICRO_SEND = "Ask"
MICRO_NO_SKILLS = "You're not in a program that takes micro-mentoring asks right now."
HOME_ASK = "Ask an expert"
MICRO_PROPOSAL = (
    ":raising_hand: {asker} would like a {minutes}-minute conversation about *{skill}*"
    " ({program}), and you're the best fit I found. Could you give it this week? Only you"
    " are asked for now, and nobody is told if you can't."
)
MICRO_PROPOSAL_SUGGESTED = "{suggester} thought of you for this."
MICRO_TOPIC = "*What it's about*: {topic}"
MICRO_TIMES = "*Times in both your working hours* (yours): {times}"
MICRO_ACCEPT = "Yes, happy to"
MICRO_DECLINE = "Not this time"
MICRO_SUGGEST = "Suggest someone"
MICRO_ACCEPTED_NOTE = "{user} said yes; the conversation is open."
MICRO_DECLINED_NOTE = "You passed on this one; I've asked someone else. Thank you for answering."
MICRO_SUGGESTED_NOTE = "Thanks: I've asked the person you suggested."
MICRO_SUGGESTING_NOTE = (
    "Thank you for suggesting someone. If you close that window without choosing, I'll ask"
    " someone else in a couple of days."
)
MICRO_SUGGESTED_OTHER_NOTE = (
    "Thanks. The person you suggested can't take it right now, so I've asked someone else."
)
MICRO_GONE = "This ask has moved on (answered, or passed to someone else)."
MICRO_SUGGEST_TITLE = "Suggest someone"
MICRO_SUGGEST_LABEL = "Who would be good for this?"
MICRO_SUGGEST_HINT = "I'll ask them if they're in the program and have the time."
MICRO_INTRO = (
    ":handshake: {expert} has {minutes} minutes for {asker} about *{skill}* ({program})."
    " One conversation, no strings: pick a time below and send an invite."
)
MICRO_INTRO_TEXT = "{expert} and {asker}: a {minutes}-minute conversation about {skill}"
MICRO_INTRO_SLOTS = "*Times that suit both of you*"
MICRO_INTRO_NO_SLOTS = "Your hours barely overlap this week; find a time in a thread here."
MICRO_FOLLOWUP = (
    "How was your conversation with {expert} about *{skill}*? One question, and only the"
    " program sees the totals."
)
MICRO_HELPED = "It helped a lot"
MICRO_SOMEWHAT = "It helped a bit"
MICRO_NOT_HELPED = "Not really"
MICRO_NOT_MET = "We didn't meet"
MICRO_FOLLOWUP_THANKS = "Thanks, noted. I'll pass nothing on to {expert} but the totals."
MICRO_FOLLOWUP_NOTE = "You answered: {answer}."
MICRO_FOLLOWUP_WORDS = {
    "helped": "it helped a lot",
    "somewhat": "it helped a bit",
    "not_helped": "not really",
    "not_met": "you didn't meet",
}
MICRO_UNAVAILABLE = (
    "I'm sorry: nobody who offers *{skill}* in {program} could take a conversation this week."
    " Try `/mentor ask` again next week, or ask about a nearby skill."
)
REPORT_MICRO = (
    "Micro-mentoring: asked {asked}, accepted {accepted}, held {held}, nobody free"
    " {unavailable}; found helpful: {helped}"
)

# --- concerns ---
CONCERN_BUTTON = "Raise a concern privately"
CONCERN_TITLE = "Raise a concern"
CONCERN_INTRO = (
    "Only the admins of the program read this. Nobody in your match is told, and neither is"
    " an admin who is in it. You'll get a private acknowledgment."
)
CONCERN_ABOUT = "What is it about?"
CONCERN_MATCH_OPTION = "Your match with {others} ({program})"
CONCERN_MATCH_OPTION_NOBODY = "Your match in {program}"
CONCERN_PROGRAM_OPTION = "Something else in {program}"
CONCERN_CATEGORY = "Kind of concern"
CONCERN_CATEGORIES = {
    "conduct": "Someone's conduct",
    "confidentiality": "Confidentiality",
    "other": "Something else",
}
CONCERN_TEXT = "What happened?"
CONCERN_TEXT_HINT = "Up to 2,000 characters. Only the program's admins see it."
CONCERN_WANTS_REPLY = "Reply"
CONCERN_WANTS_REPLY_BOX = "I'd like an admin to reply to me"
CONCERN_SEND = "Send privately"
CONCERN_NOTHING = (
    "You're not in a mentoring program or match I could pass a concern on about. If"
    " something is wrong, please talk to your HR team."
)
CONCERN_ERR_ABOUT = "Choose what it's about."
CONCERN_ERR_TEXT = "Tell the admins what happened (up to 2,000 characters)."
CONCERN_SENT = (
    "Thank you for telling us. Your concern went privately to {who}; nobody in your match"
    " is told. {reply}"
)
CONCERN_REACHED = {0: "the workspace's mentoring admins", 1: "the program's admin"}
CONCERN_REACHED_MANY = "the program's {n} admins"
CONCERN_REPLY_YES = "An admin will reply to you here."
CONCERN_REPLY_NO = "You asked not to be replied to; you can always raise another."
CONCERN_NOBODY = (
    "Thank you for telling us. I've kept your concern, but no admin outside your match can"
    " read it yet: please also talk to your HR team."
)
CONCERN_RECEIVED = (
    ":lock: I've passed your concern about *{program}* privately to {who}. Nobody in your"
    " match is told. {reply}"
)
CONCERN_REPORT = (
    ":rotating_light: *A concern in {program}* ({category}), raised privately by {reporter}."
    " You're seeing it as an admin of the program; nobody in the match is told."
)
CONCERN_REPORT_MATCH = "*About the match*: {members}, since {since} ({state}{paused})"
CONCERN_REPORT_NO_MATCH = "*About*: the program in general (no particular match)"
CONCERN_REPORT_TEXT = "*What they wrote*:\n{text}"
CONCERN_REPORT_REPLY = "They'd like a reply."
CONCERN_REPORT_NO_REPLY = "They asked not to be replied to."
CONCERN_PAUSE = "Pause the match"
CONCERN_RESUME = "Resume the match"
CONCERN_END = "End it kindly"
CONCERN_REPLY = "Reply to them"
CONCERN_RESOLVE = "Mark resolved"
CONCERN_END_CONFIRM_TITLE = "End this match?"
CONCERN_END_CONFIRM = (
    "Both members are told the same kind words as any other ending, and are first in line"
    " for their next match. Nobody is told why."
)
CONCERN_END_YES = "End it kindly"
CONCERN_DONE = {
    "pause": "{user} paused the match: no more check-ins or nudges until it's resumed.",
    "resume": "{user} resumed the match.",
    "end": "{user} ended the match kindly.",
    "resolve": "{user} marked this concern resolved.",
    "reply": "{user} replied to the reporter.",
}
CONCERN_ALREADY = "Nothing changed: the match (or the concern) was already like that."
CONCERN_NOT_ALLOWED = (
    "Only admins of this program who are not in the match can act on this concern."
)
CONCERN_GONE = "This concern no longer exists."
CONCERN_NO_MATCH = "This concern isn't about a match, so there is none to pause or end."
CONCERN_REPLY_TITLE = "Reply privately"
CONCERN_REPLY_LABEL = "Your reply (only the person who raised it sees it)"
CONCERN_REPLY_SEND = "Send"
CONCERN_REPLY_SENT = "Your reply is on its way to them, privately."
CONCERN_REPLY_MESSAGE = (
    ":speech_balloon: An admin of *{program}* replied about your concern:\n>{text}"
)
CONCERNS_NONE = "No open concerns in the programs you run."
CONCERNS_HEADER = "*Open concerns you may see* (text and reporter are in your DMs):"
CONCERNS_LINE = (
    "• #{id} in *{program}* ({category}), raised {when}; match {state}{paused}. Trail: {trail}"
)
CONCERNS_PAUSED = ", paused"
CONCERN_TRAIL_STEP = "{action} {who} {when}"

# --- recognition ---
IMPACT_HEADER = "*What your mentoring has achieved*"
IMPACT_NONE = (
    "Once you mentor someone (in a program or in a micro session), what it achieved shows up here."
)
IMPACT_PEOPLE = "• People you've mentored or helped: {n}"
IMPACT_MATCHES = "• Mentoring relationships: {n} ({completed} completed)"
IMPACT_MICRO = "• Micro sessions given: {n}"
IMPACT_GOALS = "• Goals your mentees reached: {n}"
IMPACT_HOURS = "• Hours given: {hours:g} in all, {month:g} this month{cap}"
IMPACT_CAP = " (your cap: {cap:g} a month)"
IMPACT_RECOMMEND = "• Would recommend you (0-10, average of {n} answers, anonymous): {score:g}"
IMPACT_RECOMMEND_WAIT = "• Would-recommend score: shown once 5 mentees have answered ({n} so far)"
IMPACT_PROGRAMS = "• Programs: {names}"
IMPACT_SHARE = "Share a thank-you card"
IMPACT_NAME_ME = "Name me in thank-you posts"
IMPACT_DONT_NAME_ME = "Stop naming me in thank-you posts"
IMPACT_NAMED = "Done: the programs' thank-you posts will name you."
IMPACT_NOT_NAMED = "Done: the programs' thank-you posts won't name you."
IMPACT_NOT_KNOWN = "I don't know you yet. Try `/mentor join`."
IMPACT_COMPLETED = (
    "Your match in *{program}* has finished as planned. Thank you for mentoring! Here's what"
    " your mentoring has achieved so far:"
)
HOME_IMPACT = "My impact"
SHARE_TITLE = "Share a thank-you card"
SHARE_CHANNEL = "Where should I post it?"
SHARE_CHANNEL_HINT = "Pick a channel I'm in (invite me with /invite @mentorbot)."
SHARE_PREVIEW = "This is what people will see:"
SHARE_SEND = "Post it"
SHARE_SENT = "Your card is on its way to {channel}."
SHARE_ERR_CHANNEL = "Choose a channel."
CARD = (
    ":sparkles: *Thank you, {mentor}!* Through mentoring, they've helped {people} people,"
    " given {hours:g} hours and seen {goals} goals reached{programs}."
)
CARD_PROGRAMS = " in {names}"
CARD_FALLBACK = "Thank you, {mentor}, for mentoring!"
SHARE_FAILED = (
    "I couldn't post your thank-you card in {channel}: I'm not in that channel. Invite me"
    " there (`/invite @mentorbot`) and share it again with `/mentor impact`."
)
P_THANKS = "Monthly thank-you to mentors in the program channel"
P_THANKS_CHOICES = {
    "off": "Off",
    "monthly": "On: totals (from 5 mentors) and those who ask to be named",
}
THANKS_POST = (
    ":heart: *Thank you, {program} mentors!* In {month}, {mentors} mentors gave {hours:g}"
    " hours across {sessions} sessions, helping {people} people."
)
THANKS_POST_SMALL = ":heart: *Thank you, {program} mentors*, for your time in {month}."
THANKS_NAMED = "Special thanks to {names}."
ERR_THANKS_CHANNEL = "Choose a program channel above for the thank-you posts."
