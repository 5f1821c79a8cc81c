"""The code table is complete and exact: read from the source, not from a run.

tests/codescan.py finds every call that makes a finding (directly or through a helper that
forwards its code) and insists the code is a literal, so a code cannot hide from it.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import codescan
import pytest

from nxschema._codes import CODES, all_codes, markdown
from nxschema._findings import Finding, error
from nxschema.errors import ArgumentError, NxschemaError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def scanned():
    return codescan.scan()


def test_every_code_argument_is_a_literal(scanned):
    _, problems = scanned
    assert not problems, "\n".join(problems)


def test_the_scan_sees_helpers_and_computed_literals(scanned):
    raised, _ = scanned
    # Through lint's _at(element, code, ...) (code second), the NXDL reader's self.problem(...),
    # the walker's self.finding(...), walker.finding(...) in the group rules, and a local name
    # set from literals (the walker's bad-date/bad-value): each way must be seen.
    assert raised["unknown-class"] == {"_definitions.lint"}
    assert raised["nxdl-namespace"] == {"_definitions.nxdl_reader"}
    assert raised["too-many"] == {"_validate.walker"}
    assert raised["bad-signal"] == {"_validate.rules"}
    # Rules yield Message(code, ...) from the rule table: a dataset rule's codes are seen there
    assert "_validate.dataset_rules" in raised["bad-date"] and "bad-value" in raised
    assert len(raised) >= 70


def test_every_raised_code_is_in_the_table_with_its_module(scanned):
    raised, _ = scanned
    assert not set(raised) - set(CODES), f"raised, not in the table: {set(raised) - set(CODES)}"
    wrong = {code: (CODES[code].module, " ".join(sorted(modules)))
             for code, modules in raised.items() if set(CODES[code].module.split()) != modules}
    assert not wrong, f"table module vs. the modules that raise it: {wrong}"


def test_every_table_code_is_raised(scanned):
    raised, _ = scanned
    assert not set(CODES) - set(raised), f"in the table, raised nowhere: {set(CODES) - set(raised)}"


def test_table_modules_exist():
    for code in CODES.values():
        for module in code.modules:
            assert importlib.import_module(module), (code.code, module)


def test_codes_compared_with_a_finding_are_in_the_table():
    compared = codescan.compared_codes()
    assert any(code == "io" for _, code in compared), "the scan must see the CLI's f.code == 'io'"
    unknown = [(where, code) for where, code in compared if code not in CODES]
    assert not unknown, unknown


def test_the_scan_rejects_a_computed_code(tmp_path, monkeypatch):
    # The scan itself can fail: a copy of the package with one computed code is refused.
    fake = tmp_path / "nxschema"
    fake.mkdir()
    (fake / "_findings.py").write_text("def error(code, message, **where): ...\n")
    (fake / "bad.py").write_text(
        "from nxschema._findings import error\n"
        "def f(name):\n    return [error(name.upper(), 'x'), error('ok-code', 'y')]\n"
        "def g():\n    make = error\n    return make\n")
    monkeypatch.setattr(codescan, "PACKAGE", fake)
    raised, problems = codescan.scan()
    assert raised == {"ok-code": {"bad"}}
    assert any("bad.py:3" in p and "not a literal" in p for p in problems)
    assert any("bad.py:5" in p and "used as a value" in p for p in problems)


def test_the_scan_reports_two_helpers_of_one_name_instead_of_hanging(tmp_path, monkeypatch):
    # Methods are matched by name at x.problem(...): two classes whose problem() takes the code
    # in different places once made the fixed point flip between them for ever (the nyaml
    # reader's problem(code, path) beside the NXDL reader's problem(node, code)).
    fake = tmp_path / "nxschema"
    fake.mkdir()
    (fake / "_findings.py").write_text("def error(code, message, **where): ...\n")
    (fake / "a.py").write_text(
        "from nxschema._findings import error\n"
        "class A:\n    def problem(self, node, code):\n        return error(code, 'x')\n"
        "    def use(self, node):\n        return self.problem(node, 'a-code')\n")
    (fake / "b.py").write_text(
        "from nxschema._findings import error\n"
        "class B:\n    def problem(self, code, path):\n        return error(code, 'x')\n"
        "    def use(self, path):\n        return self.problem('b-code', path)\n")
    monkeypatch.setattr(codescan, "PACKAGE", fake)
    _, problems = codescan.scan()
    clash = [p for p in problems if "both forward a code" in p]
    assert len(clash) == 1 and "a.py:4" in clash[0] and "b.py:4" in clash[0], problems


def test_finding_refuses_an_unknown_code():
    with pytest.raises(ArgumentError, match="no-such-code"):
        error("no-such-code", "x")
    with pytest.raises(NxschemaError):
        Finding("missing-required", "fatal", "x")
    assert Finding("missing-required", "error", "x").code == "missing-required"


def test_codes_are_well_formed():
    assert all_codes() is CODES
    for code in CODES.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code.code)
        assert code.severity in ("error", "warning", "info")
        assert code.area in ("definition", "file") and code.summary and code.example
        assert code.module


def test_the_table_is_complete_without_other_imports():
    # The table was once completed when the rule modules were imported: in a fresh interpreter
    # that imports only _codes, every code must be there.
    script = ("import json, nxschema._codes as c, sys; print(json.dumps(sorted(c.CODES))); "
              "print(sorted(m for m in sys.modules if m.startswith('nxschema.')))")
    out = subprocess.run([sys.executable, "-c", script],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()
    assert json.loads(out[0]) == sorted(CODES)
    assert out[1] == "['nxschema._codes']"


def test_findings_doc_is_current():
    committed = (ROOT / "docs" / "findings.md").read_text()
    assert committed.strip() == markdown().strip(), (
        "docs/findings.md is stale: run `nxschema codes --format markdown > docs/findings.md`")
    assert "`_validate.walker`" in committed


def test_codes_command_json_carries_the_module():
    out = subprocess.run([sys.executable, "-m", "nxschema", "codes", "--format", "json"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    rows = {row["code"]: row for row in json.loads(out)}
    assert set(rows) == set(CODES)
    assert rows["bad-axes"]["module"] == "_validate.rules"
