"""Scoring on several threads gives the round exactly what one thread gives it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bench import synth
from bench.matching import WEEK
from matching import parallel
from matching.engine import match
from matching.parallel import ordered_map
from matching.problem import Problem, ProgramConfig


def test_results_come_in_the_order_of_the_items_whoever_finishes_first() -> None:
    second_done = threading.Event()

    def work(i: int) -> int:
        if i == 0:  # the first item finishes only after the second has
            assert second_done.wait(timeout=10)
        if i == 1:
            second_done.set()
        return i * i

    assert list(ordered_map(work, range(6), threads=2)) == [0, 1, 4, 9, 16, 25]


def test_no_more_than_two_items_per_thread_are_taken_ahead_of_the_reader() -> None:
    taken: list[int] = []

    def items() -> Iterator[int]:
        for i in range(100):
            taken.append(i)
            yield i

    results = ordered_map(lambda i: i, items(), threads=2)
    assert next(results) == 0
    assert len(taken) <= 4
    assert list(results) == list(range(1, 100))


def test_a_failure_in_one_block_is_the_caller_s() -> None:
    def work(i: int) -> int:
        if i == 3:
            raise ValueError("block 3")
        return i

    with pytest.raises(ValueError, match="block 3"):
        list(ordered_map(work, range(8), threads=2))


def test_a_round_scored_on_two_threads_pairs_exactly_as_on_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people = synth.population(3000, 900, seed=5, capacity=2)
    prob = Problem(people, synth.taxonomy(), ProgramConfig(week_start=WEEK))
    monkeypatch.setattr(parallel, "THREADS", 1)
    alone = match(prob)
    monkeypatch.setattr(parallel, "THREADS", 2)
    shared = match(prob)
    assert [(m.mentor, m.members, m.score) for m in shared.matches] == [
        (m.mentor, m.members, m.score) for m in alone.matches
    ]
    assert shared.stats.solves == alone.stats.solves
