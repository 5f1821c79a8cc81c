"""Safe, positioned YAML: positions, duplicate keys, and hostile documents refused."""

from __future__ import annotations

import pytest
import yaml

from nxschema._definitions import yamlsource as _yamlsource
from nxschema._definitions.yamlsource import MAX_DEPTH, MAX_NODES, read_positioned


@pytest.fixture(params=["libyaml", "python"], autouse=True)
def loader(request, monkeypatch):
    """Run every test with libyaml's parser (the default when present) and with pure Python."""
    if request.param == "libyaml" and not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML built without libyaml")
    chosen = yaml.CSafeLoader if request.param == "libyaml" else yaml.SafeLoader
    monkeypatch.setattr(_yamlsource, "_LOADER", chosen)
    return request.param


def codes(findings):
    return [f.code for f in findings]


def test_positions_of_values_and_keys():
    text = "name: NXx\nmembers:\n  energy:\n    type: NX_FLOAT\n    dimensions: [nP, 3]\n"
    doc, findings = read_positioned(text, "f.yaml")
    assert findings == []
    assert doc.data == {"name": "NXx", "members": {"energy": {"type": "NX_FLOAT",
                                                              "dimensions": ["nP", 3]}}}
    assert doc.where(("members", "energy"), key=True) == (3, 3)
    assert doc.where(("members", "energy", "type")) == (4, 11)
    assert doc.where(("members", "energy", "type"), key=True) == (4, 5)
    assert doc.where(("members", "energy", "dimensions", 1)) == (5, 22)


def test_where_falls_back_to_the_nearest_parent():
    doc, _ = read_positioned("a:\n  b: 1\n", "f.yaml")
    assert doc.where(("a", "b", "missing", 3)) == doc.where(("a", "b"))
    assert doc.where(("nothing",)) == (1, 1)


def test_duplicate_key_is_reported_where_it_is_written_and_the_first_is_kept():
    doc, findings = read_positioned("i0: NX_NUMBER\nit: NX_INT\ni0: NX_FLOAT\n", "f.yaml")
    assert codes(findings) == ["duplicate-key"]
    assert (findings[0].line, findings[0].col) == (3, 1)
    assert "first written at line 1" in findings[0].message
    assert doc.data["i0"] == "NX_NUMBER"


def test_nested_duplicate_keys_are_each_reported():
    text = "a:\n  x: 1\n  x: 2\nb:\n  y: 1\n  y: 2\n"
    _, findings = read_positioned(text, "f.yaml")
    assert [(f.code, f.line) for f in findings] == [("duplicate-key", 3), ("duplicate-key", 6)]


def test_billion_laughs_is_refused():
    # 9**9 (387 million) values if expanded; finishing at all shows expansion is bounded.
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    doc, findings = read_positioned("\n".join(lines) + "\n", "bomb.yaml")
    assert codes(findings) == ["yaml-too-big"]
    assert str(MAX_NODES) in findings[0].message
    assert doc.data is None


def test_modest_aliases_are_fine():
    doc, findings = read_positioned("base: &b {type: NX_FLOAT}\nx: *b\ny:\n  <<: *b\n  units: NX_ENERGY\n",
                              "f.yaml")
    assert findings == []
    assert doc.data["x"] == {"type": "NX_FLOAT"}
    assert doc.data["y"] == {"units": "NX_ENERGY", "type": "NX_FLOAT"}


def test_deep_nesting_is_refused():
    depth = MAX_DEPTH + 10
    _, findings = read_positioned("[" * depth + "]" * depth + "\n", "deep.yaml")
    assert codes(findings) == ["yaml-too-big"]
    assert "nesting" in findings[0].message


@pytest.mark.parametrize("text", [
    "a: !!python/object:os.system {}\n",
    "a: !!python/object/apply:os.system [echo hacked]\n",
    "a: !!python/name:os.system\n",
    "a: !!python/object/new:os.system [echo hacked]\n",
    "a: !!binary aGVsbG8=\n!!python/tuple [1, 2]: b\n",
    "a: !custom {x: 1}\n",
])
def test_unsafe_and_unknown_tags_are_refused(text, capfd):
    _, findings = read_positioned(text, "evil.yaml")
    assert findings and all(f.severity == "error" for f in findings)
    assert findings[0].code in ("yaml-syntax", "yaml-key")
    assert "hacked" not in capfd.readouterr().out


def test_dates_and_binary_stay_as_written():
    doc, findings = read_positioned("when: 2024-01-31\nat: 2024-01-31T10:00:00+01:00\n", "f.yaml")
    assert findings == []
    assert doc.data == {"when": "2024-01-31", "at": "2024-01-31T10:00:00+01:00"}


def test_tab_indentation_says_so():
    _, findings = read_positioned("members:\n\tx: NX_INT\n", "f.yaml")
    assert codes(findings) == ["yaml-syntax"]
    assert "tab" in findings[0].message and findings[0].line == 2


def test_cut_off_file_points_inside_the_file():
    text = "members:\n  x:\n    dimensions: [nP, 3"
    _, findings = read_positioned(text, "f.yaml")
    assert codes(findings) == ["yaml-syntax"]
    assert findings[0].line <= 3


@pytest.mark.parametrize("text,code", [
    ("", "yaml-empty"),
    ("# only a comment\n", "yaml-empty"),
    ("a: 1\n---\nb: 2\n", "yaml-syntax"),
    ("? [a, b]\n: 1\n", "yaml-key"),
    ("a: 'unterminated\n", "yaml-syntax"),
])
def test_other_bad_documents(text, code):
    _, findings = read_positioned(text, "f.yaml")
    assert codes(findings) == [code]
    assert findings[0].file == "f.yaml" and findings[0].line >= 1
