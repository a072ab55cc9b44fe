"""Every Block Kit and listener id, shared by the builders that emit them and the listeners."""

from __future__ import annotations

from enum import StrEnum

COMMAND = "/mentor"


class Callback(StrEnum):
    """View callback ids."""

    # enrollment
    JOIN = "enroll_join"
    JOIN_PROGRAM = "enroll_choose_program"
    PROGRAM_SETTINGS = "program_settings"
    ADMIN_PEOPLE = "admin_people"
    FORGET_ME = "enroll_forget_me"

    # rounds

    # engagement
    PULSE = "pulse_survey"
    GOALS = "goals_edit"
    MICRO_ASK = "micro_ask"
    MICRO_SUGGEST = "micro_suggest"
    CONCERN = "concern_raise"
    CONCERN_REPLY = "concern_reply"

    # insight
    IMPACT_SHARE = "impact_share"


class Action(StrEnum):
    """Block action ids."""

    # enrollment
    FORGET_ME_CONFIRM = "enroll_forget_me_confirm"
    FORGET_ME_CANCEL = "enroll_forget_me_cancel"
    HOME_EDIT = "home_edit_profile"
    HOME_PAUSE = "home_pause"
    HOME_RESUME = "home_resume"
    HOME_FORGET = "home_forget_me"
    HOME_JOIN = "home_join"
    INVITE_JOIN = "invite_join"

    # rounds
    ROUND_APPROVE = "round_approve"
    ROUND_DISCARD = "round_discard"
    ROUND_RERUN = "round_rerun"

    # engagement (the intro's buttons; rounds emits them, engagement answers them)
    SCHEDULED = "match_scheduled"
    NOT_A_GOOD_FIT = "match_not_a_good_fit"
    CHECKIN_MET = "checkin_met"
    CHECKIN_NOT_YET = "checkin_not_yet"
    CHECKIN_RESCHEDULING = "checkin_rescheduling"
    CHECKIN_END = "checkin_end"
    KEEP_GOING_YES = "keep_going_yes"
    KEEP_GOING_NO = "keep_going_no"
    PULSE_OPEN = "pulse_open"
    GOALS_OPEN = "goals_open"
    HOME_ASK = "home_micro_ask"
    MICRO_ACCEPT = "micro_accept"
    MICRO_DECLINE = "micro_decline"
    MICRO_SUGGEST = "micro_suggest"
    MICRO_HELPED = "micro_helped"
    MICRO_SOMEWHAT = "micro_somewhat"
    MICRO_NOT_HELPED = "micro_not_helped"
    MICRO_NOT_MET = "micro_not_met"
    CONCERN_OPEN = "concern_open"
    CONCERN_PAUSE = "concern_pause"
    CONCERN_RESUME = "concern_resume"
    CONCERN_END = "concern_end"
    CONCERN_RESOLVE = "concern_resolve"
    CONCERN_REPLY = "concern_reply_open"

    # insight
    HOME_IMPACT = "home_impact"
    IMPACT_SHARE = "impact_share_open"
    IMPACT_NAME_ME = "impact_name_me"
    IMPACT_DONT_NAME_ME = "impact_dont_name_me"


class Block(StrEnum):
    """Input block ids, which key the values of a view submission."""

    # admins
    ADMIN_PERSON = "admin_person"
    ADMIN_PROGRAM = "admin_program"

    # enrollment
    PROGRAM = "enroll_program"
    ROLE = "enroll_role"
    OFFER_EXPERT = "enroll_offer_expert"
    OFFER_EXPERIENCED = "enroll_offer_experienced"
    GOALS = "enroll_goals"
    FREE_GOAL = "enroll_free_goal"
    SENIORITY = "enroll_seniority"
    DEPARTMENT = "enroll_department"
    MANAGER = "enroll_manager"
    DAYS = "enroll_days"
    START = "enroll_start"
    END = "enroll_end"
    LANGUAGES = "enroll_languages"
    FREQUENCY = "enroll_frequency"
    CAPACITY = "enroll_capacity"
    NEVER = "enroll_never"
    CONSENT = "enroll_consent"
    P_NAME = "program_name"
    P_FORMAT = "program_format"
    P_SCHEDULE = "program_schedule"
    P_TIMEZONE = "program_timezone"
    P_CADENCE = "program_cadence"
    P_WEEKS = "program_weeks"
    P_CAPACITY = "program_capacity"
    P_CAPACITY_MAX = "program_capacity_max"
    P_APPROVAL = "program_approval"
    P_ADMIN_CHANNEL = "program_admin_channel"
    P_CHANNEL = "program_channel"
    P_SKILLS = "program_skills"
    P_REVERSE_RULE = "program_reverse_rule"
    P_HOURS_CAP = "program_hours_cap"
    P_DEPARTMENTS = "program_departments"
    P_LEVEL_MIN = "program_level_min"
    P_LEVEL_MAX = "program_level_max"
    P_TENURE = "program_tenure"
    P_LOCATIONS = "program_locations"
    P_THANKS = "program_thanks"
    HOURS_CAP = "enroll_hours_cap"

    # rounds

    # engagement
    PULSE_VALUE = "pulse_value"
    PULSE_PROGRESS = "pulse_progress"
    PULSE_RECOMMEND = "pulse_recommend"
    PULSE_COMMENT = "pulse_comment"
    GOAL_TITLE = "goal_title_"  # + 1..3
    GOAL_MEASURE = "goal_measure_"
    GOAL_DATE = "goal_date_"
    GOAL_MILESTONES = "goal_milestones_"
    PULSE_GOAL = "pulse_goal_"  # + goal id
    PULSE_KUDOS = "pulse_kudos"
    MICRO_SKILL = "micro_skill"
    MICRO_TOPIC = "micro_topic"
    MICRO_PERSON = "micro_person"
    CONCERN_ABOUT = "concern_about"
    CONCERN_CATEGORY = "concern_category"
    CONCERN_TEXT = "concern_text"
    CONCERN_WANTS_REPLY = "concern_wants_reply"
    CONCERN_REPLY_TEXT = "concern_reply_text"

    # insight
    SHARE_CHANNEL = "impact_share_channel"
