"""The block scorer (used to pick candidates) agrees with the exact pair scorer."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from matching.constraints import forbidden_pairs
from matching.problem import Problem
from matching.scoring import block_scores, build_features, column_tables, score_pairs
from tests.matching.helpers import problems


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_mentees=8, max_mentors=6, roles=("mentee", "mentor", "both")))
def test_block_and_pair_paths_agree(prob: Problem) -> None:
    check(prob)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_mentees=8, max_mentors=6, fmt="peer"))
def test_block_and_pair_paths_agree_for_peers(prob: Problem) -> None:
    check(prob)


def check(prob: Problem) -> None:
    f = build_features(prob.participants, prob.taxonomy, prob.config)
    forbidden = forbidden_pairs(f.people, prob.config)
    rows = np.arange(f.n, dtype=np.int64)
    block = block_scores(f, rows, column_tables(f, rows))
    col_pos = np.arange(f.n, dtype=np.int64)
    forbidden.apply(block, rows, col_pos)
    a, b = np.repeat(rows, f.n), np.tile(rows, f.n)
    exact = score_pairs(f, a, b)
    allowed = (exact.feasible & ~forbidden.pair_mask(a, b)).reshape(f.n, f.n)
    # nobody meets themselves on either path (a "both" person is a row and a column)
    assert np.array_equal(np.isfinite(block), allowed)
    assert np.allclose(block[allowed], exact.score.reshape(f.n, f.n)[allowed], atol=1e-5)
