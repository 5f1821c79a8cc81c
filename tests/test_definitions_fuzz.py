"""Hypothesis-driven fuzzing of definition readers and the code generator (issue 13, points 1
and 4): random hostile YAML and NXDL (tests/hostile_definitions.py) must get findings that say
where, never an exception; what ``check`` passes must give a writer that writes only its file.
The budget is small so that it runs in CI; benchmarks/fuzz.py runs the same generator longer.
"""

from __future__ import annotations

from pathlib import Path

import hostile_definitions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


@SETTINGS
@given(st.data())
def test_random_hostile_definitions(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("definition")
    path = hostile_definitions.random_definition(
        folder, lambda items: data.draw(st.sampled_from(items)),
        lambda lo, hi: data.draw(st.integers(lo, hi)))
    before = path.read_bytes()
    problem = hostile_definitions.judge_definition(path)
    assert problem is None, (path.name, before[:2000], problem)
    assert path.read_bytes() == before
    assert not (Path.cwd() / "PWN").exists()


def test_the_generator_reaches_both_outcomes(tmp_path):
    """The fuzz means something only if some inputs pass check (and reach codegen) and others
    are refused: count both over a fixed seed."""
    import random

    import nxschema

    rng = random.Random(7)
    passed = refused = 0
    for i in range(40):
        folder = tmp_path / str(i)
        folder.mkdir()
        path = hostile_definitions.random_definition(folder, rng.choice, rng.randint)
        findings = nxschema.check(str(path))
        if any(f.severity == "error" for items in findings.values() for f in items):
            refused += 1
        else:
            passed += 1
    assert passed >= 3 and refused >= 3, (passed, refused)
