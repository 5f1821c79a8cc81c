"""Hostile definitions: bad names, huge integers, bad UTF-8, deep nesting, FIFOs and devices.

Each is refused with file:line:col (or, for an argument that is no regular file, exit 2 and a
message), never with a traceback and never by blocking; and what ``check`` refuses is refused
where definitions are loaded for validation and skeletons too.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import h5py
import pytest

from nxschema._definitions.catalog import load, read_file
from nxschema._definitions.nxdl_reader import read_nxdl
from nxschema._definitions.yaml_reader import read_yaml
from nxschema.errors import DefinitionError

NS = 'xmlns="http://definition.nexusformat.org/nxdl/3.1"'


def cli(*args, timeout=60) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                            capture_output=True, text=True, timeout=timeout, check=False)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def yaml_member(name: str) -> str:
    quoted = name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") \
        .replace("\t", "\\t").replace("\0", "\\0").replace("\x1b", "\\e")
    return (f'name: NXhostile\ncategory: application\nmembers:\n  (NXentry):\n    members:\n'
            f'      "{quoted}": NX_CHAR\n')


def nxdl_member(name: str) -> str:
    escaped = name.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;") \
        .replace("\n", "&#10;").replace("\t", "&#9;")
    return (f'<definition {NS} name="NXhostile" type="group" category="application">\n'
            f'  <group type="NXentry">\n    <field name="{escaped}"/>\n    <field name="ok"/>\n'
            f'  </group>\n</definition>\n')


# --- names ------------------------------------------------------------------------------------

# NUL and ESC cannot be written in XML at all, so NXDL gets the ones XML can carry.
YAML_UNSTORABLE = ["sub/../../../evil", "..", ".", "", "nul\0x", "new\nline", "tab\tx", "esc\x1bx"]
NXDL_UNSTORABLE = ["sub/../../../evil", "..", ".", "", "new\nline", "tab\tx"]


@pytest.mark.parametrize("name", YAML_UNSTORABLE)
def test_yaml_names_hdf5_cannot_hold_are_refused_at_their_position(name):
    definition, findings = read_yaml(yaml_member(name), "h.yaml")
    assert definition is None  # refused whole: nothing downstream sees the name
    assert [(f.code, f.severity, f.line, f.col) for f in findings] == [
        ("unstorable-name", "error", 6, 7)]


@pytest.mark.parametrize("name", NXDL_UNSTORABLE)
def test_nxdl_names_hdf5_cannot_hold_are_refused_and_left_out(name):
    definition, findings = read_nxdl(nxdl_member(name), "h.nxdl.xml")
    assert [(f.code, f.severity, f.line, f.col) for f in findings] == [
        ("unstorable-name", "error", 3, 5)]
    assert [x.name for x in definition.members[0].members] == ["ok"]


def test_names_in_groups_attributes_links_and_choices_are_all_checked():
    text = """\
name: NXhostile
category: application
attributes:
  "a/b": NX_CHAR
members:
  "..(NXdata)": {}
  (NXentry):
    members:
      "l/x": {link: /NXentry/title}
      f:
        attributes:
          "line\\nbreak": NX_CHAR
"""
    definition, findings = read_yaml(text, "h.yaml")
    assert definition is None
    assert [(f.code, f.line) for f in findings] == [("unstorable-name", n) for n in
                                                     (4, 6, 9, 12)]
    # a choice's keys must fit the group-key pattern, so "x/y(NXdata)" is already refused there
    choice = ("name: NXc\ncategory: base\nmembers:\n  c:\n    choice:\n"
              '      "x/y(NXdata)": {}\n      "ok(NXnote)": {}\n')
    definition, more = read_yaml(choice, "c.yaml")
    assert definition is None and [(f.code, f.line) for f in more] == [("unknown-keyword", 6)]


def test_check_refuses_unstorable_and_warns_on_nonstandard_names(tmp_path):
    bad = tmp_path / "NXbad.yaml"
    bad.write_text(yaml_member("sub/../../../evil"))
    odd = tmp_path / "NXodd.yaml"
    odd.write_text("name: NXodd\ncategory: base\nmembers:\n  x-ray: NX_FLOAT\n  a b: NX_CHAR\n"
                   "  space_group_name_H-M: NX_CHAR\n  DATA: {type: NX_NUMBER, name_type: any}\n"
                   "  good_name: NX_CHAR\n")
    nx = tmp_path / "NXodd2.nxdl.xml"
    nx.write_text(f'<definition {NS} name="NXodd2" type="group" category="base">\n'
                  '  <field name="x-ray"/>\n  <field name="DATA" nameType="any"/>\n'
                  '  <field name="AXISNAME_indices" nameType="partial"/>\n</definition>\n')
    result = cli("check", bad, odd, nx)
    assert result.returncode == 1
    assert re.search(rf"^{re.escape(str(bad))}:6:7: error\[unstorable-name\]: "
                     r"'sub/\.\./\.\./\.\./evil'", result.stdout, flags=re.M)
    for line, name in ((4, "x-ray"), (5, "a b"), (6, "space_group_name_H-M")):
        assert f"{odd}:{line}:3: warning[nonstandard-name]: {name!r}" in result.stdout
    assert f"{nx}:2:3: warning[nonstandard-name]: 'x-ray'" in result.stdout
    assert "DATA" not in result.stdout and "AXISNAME" not in result.stdout
    assert "good_name" not in result.stdout


def test_skeleton_and_validate_refuse_the_names_check_refuses(tmp_path):
    defs = tmp_path / "defs"
    defs.mkdir()
    (defs / "NXhostile.yaml").write_text(yaml_member("sub/../../../evil"))
    out = tmp_path / "out" / "s.h5"
    out.parent.mkdir()
    result = cli("skeleton", defs / "NXhostile.yaml", "-o", out)
    assert result.returncode == 2 and not out.exists()
    assert f"{defs / 'NXhostile.yaml'}:6:7: error[unstorable-name]" in result.stderr
    assert list(tmp_path.rglob("evil")) == []  # nothing escaped the output folder
    h5 = tmp_path / "scan.h5"
    with h5py.File(h5, "w") as f:
        f.create_group("entry").attrs["NX_class"] = "NXentry"
    result = cli("validate", "--defs", defs, h5)
    assert result.returncode == 2
    assert f"{defs / 'NXhostile.yaml'}:6:7: error[unstorable-name]" in result.stderr
    with pytest.raises(DefinitionError):
        load(defs)


def test_skeleton_of_an_nxdl_with_a_bad_name_never_writes_it(tmp_path):
    source = tmp_path / "NXhostile.nxdl.xml"
    source.write_text(nxdl_member("sub/../../../evil"))
    out = tmp_path / "s.h5"
    result = cli("skeleton", source, "-o", out)
    assert result.returncode == 2 and not out.exists()
    assert f"{source}:3:5: error[unstorable-name]" in result.stderr


@pytest.mark.parametrize("name", ["../../x", "NX/evil", "NX x", "", "1NX"])
def test_an_nxdl_definition_name_must_be_a_name(name):
    text = f'<definition {NS} name="{name}" type="group" category="base"/>'
    definition, findings = read_nxdl(text, "n.nxdl.xml")
    assert definition is None
    assert [(f.code, f.severity, f.line) for f in findings] == [("nxdl-value", "error", 1)]


@pytest.mark.parametrize("payload, word", [
    ('{"domain": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"value": ' + "9" * 5000 + "}", "not JSON"),
])
def test_an_nxschema_comment_bomb_is_a_finding_at_the_comment(payload, word):
    text = (f'<definition {NS} name="NXc" type="group" category="base">\n'
            f'  <field name="x"><!--nxschema {payload}--></field>\n</definition>\n')
    definition, findings = read_nxdl(text, "c.nxdl.xml")
    assert definition is not None
    assert [(f.code, f.line, f.col) for f in findings] == [("nxdl-extras", 2, 19)]
    assert word in findings[0].message and len(findings[0].message) < 300


# --- integers ---------------------------------------------------------------------------------

HUGE = "9" * 4400  # past Python's 4,300-digit int() limit


@pytest.mark.parametrize("spot, at", [
    (f"dimensions: {{rank: {HUGE}}}", HUGE),
    (f'dimensions: {{rank: "{HUGE}"}}', f'"{HUGE}'),
    (f"dimensions: [{HUGE}]", HUGE),
    (f"dimensions: [{2**64}]", str(2**64)),
    (f"dimensions: {{rank: 1, dim: [{{index: 1, value: {2**63}}}]}}", str(2**63)),
    (f"min_occurs: {2**63}", str(2**63)),
    (f"max_occurs: {HUGE}", HUGE),
    (f"doc: {HUGE}", HUGE),  # any YAML integer that long, wherever it is
    # an index is kept as text, but a huge one would break sorting the axes (int() refuses
    # 4,300+ digits): found by benchmarks/fuzz.py
    (f'dimensions: {{rank: 1, dim: [{{index: "{HUGE}", value: 3}}]}}', f'"{HUGE}'),
    (f'dimensions: {{rank: 1, dim: [{{index: 1, value: 3, refindex: "{HUGE}"}}]}}', f'"{HUGE}'),
])
def test_yaml_integers_are_bounded_at_their_position(spot, at):
    line = f"  x: {{type: NX_INT, {spot}}}"
    text = f"name: NXbig\ncategory: base\nmembers:\n{line}\n"
    definition, findings = read_yaml(text, "big.yaml")
    assert definition is None
    assert [(f.code, f.line, f.col) for f in findings][:1] == [
        ("too-large-integer", 4, line.index(at) + 1)]
    assert all(len(f.message) < 200 for f in findings)  # described, never echoed


@pytest.mark.parametrize("xml, line, col", [
    (f'<field name="x"><dimensions rank="{HUGE}"/></field>', 2, 19),
    (f'<field name="x"><dimensions rank="1"><dim index="1" value="{2**63}"/>'
     '</dimensions></field>', 2, 40),
    (f'<field name="x"><dimensions rank="1"><dim index="{HUGE}" value="3"/>'
     '</dimensions></field>', 2, 40),
    (f'<field name="x" minOccurs="{HUGE}"/>', 2, 3),
    (f'<field name="x" maxOccurs="{2**64}"/>', 2, 3),
])
def test_nxdl_integers_are_bounded_at_their_position(xml, line, col):
    text = f'<definition {NS} name="NXbig" type="group" category="base">\n  {xml}\n</definition>'
    _, findings = read_nxdl(text, "big.nxdl.xml")
    assert [(f.code, f.severity, f.line, f.col) for f in findings] == [
        ("too-large-integer", "error", line, col)]


def test_integers_just_inside_the_bound_are_kept():
    text = (f"name: NXok\ncategory: base\nmembers:\n  x: {{type: NX_INT, "
            f"dimensions: [{2**63 - 1}, nP, '12']}}\n")
    definition, findings = read_yaml(text, "ok.yaml")
    assert findings == []
    assert [d.value for d in definition.members[0].dimensions.dims] == [2**63 - 1, "nP", 12]


def test_check_cli_on_huge_integers(tmp_path):
    yaml_file = tmp_path / "NXbig.yaml"
    yaml_file.write_text(f"name: NXbig\ncategory: base\nmembers:\n  x:\n    dimensions:\n"
                         f"      rank: {HUGE}\n")
    nxdl_file = tmp_path / "NXbigx.nxdl.xml"
    nxdl_file.write_text(f'<definition {NS} name="NXbigx" type="group" category="base">\n'
                         f'  <field name="x"><dimensions rank="{HUGE}"/></field>\n</definition>\n')
    result = cli("check", yaml_file, nxdl_file)
    assert result.returncode == 1
    assert f"{yaml_file}:6:13: error[too-large-integer]" in result.stdout
    assert f"{nxdl_file}:2:19: error[too-large-integer]" in result.stdout
    assert len(result.stdout) < 2000


# --- encoding and depth -----------------------------------------------------------------------

def test_bad_utf8_is_reported_at_line_and_column(tmp_path):
    path = tmp_path / "NXenc.yaml"
    path.write_bytes("name: NXenc\ncategory: base\ndoc: \"réglé ".encode() + b"caf\xe9\"\n")
    definition, findings = read_file(path)
    assert definition is None
    # line 3, and the column counts characters: 'doc: "réglé caf' is 15 characters
    assert [(f.code, f.line, f.col) for f in findings] == [("encoding", 3, 16)]
    assert "0xe9" in findings[0].message
    nxdl_path = tmp_path / "NXenc.nxdl.xml"
    nxdl_path.write_bytes(b"<definition>\n\n  <doc>\xff</doc>\n</definition>\n")
    assert [(f.code, f.line, f.col) for f in read_file(nxdl_path)[1]] == [("encoding", 3, 8)]


def test_nxdl_nested_too_deeply_is_refused_at_the_element(tmp_path):
    depth = 5000
    body = '<group type="NXentry">' * depth + "</group>" * depth
    text = f'<definition {NS} name="NXdeep" type="group" category="base">\n{body}\n</definition>'
    definition, findings = read_nxdl(text, "deep.nxdl.xml")
    assert definition is None
    assert [(f.code, f.line) for f in findings] == [("nxdl-syntax", 2)]
    assert findings[0].col == 1 + 22 * 99  # the 100th <group> inside the definition
    assert "nested deeper than 100" in findings[0].message


def test_nxdl_at_a_real_depth_is_read():
    depth = 20
    body = '<group type="NXentry">' * depth + "</group>" * depth
    text = f'<definition {NS} name="NXdeep" type="group" category="base">{body}</definition>'
    definition, findings = read_nxdl(text, "deep.nxdl.xml")
    assert findings == [] and definition is not None


@pytest.mark.parametrize("text, code", [
    ("a: " + "[" * 5000 + "]" * 5000, "yaml-syntax"),
    ("a:\n" + "".join("  " * i + "k:\n" for i in range(1, 200)), "yaml-too-big"),
])
def test_yaml_nested_too_deeply_has_a_position(text, code):
    definition, findings = read_yaml(text, "deep.yaml")
    assert definition is None
    assert findings[0].code == code and findings[0].line >= 1 and findings[0].col >= 1


def test_deep_yaml_without_libyaml_is_bounded_too(monkeypatch):
    import yaml

    from nxschema._definitions import yamlsource

    monkeypatch.setattr(yamlsource, "_LOADER", yaml.SafeLoader)  # the recursive composer
    definition, findings = read_yaml("a: " + "[" * 3000 + "]" * 3000, "deep.yaml")
    assert definition is None
    assert [(f.code, f.line, f.col) for f in findings] == [("yaml-too-big", 1, 4 + 64)]


# --- arguments that are not regular files or folders -------------------------------------------

@pytest.fixture
def specials(tmp_path):
    fifo = tmp_path / "NXfifo.yaml"
    os.mkfifo(fifo)
    sock_path = tmp_path / "NXsock.yaml"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    yield {"FIFO": fifo, "socket": sock_path, "character device": Path("/dev/zero")}
    sock.close()


@pytest.mark.parametrize("command", [
    ["check"], ["convert", "-o", "OUT", "--to", "nxdl"], ["docs", "-o", "OUT"],
])
@pytest.mark.parametrize("kind", ["FIFO", "socket", "character device"])
def test_special_files_as_arguments_exit_2(specials, tmp_path, command, kind):
    path = specials[kind]
    args = [a if a != "OUT" else tmp_path / "out" for a in command]
    result = cli(*args[:1], path, *args[1:], timeout=60)  # a blocked read would time out
    assert result.returncode == 2
    assert f"not a regular file or folder (a {kind})" in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


def test_validate_defs_on_a_fifo_exits_2(specials, tmp_path):
    h5 = tmp_path / "scan.h5"
    with h5py.File(h5, "w") as f:
        f.create_group("entry").attrs["NX_class"] = "NXentry"
    result = cli("validate", "--defs", specials["FIFO"], h5)
    assert result.returncode == 2
    assert f"{specials['FIFO']}: error[io]: not a regular file or folder (a FIFO)" in \
        result.stderr


def test_a_fifo_inside_a_folder_is_refused_without_blocking(tmp_path):
    folder = tmp_path / "defs"
    folder.mkdir()
    os.mkfifo(folder / "NXfifo.yaml")
    (folder / "NXgood.yaml").write_text("name: NXgood\ncategory: base\nmembers:\n  x: NX_INT\n")
    result = cli("check", folder)
    assert result.returncode == 2
    assert f"{folder / 'NXfifo.yaml'}: error[io]: not a regular file or folder (a FIFO)" in \
        result.stdout
    assert "2 files checked" in result.stderr  # the good file is still checked
    with pytest.raises(DefinitionError):
        load(folder)


# --- every finding has a position: a sweep of mutations through one check run -----------------

REPO = Path(__file__).resolve().parents[1]
HOSTILE_VALUES = ["sub/../../../evil", "..", "a\nb", "x-ray", "9" * 5000, str(2**64), "True",
                  '"""', "&#0;", "\ud800", "]]>", "<!--", "\x00"]


def _mutations():
    """(file name, bytes) pairs: hostile values put where names, integers and booleans go."""
    yaml_text = (REPO / "definitions" / "applications" / "NXxas.yaml").read_text()
    nxdl_text = read_nxdl_source()
    out = []
    for number, value in enumerate(HOSTILE_VALUES):
        quoted = json.dumps(value)  # JSON escapes are YAML double-quoted escapes
        rank = value if value.isdigit() else quoted
        out.append((f"NXy{number}.yaml", yaml_text.replace("  (NXentry):", f"  {quoted}:", 1)))
        out.append((f"NXd{number}.yaml", yaml_text.replace("type: NX_", f"rank: {rank}\n"
                                                           "    type: NX_", 1)))
        attr = value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;") \
            .replace("\n", "&#10;").replace("\x00", "").replace("\ud800", "")
        out.append((f"NXn{number}.nxdl.xml", nxdl_text.replace('name="', f'name="{attr}', 2)))
        out.append((f"NXr{number}.nxdl.xml", nxdl_text.replace('<dimensions rank="1"',
                                                               f'<dimensions rank="{attr}"', 1)))
        out.append((f"NXb{number}.nxdl.xml", nxdl_text.replace('type="NX_FLOAT"',
                                                               f'type="NX_FLOAT" optional="{attr}"',
                                                               1)))
    for cut in (50, 400, 1200):
        out.append((f"NXc{cut}.nxdl.xml", nxdl_text[:cut]))
        out.append((f"NXc{cut}.yaml", yaml_text[:cut]))
    return out


def read_nxdl_source() -> str:
    return (f'<definition {NS} name="NXsweep" type="group" category="application">\n'
            '  <group type="NXentry">\n'
            '    <field name="energy" type="NX_FLOAT" units="NX_ENERGY">\n'
            '      <dimensions rank="1"><dim index="1" value="nP"/></dimensions>\n'
            '    </field>\n'
            '    <group type="NXdata" name="data"><link name="energy" target="/NXentry/energy"/>'
            '</group>\n  </group>\n</definition>\n')


def test_every_finding_of_a_hostile_sweep_has_a_position(tmp_path):
    folder = tmp_path / "sweep"
    folder.mkdir()
    mutations = _mutations()
    for name, text in mutations:
        (folder / name).write_text(text, encoding="utf-8")
    result = cli("check", "--no-bundled", folder, "--format", "json", timeout=300)
    assert result.returncode == 1
    files = json.loads(result.stdout)["files"]
    assert len(files) == len(mutations)
    for entry in files:
        for finding in entry["findings"]:
            assert finding["line"] >= 1 and finding["col"] >= 1, finding
            assert len(finding["message"]) < 1200, finding["code"]
    bad = {e["file"].rsplit("/", 1)[1] for e in files
           if any(f["severity"] == "error" for f in e["findings"])}
    # each hostile name, integer and boolean is an error where it must be
    for number, value in enumerate(HOSTILE_VALUES[:3]):
        assert f"NXy{number}.yaml" in bad and f"NXn{number}.nxdl.xml" in bad
    assert {"NXd4.yaml", "NXd5.yaml", "NXr4.nxdl.xml", "NXr5.nxdl.xml"} <= bad
    assert "NXb6.nxdl.xml" not in bad  # True is lenient: a warning
