"""Hypothesis-driven fuzzing of the validator on hostile HDF5 trees and byte-flipped files.

The same generators as ``benchmarks/fuzz.py`` (which runs them for as long as asked): each
input must validate without an exception escaping, without a ``internal-error`` finding (the
last-resort catch), and leave the file byte-identical (sha256 and mtime). The budget is small
(about a minute in all) so that it runs in CI.
"""

from __future__ import annotations

import hashlib
import os
import random

import hostile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nxschema

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def fingerprint(path) -> tuple[str, int]:
    with open(path, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    return digest, os.stat(path).st_mtime_ns


def check(path, **kw) -> list:
    """Validate ``path``; fail on an exception, a internal-error finding or a changed file."""
    before = fingerprint(path)
    findings = nxschema.validate(path, **kw).findings
    assert not [f for f in findings if f.code == "internal-error"], findings
    assert fingerprint(path) == before, "the file changed"
    for finding in findings:
        assert len(finding.message) <= 2200
    return findings


@SETTINGS
@given(st.data())
def test_random_hostile_trees(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("tree") / "tree.h5"
    hostile.random_tree(path, lambda items: data.draw(st.sampled_from(items)),
                        lambda lo, hi: data.draw(st.integers(lo, hi)))
    check(path, external=data.draw(st.sampled_from(["below", "never", "follow"])))


_SOURCE: dict = {}


def _valid_file(folder) -> bytes:
    if "data" not in _SOURCE:
        path = folder / "valid.h5"
        with hostile.base_file(path):
            pass
        _SOURCE["data"] = path.read_bytes()
    return _SOURCE["data"]


@settings(SETTINGS, max_examples=150)
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 8),
       headers_only=st.booleans())
def test_byte_flipped_files(tmp_path_factory, seed, flips, headers_only):
    folder = tmp_path_factory.mktemp("flip")
    source = _valid_file(folder)
    rng = random.Random(seed)
    region = None
    if headers_only:
        start = rng.choice(hostile.object_headers(source))
        region = (start, start + 128)
    path = folder / "flipped.h5"
    path.write_bytes(hostile.corrupt(source, rng, flips, region))
    check(path)
