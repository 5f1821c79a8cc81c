"""``nxschema check`` through the real CLI, on mutated copies of shipped definitions.

Each acceptance mutation must print ``file:line:col`` and the problem, never a traceback, and set
the exit code: 0 clean, 1 findings at or above --fail-on, 2 usage or I/O error.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SUBENTRY_XAS = REPO / "definitions" / "esrf" / "NXxas_subentry.yaml"
DETECTOR = REPO / "definitions" / "base_classes" / "NXdetector.yaml"


def run_check(*args, cwd=None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "nxschema", "check", *map(str, args)],
                            capture_output=True, text=True, cwd=cwd, timeout=120, check=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def mutate(tmp_path: Path, source: Path, old: str, new: str, name: str | None = None) -> Path:
    text = source.read_text()
    assert old in text, f"{old!r} not in {source.name}: the mutation would test nothing"
    target = tmp_path / (name or source.name)
    target.write_text(text.replace(old, new, 1))
    return target


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def assert_reported(result, path: Path, line: int, code: str, words: str):
    pattern = rf"{re.escape(str(path))}:{line}:\d+: (error|warning)\[{code}\]: .*{words}"
    assert re.search(pattern, result.stdout), result.stdout + result.stderr


# --- the acceptance mutations ------------------------------------------------------------------

def test_misspelled_keyword(tmp_path):
    path = mutate(tmp_path, SUBENTRY_XAS, "        units: NX_ENERGY", "        unitz: NX_ENERGY")
    result = run_check(path)
    assert result.returncode == 1
    assert_reported(result, path, line_of(path, "unitz"), "unknown-keyword",
                    r"'unitz' \(did you mean 'units'\?\)")


def test_misspelled_type(tmp_path):
    path = mutate(tmp_path, SUBENTRY_XAS, "type: NX_FLOAT", "type: NX_FLOATT")
    result = run_check(path)
    assert result.returncode == 1
    # reported at the member whose type it is (the model keeps one position per element)
    assert_reported(result, path, line_of(path, "energy:"), "unknown-type",
                    "NX_FLOATT.*did you mean 'NX_FLOAT'")


def test_unknown_class(tmp_path):
    path = mutate(tmp_path, SUBENTRY_XAS, "  (NXsubentry):", "  (NXsubentri):")
    result = run_check(path)
    assert result.returncode == 1
    assert_reported(result, path, line_of(path, "(NXsubentri)"), "unknown-class",
                    "NXsubentri.*did you mean 'NXsubentry'")


def test_duplicated_key(tmp_path):
    path = mutate(tmp_path, SUBENTRY_XAS, "      it:", "      i0:")
    result = run_check(path)
    assert result.returncode == 1
    second_i0 = [n for n, line in enumerate(path.read_text().splitlines(), 1)
                 if line == "      i0:"][1]
    assert_reported(result, path, second_i0, "duplicate-key", "duplicate key 'i0'")


def test_extends_cycle_across_two_files(tmp_path):
    (tmp_path / "NXfirst.yaml").write_text("name: NXfirst\ncategory: base\nextends: NXsecond\n")
    (tmp_path / "NXsecond.yaml").write_text("name: NXsecond\ncategory: base\nextends: NXfirst\n")
    result = run_check(tmp_path)
    assert result.returncode == 1
    for name in ("NXfirst", "NXsecond"):
        assert_reported(result, tmp_path / f"{name}.yaml", 1, "extends-cycle", "cycle")


def test_file_cut_off_in_the_middle(tmp_path):
    text = DETECTOR.read_text()
    cut = text.index("dimensions: [i, j, k]") + len("dimensions: [i, j,")
    path = tmp_path / "NXdetector.yaml"
    path.write_text(text[:cut])
    result = run_check(path)
    assert result.returncode == 1
    assert_reported(result, path, text[:cut].count("\n") + 1, "yaml-syntax", "YAML")


def test_tab_indented_line(tmp_path):
    path = mutate(tmp_path, SUBENTRY_XAS, "      energy:", "\tenergy:")
    result = run_check(path)
    assert result.returncode == 1
    assert_reported(result, path, line_of(path, "\tenergy:"), "yaml-syntax", "tab")


def test_undeclared_symbol_is_only_a_warning(tmp_path):
    path = mutate(tmp_path, SUBENTRY_XAS, "dimensions: [nP]", "dimensions: [nQ]")
    result = run_check(path)
    assert result.returncode == 1  # default --fail-on warning
    assert_reported(result, path, line_of(path, "[nQ]"), "undeclared-symbol", "'nQ'")
    assert "error[" not in result.stdout
    assert run_check("--fail-on", "error", path).returncode == 0


# --- the command as a whole --------------------------------------------------------------------

def test_the_shipped_definitions_check_clean():
    result = run_check(REPO / "definitions")
    assert result.returncode == 0, result.stdout
    assert result.stdout == ""
    assert "no findings" in result.stderr


def test_a_missing_path_exits_2(tmp_path):
    result = run_check(tmp_path / "nothere.yaml")
    assert result.returncode == 2
    assert "nothere.yaml" in result.stdout and "io" in result.stdout


def test_json_output_has_the_shared_shape(tmp_path):
    bad = mutate(tmp_path, SUBENTRY_XAS, "type: NX_FLOAT", "type: NX_FLOATT")
    result = run_check("--format", "json", bad, DETECTOR)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert set(report) == {"definitions", "files"}
    assert [set(d) for d in report["definitions"]] == [{"name", "path", "version", "count"}] * 3
    by_file = {entry["file"]: entry for entry in report["files"]}
    assert all(set(entry) == {"file", "ok", "findings"} for entry in by_file.values())
    assert by_file[str(bad)]["ok"] is False
    finding = by_file[str(bad)]["findings"][0]
    assert finding["code"] == "unknown-type" and finding["severity"] == "error"
    assert finding["line"] == line_of(bad, "energy:") and finding["col"] > 0
    assert by_file[str(DETECTOR)] == {"file": str(DETECTOR), "ok": True, "findings": []}


def test_other_files_in_the_same_run_are_still_checked(tmp_path):
    broken = tmp_path / "a_broken.yaml"
    broken.write_text("name: NXbroken\ncategory: base\nmembers:\n\tx: NX_INT\n")
    typo = mutate(tmp_path, SUBENTRY_XAS, "  (NXsubentry):", "  (NXsubentri):", "b_typo.yaml")
    clean = tmp_path / "c_clean.yaml"
    clean.write_text("name: NXclean\ncategory: base\nmembers:\n  x: NX_INT\n")
    result = run_check(tmp_path)
    assert result.returncode == 1
    assert f"{broken}:4:1: error[yaml-syntax]" in result.stdout
    assert f"{typo}:{line_of(typo, 'NXsubentri')}:3: error[unknown-class]" in result.stdout
    assert str(clean) not in result.stdout
    assert "3 files checked: 2 errors" in result.stderr


BAD_INPUTS = {
    "empty": "",
    "scalar": "just a string\n",
    "list": "- a\n- b\n",
    "members_list": "name: NXx\ncategory: base\nmembers: [1, 2]\n",
    "python_tag": "name: NXx\ncategory: base\nmembers:\n  a: !!python/object:os.system {}\n",
    "bomb": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
    "latin1": "\xff\xfe not utf-8",
}


def test_bad_input_gives_findings_not_tracebacks(tmp_path):
    paths = []
    for name, text in BAD_INPUTS.items():
        paths.append(tmp_path / f"NX{name}.yaml")
        paths[-1].write_bytes(text.encode("latin-1"))
    result = run_check(*paths)  # one run: a bad file never stops the others
    assert result.returncode == 1  # bad content, Latin-1 included, is a finding, not I/O
    for path in paths:
        assert re.search(rf"{re.escape(str(path))}:\d+:\d+: error\[", result.stdout), path
    assert f"{tmp_path / 'NXlatin1.yaml'}:1:1: error[encoding]" in result.stdout


def test_help_teaches_with_examples():
    result = subprocess.run([sys.executable, "-m", "nxschema", "check", "--help"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0
    assert "--fail-on" in result.stdout and "exit codes" in result.stdout


# --- docs/language.md stays true ---------------------------------------------------------------

LANGUAGE_MD = REPO / "docs" / "language.md"


def test_every_definition_code_is_listed_in_the_language_reference():
    import nxschema._check  # modules register their codes on import
    import nxschema._definitions.lint
    from nxschema._codes import CODES

    assert nxschema._check and nxschema._definitions.lint

    text = LANGUAGE_MD.read_text()
    missing = [c.code for c in CODES.values() if c.area == "definition" and f"`{c.code}`" not in text]
    assert missing == []


def test_the_tutorial_definition_checks_clean_and_its_typo_is_reported(tmp_path):
    text = LANGUAGE_MD.read_text()
    tutorial = text[text.index("## How to write your first definition"):]
    blocks = re.findall(r"```yaml\n(.*?)```", tutorial, flags=re.DOTALL)
    definition = "".join(blocks)
    path = tmp_path / "my_defs" / "NXxas.yaml"
    path.parent.mkdir()
    path.write_text(definition)
    assert run_check(path.parent).returncode == 0
    path.write_text(definition.replace("type: NX_FLOAT\n", "type: NX_FLOATT\n"))
    result = run_check(path.parent)
    shown = re.search(r"my_defs/NXxas\.yaml:(\d+:\d+): error\[unknown-type\]", tutorial).group(1)
    assert f"NXxas.yaml:{shown}: error[unknown-type]" in result.stdout
