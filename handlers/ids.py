"""Every Block Kit and listener id, shared by the builders that emit them and the listeners."""

from __future__ import annotations

from enum import StrEnum

COMMAND = "/mentor"


class Callback(StrEnum):
    """View callback ids."""

    # enrollment

    # rounds

    # engagement

    # insight


class Action(StrEnum):
    """Block action ids."""

    # enrollment

    # rounds
    ROUND_APPROVE = "round_approve"
    ROUND_DISCARD = "round_discard"
    ROUND_RERUN = "round_rerun"

    # engagement (the intro's buttons; rounds emits them, engagement answers them)
    SCHEDULED = "match_scheduled"
    NOT_A_GOOD_FIT = "match_not_a_good_fit"

    # insight


class Block(StrEnum):
    """Input block ids, which key the values of a view submission."""

    # enrollment

    # rounds

    # engagement

    # insight
