"""A flow solved in a forked child, while the round explains ahead, is the same round."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import numpy as np
import pytest

from bench import synth
from bench.matching import WEEK
from matching import engine, exact, forked
from matching.engine import match
from matching.problem import Problem, ProgramConfig, Result

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="fork() only")

I64 = np.ndarray
START, PAIR_MATCH, SOLVE_PAIRS = forked.start, engine._pair_match, engine.solve_pairs


def _round(
    monkeypatch: pytest.MonkeyPatch, fork_arcs: int, repair: bool = False
) -> tuple[Result, list[int], list[tuple[int, int]], int]:
    """A 1,500 x 400 round taking several solves (2 arcs per row to start, 1 kept per
    rescore; never a repair, or with `repair` every solve after the first a repair).
    Returns it, the size of each flow solved in a child, every pair explained in the order
    explained, and how many were explained after the solve."""
    monkeypatch.setattr(exact, "KEEP", 1)
    monkeypatch.setattr(exact, "WARM_SHARE", 10**9 if repair else 0)
    if repair:
        monkeypatch.setattr(exact, "WARM_ARCS", 0)
    monkeypatch.setattr(exact, "FORK_ARCS", fork_arcs)
    children: list[int] = []
    start = forked.start  # the test's own, if it set one

    def counted(solve: Callable[[], I64], size: int) -> forked.Pending | None:
        children.append(size)
        return start(solve, size)

    monkeypatch.setattr(forked, "start", counted)
    explained: list[tuple[int, int]] = []

    def listed(state: engine._Round, seeker: int, giver: int, comps: dict, e: int) -> object:
        explained.append((seeker, giver))
        return PAIR_MATCH(state, seeker, giver, comps, e)

    monkeypatch.setattr(engine, "_pair_match", listed)
    during = [0]

    def solving(*args: object, **kwargs: object) -> exact.Exact:
        got = SOLVE_PAIRS(*args, **kwargs)  # type: ignore[arg-type]
        during[0] = len(explained)
        return got

    monkeypatch.setattr(engine, "solve_pairs", solving)
    people = synth.population(1500, 400, seed=3, capacity=3)
    config = ProgramConfig(week_start=WEEK, candidates_per_seeker=2)
    result = match(Problem(people, synth.taxonomy(), config))
    monkeypatch.setattr(forked, "start", start)
    return result, children, explained, len(explained) - during[0]


def test_a_round_solved_in_children_is_the_round_solved_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alone, none, _, _ = _round(monkeypatch, 10**12)
    beside, children, _, _ = _round(monkeypatch, 0)
    assert none == []
    assert len(children) == beside.stats.solves
    assert beside.matches == alone.matches  # the same pairs, scores and reasons
    assert beside.unmatched == alone.unmatched
    assert beside.stats.certificate == alone.stats.certificate


def test_pairs_explained_while_a_child_solves_are_not_explained_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alone, _, once, after = _round(monkeypatch, 10**12)
    assert len(once) == after == len(alone.matches)  # in process: all at the end
    beside, _, explained, after = _round(monkeypatch, 0)
    assert beside.stats.solves > 2
    assert len(set(explained)) == len(explained)  # no pair twice
    assert after < len(beside.matches) / 2  # most were explained while a child solved


def test_pairs_are_explained_beside_a_repair_and_the_round_is_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A repair of the last flow runs on a thread while the round explains that flow's
    pairs: the same round, each pair explained once, most of them before the end."""
    alone, _, _, _ = _round(monkeypatch, 10**12, repair=True)
    beside, children, explained, after = _round(monkeypatch, 0, repair=True)
    assert len(children) == 1 < beside.stats.solves  # the first solve; then repairs
    assert beside.matches == alone.matches
    assert beside.unmatched == alone.unmatched
    assert beside.stats.certificate == alone.stats.certificate
    assert len(set(explained)) == len(explained)
    assert after < len(beside.matches) / 2


def test_rows_left_out_are_scored_again_beside_a_repair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When arcs already known improve and the next solve is a repair, the rows whose
    bound is loose are scored again while that repair runs, not before it (the pricing
    that certifies the round still scores them before it decides): the same round."""
    repairing = [False]
    during: list[bool] = []
    beside, scored = exact._beside, exact.rescore

    def marked(job: Callable[[], I64 | None], meanwhile: Callable[[], None] | None) -> object:
        repairing[0] = True
        try:
            return beside(job, meanwhile)
        finally:
            repairing[0] = False

    def scoring(*args: object) -> object:
        during.append(repairing[0])
        return scored(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(exact, "_beside", marked)
    monkeypatch.setattr(exact, "rescore", scoring)
    monkeypatch.setattr(exact, "ALL_CELLS", 0)  # each row keeps its 12 best arcs, no more
    monkeypatch.setattr(exact, "RESERVOIR", 0)
    alone, _, _, _ = _round(monkeypatch, 10**12)
    during.clear()
    repaired, _, _, _ = _round(monkeypatch, 10**12, repair=True)
    assert during
    assert all(during)  # here every rescore found a repair to run beside
    assert repaired.stats.certificate.startswith("Optimal")
    assert repaired.stats.matched_seekers == alone.stats.matched_seekers
    # equal in the weight units the round maximises (946,070 each); ties may pair people
    # differently, so the total in score points may differ by rounding (here 0.0007)
    assert repaired.stats.total_score == pytest.approx(alone.stats.total_score, abs=0.01)


def test_a_child_that_fails_leaves_the_solve_to_the_caller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alone, _, _, _ = _round(monkeypatch, 10**12)

    def dying(solve: Callable[[], I64], size: int) -> forked.Pending | None:
        def die() -> I64:
            os.kill(os.getpid(), signal.SIGKILL)
            return solve()

        return START(die, size)

    monkeypatch.setattr(forked, "start", dying)
    beside, children, _, _ = _round(monkeypatch, 0)
    assert children  # a child was started each time, and died each time
    assert beside.matches == alone.matches


def _wait_a_minute() -> I64:
    time.sleep(60)
    return np.zeros(3, dtype=np.int64)


def test_an_error_while_the_child_works_stops_and_reaps_it() -> None:
    pending = forked.start(_wait_a_minute, 3)
    assert pending is not None
    began = time.monotonic()
    with pytest.raises(RuntimeError, match="meanwhile"), pending:
        raise RuntimeError("meanwhile")
    assert time.monotonic() - began < 30  # stopped, not waited for
    with pytest.raises(ChildProcessError):
        os.waitpid(pending.pid, os.WNOHANG)  # reaped: no zombie left behind


def test_the_child_s_answer_comes_back_whole() -> None:
    pending = forked.start(lambda: np.arange(1_000_000, dtype=np.int64) * 7, 1_000_000)
    assert pending is not None
    with pending:
        got = pending.result()
    assert got is not None
    assert np.array_equal(got, np.arange(1_000_000) * 7)
    wrong_size = forked.start(lambda: np.arange(5, dtype=np.int64), 6)
    assert wrong_size is not None
    with wrong_size:
        assert wrong_size.result() is None
