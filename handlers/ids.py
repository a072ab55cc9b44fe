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
    FORGET_ME = "enroll_forget_me"

    # rounds

    # engagement
    PULSE = "pulse_survey"
    GOALS = "goals_edit"

    # insight


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

    # insight


class Block(StrEnum):
    """Input block ids, which key the values of a view submission."""

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

    # insight
