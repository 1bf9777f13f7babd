"""The replication study's script (scripts/replicate_evaluation.py, `make replicate`): it
runs the estimator on simulated worlds and writes its table between the markers of
docs/evaluation.md. A few worlds here; the study itself runs 200 a row."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location(
        "replicate_evaluation", ROOT / "scripts" / "replicate_evaluation.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_a_row_counts_what_the_page_would_say_and_the_coverage(script):
    scenario = script.SCENARIOS[1]  # 3-8 treated, a planted fall of 20%
    row = script.run(scenario, 4)

    assert row.worlds == 4
    assert sum(row.said.values()) == 4
    assert 0 <= row.covered <= row.estimated <= 4
    assert set(row.said) <= set(script.VERDICTS)
    first, planted, covered, said = row.cells()
    assert first == f"4, {scenario.label}"
    assert planted == "−20%"
    assert covered.startswith(f"{row.covered} of {row.estimated}")


def test_a_null_world_is_planted_none_and_a_drift_has_no_coverage(script):
    null = script.run(script.SCENARIOS[5], 1)
    drift = script.run(script.SCENARIOS[7], 1)

    assert null.cells()[1] == "none"
    assert drift.cells()[2].startswith("—")


def test_the_binomial_band_around_95_percent(script):
    # 200 worlds: 190 expected, sd = sqrt(200 x 0.95 x 0.05) = 3.08.
    assert script.binomial_band(200) == (183, 197)


def test_the_table_goes_between_the_markers_and_nowhere_else(script, tmp_path):
    doc = tmp_path / "evaluation.md"
    doc.write_text(f"# Before\n{script.START}\nold table\n{script.END}\nAfter\n")

    script.write(doc, "| new |")

    assert doc.read_text() == f"# Before\n{script.START}\n| new |\n{script.END}\nAfter\n"


def test_a_document_without_markers_is_refused(script, tmp_path):
    doc = tmp_path / "evaluation.md"
    doc.write_text("no markers")
    with pytest.raises(SystemExit):
        script.write(doc, "| new |")
    assert doc.read_text() == "no markers"


def test_the_evaluation_document_has_the_markers(script):
    text = (ROOT / "docs" / "evaluation.md").read_text()
    assert text.count(script.START) == 1
    assert text.count(script.END) == 1
