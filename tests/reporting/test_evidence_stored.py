"""The Evidence figures stored as JSON (never pickle) and read back whole: on a real
evaluation of the demo world, and the shapes the tree uses one by one."""

import dataclasses
import datetime as dt
import json
import math

import pytest

from reporting.evaluation import Evidence, evaluate, stored
from reporting.evaluation.did import Effect, Interval
from reporting.evaluation.funnel import Stage


def round_trip(value, kind):
    """Through JSON text, as the database stores it (no NaN: PostgreSQL refuses it)."""
    text = json.dumps(stored.to_data(value), allow_nan=False)
    return stored.from_data(kind, json.loads(text))


@pytest.mark.django_db
def test_a_real_evaluation_of_the_demo_world_comes_back_equal():
    from accounts.models import Area
    from demo.crime import seed_crime
    from demo.world import seed

    seed()
    seed_crime()
    evidence = evaluate(Area.objects.get(name="Lambeth"))
    assert evidence.pooled.conclusive  # the demo plants a fall: intervals, pretrend, all
    assert evidence.hotspots
    assert evidence.funnel.by_service
    assert evidence.diversion.rearrest
    assert 0 < evidence.visit_lengths.timed < evidence.visit_lengths.visits  # some had times
    assert evidence.dose_response.per_hour is not None or evidence.dose_response.minutes_reason

    back = round_trip(evidence, Evidence)

    assert back == evidence
    assert back.computed_at.tzinfo is not None
    assert isinstance(back.hotspots, tuple)
    assert isinstance(back.crime_months[0], dt.date)
    assert back.pooled.comparisons == evidence.pooled.comparisons


def test_floats_json_cannot_hold_are_kept_by_name():
    effect = Effect("x", True, dispersion=math.inf, estimate=Interval(math.nan, 0.5, -math.inf))
    back = round_trip(effect, Effect)
    assert back.dispersion == math.inf
    assert math.isnan(back.estimate.ratio)
    assert back.estimate.high == -math.inf


def test_none_and_optional_values_come_back_as_none():
    stage = Stage(made=3)
    assert round_trip(stage, Stage) == stage
    assert round_trip(None, Interval | None) is None


def test_numpy_numbers_are_stored_as_python_numbers():
    np = pytest.importorskip("numpy")
    data = stored.to_data(Stage(made=np.int64(4), days_to_receive=np.float64(1.5)))
    assert data["made"] == 4
    assert type(data["made"]) is int
    assert type(data["days_to_receive"]) is float


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("made"),  # a field missing
        lambda d: d.update(extra=1),  # a field unknown
        lambda d: d.update(made="3"),  # a string for a number
        lambda d: d.update(made=True),  # true for a number
        lambda d: d.update(days_to_receive=[1]),  # a list for a float
    ],
)
def test_data_of_another_shape_is_refused(change):
    data = stored.to_data(Stage(made=3))
    change(data)
    with pytest.raises(stored.StoredFormatError):
        stored.from_data(Stage, data)


def test_what_is_not_part_of_the_tree_is_not_stored():
    with pytest.raises(TypeError):
        stored.to_data({1, 2})


def test_every_dataclass_of_the_tree_is_read_back_by_its_hints():
    """A field whose type the reader does not know fails here, not on the page."""
    seen, todo = set(), [Evidence]
    while todo:
        kind = todo.pop()
        seen.add(kind)
        for hint in stored._hints(kind).values():
            for part in (hint, *getattr(hint, "__args__", ())):
                for inner in (part, *getattr(part, "__args__", ())):
                    if dataclasses.is_dataclass(inner) and inner not in seen:
                        todo.append(inner)
    assert {"Effect", "Interval", "Dose", "DoseResponse", "Diversion", "Funnel"} <= {
        k.__name__ for k in seen
    }
