"""Lint profiles (nxschema/_definitions/profiles.py): which findings are warnings."""

from __future__ import annotations

import subprocess
import sys

from nxschema._definitions.profiles import NAMES, NIAC_ACCEPTS, apply
from nxschema._findings import Finding


def _findings() -> list[Finding]:
    return [Finding("undeclared-symbol", "warning", "dimension 'nP' ...", file="a", line=3),
            Finding("undeclared-link-target", "warning", "link target ...", file="a", line=4),
            Finding("unknown-class", "error", "unknown NX class 'NXfoo'", file="a", line=5),
            Finding("nonstandard-name", "warning", "'x-ray' breaks ...", file="a", line=6),
            Finding("extra-member", "info", "field 'x' is not ...", file="a", line=7)]


def test_default_keeps_the_catalogue_severities():
    findings = _findings()
    assert apply(findings, "default") == findings
    assert NAMES == ("default", "niac", "strict")


def test_niac_lowers_only_what_the_official_files_do_on_purpose():
    after = {f.code: f.severity for f in apply(_findings(), "niac")}
    assert after == {"undeclared-symbol": "info", "undeclared-link-target": "info",
                     "unknown-class": "error", "nonstandard-name": "warning",
                     "extra-member": "info"}
    assert set(NIAC_ACCEPTS) == {"undeclared-symbol", "undeclared-link-target"}
    # the reason travels with the code, for docs/profiles.md
    assert all(len(reason) > 40 for _, reason in NIAC_ACCEPTS.values())


def test_an_error_is_never_lowered():
    error = Finding("undeclared-symbol", "error", "as if an error", file="a")
    assert apply([error], "niac") == [error]


def test_strict_raises_every_info_to_a_warning():
    after = apply(_findings(), "strict")
    assert [f.severity for f in after] == ["warning", "warning", "error", "warning", "warning"]
    assert [f.message for f in after] == [f.message for f in _findings()]  # nothing else


def test_an_unknown_profile_is_a_usage_error():
    run = subprocess.run([sys.executable, "-m", "nxschema", "check", "--profile", "lax", "x"],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2 and "invalid choice: 'lax'" in run.stderr
    helped = subprocess.run([sys.executable, "-m", "nxschema", "check", "--help"],
                            capture_output=True, text=True, check=True).stdout
    assert "--profile {default,niac,strict}" in helped and "docs/profiles.md" in helped
