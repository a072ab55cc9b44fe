"""What people wrote never reaches an error, a traceback or a log: hidden parameters, and no
PostgreSQL DETAIL line quoting the failing row."""

from __future__ import annotations

import logging
import traceback

import pytest
from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from models.tables import PulseResponse
from tests.support.clock import FrozenClock

SECRET = "my mentor is hopeless ZQX"


def test_a_refused_insert_names_no_answer_in_its_error_or_its_traceback(
    engine: Engine, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    statement = insert(PulseResponse).values(
        survey_id=1, value_rating=9, comment=SECRET, goal_progress={}, submitted_at=clock()
    )
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(statement)  # a rating out of range (and no such survey)
    told = "".join(traceback.format_exception(caught.value))
    assert SECRET not in told
    assert "ZQX" not in told
    logging.getLogger("mentorbot").error("refused", exc_info=caught.value)
    assert "ZQX" not in caplog.text
