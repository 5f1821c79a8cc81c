"""Generated code never runs text from a definition (issue 13, row 1).

Definitions full of quotes, triple quotes, backslashes, ``{{ }}``, newlines and unicode tricks
in member names, docs, enumeration values, fixed values and units are turned into writers; each
writer is imported and called in its own process, in an empty folder, and must write the one
HDF5 file asked for, nothing else, with every value as it was given.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import pytest
import yaml

from nxschema._write.codegen import CodegenError, generate_writer, writer_model
from nxschema._write.codegen_format import docstring_text, python_literal, string_literal

PWN = 'a"""+str(__import__("os").system("touch PWN"))+"""'
HOSTILE = [
    PWN,
    "b'''+str(__import__('os').system('touch PWN'))+'''",
    'c" + open("PWN", "w").write("x") + "',
    "d\\\"); __import__('os').system('touch PWN'); (\"",
    "e\n__import__('os').system('touch PWN')\n",
    "f\\",  # a trailing backslash would escape the closing quote
    "{{ 7 * 7 }} {% raw %} {# x #}",
    "\\N{BULLET} \\x41 \\u0041",  # escapes that are invalid or would decode in a docstring
    "g\u202e\u2066 bidi \u2028 line \u2029 paragraph \x0b\x0c\r tab\t",
    "\u0430dmin ｅｎｅｒｇｙ ﬁeld",  # Cyrillic a, fullwidth, a ligature
]
TEXT = '"""' + " ".join(HOSTILE) + ' "'  # a doc that starts and ends with quotes


def definitions() -> dict[str, dict]:
    """Hostile definitions, as the YAML data they are written from."""
    fields = {
        "definition": {"value": "NXhostile_fields"},
        "mode": {"enumeration": HOSTILE[:8], "doc": TEXT},
        "ｅｎｅｒｇｙ": {"type": "NX_FLOAT", "units": PWN, "doc": TEXT},
        "ﬁeld": {"doc": "nul \0 and \\ and {{ x }}"},
        "ｉｆ": "NX_CHAR",  # NFKC makes it the keyword 'if'
        "__class__": "NX_CHAR",
        "__import__": "NX_CHAR",
        "match": "NX_CHAR",
        "path": "NX_CHAR",
        "print": "NX_CHAR",
        "1st": "NX_CHAR",
        "能量": "NX_CHAR",
        "\u0430dmin": "NX_CHAR",
        'quote"name': {"doc": '"'},
        "tri'''ple\"\"\"name": "NX_CHAR",
        "back\\slash": "NX_CHAR",
        "{{ name }}": "NX_CHAR",
        "note": {"value": PWN},
    }
    attributes = {
        "sample(NXsample)": {
            "doc": TEXT,
            "attributes": {
                'at"""tr': {"enumeration": ['"', "\\", "x\ny"], "doc": "\\"},
                "fixed": {"value": PWN},
                "free": {"doc": PWN},
            },
            "members": {
                "temperature": {"type": "NX_FLOAT", "units": "K\\\"\"\"", "attributes": {
                    "hint": {"enumeration": {"open": True, "items": [PWN, "plain"]}}}},
            },
        },
    }
    return {
        "NXhostile_fields": {"name": "NXhostile_fields", "category": "application", "doc": TEXT,
                             "members": {"(NXentry)": {"members": fields}}},
        "NXhostile_attrs": {"name": "NXhostile_attrs", "category": "application",
                            "doc": "\\",
                            "members": {"(NXentry)": {"members": {
                                "definition": {"value": "NXhostile_attrs"}, **attributes}}}},
    }


def value_for(param, index: int):
    """A value for a writer parameter, hostile wherever the parameter takes text."""
    if param.kind == "choice":
        return param.enum[0] if not param.enum_open else "not in the list\"\"\""
    if param.kind in ("text", "attribute") and not param.check:
        # no NUL: HDF5 strings end at one
        return HOSTILE[index % len(HOSTILE)]
    if param.kind in ("scalar", "attribute"):
        return 1.5
    raise AssertionError(f"no example for {param.kind}")


RUNNER = textwrap.dedent("""\
    import importlib.util, json, sys
    spec = importlib.util.spec_from_file_location("writer", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = json.loads(open(sys.argv[2], encoding="utf-8").read())
    function = getattr(module, sys.argv[3])
    function("out.h5", **args)
    print(json.dumps({"module_doc": module.__doc__, "doc": function.__doc__,
                      "units": module.DEFAULT_UNITS}))
    """)


def norm(text: str) -> str:
    return " ".join(text.split())


def everything_below(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")}


@pytest.fixture(scope="module")
def defs_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile_defs")
    for name, data in definitions().items():
        # YAML text, as a user would write it: the dump quotes what must be quoted
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                             encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", sorted(definitions()))
def test_a_hostile_definition_gives_a_writer_that_writes_only_its_file(tmp_path, defs_folder,
                                                                       name):
    definition = str(defs_folder / f"{name}.yaml")
    import nxschema

    assert not [f for f in nxschema.check(definition)[definition] if f.severity == "error"]
    source = generate_writer(definition)
    model = writer_model(definition)
    for param in model["params"]:
        assert param.name.isascii() and param.name.isidentifier(), param.name
        assert not param.name.startswith("_")
    assert model["function"].isascii() and model["function"].isidentifier()
    tree = ast.parse(source)
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "__import__"]

    gen, run = tmp_path / "gen", tmp_path / "run"
    gen.mkdir()
    run.mkdir()
    (gen / "writer.py").write_text(source, encoding="utf-8")
    (gen / "runner.py").write_text(RUNNER, encoding="utf-8")
    args = {p.name: value_for(p, i) for i, p in enumerate(model["params"])}
    (gen / "args.json").write_text(json.dumps(args), encoding="utf-8")
    before = everything_below(tmp_path)
    proc = subprocess.run([sys.executable, "-B", str(gen / "runner.py"), str(gen / "writer.py"),
                           str(gen / "args.json"), model["function"]],
                          cwd=run, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    # nothing but the intended file was written, anywhere we can see
    assert everything_below(run) == {"out.h5"}
    assert everything_below(tmp_path) - before == {"run/out.h5"}
    assert not (Path.cwd() / "PWN").exists()
    assert "PWN" not in {p.name for p in tmp_path.rglob("*")}

    # the docstrings read exactly as the definition's text (escaped in the source only)
    shown = json.loads(proc.stdout)
    doc = definitions()[name]["doc"]
    assert norm(doc.split("\n\n")[0]) in norm(shown["module_doc"])
    if name == "NXhostile_fields":
        assert norm(TEXT) in norm(shown["doc"])  # mode's and energy's docs
        assert "units " + PWN in norm(shown["doc"])

    # every value round-trips, at the path the definition names
    with h5py.File(run / "out.h5", "r") as f:
        for param in model["params"]:
            owner, _, attribute = param.path.partition("@")
            node = f[owner]
            value = node.attrs[attribute] if attribute else node[()]
            if isinstance(value, bytes):
                value = value.decode()
            assert value == args[param.name], param.path
        for param in model["params"]:
            if param.unit is not None and param.kind == "scalar":
                assert f[param.path].attrs["units"] == param.unit
        if name == "NXhostile_fields":
            assert f["entry/note"][()].decode() == PWN  # a fixed value, written as it is
            assert f["entry/ｅｎｅｒｇｙ"].attrs["units"] == PWN
            assert shown["units"] == {"energy": PWN}
        else:
            assert f["entry/sample"].attrs["fixed"] == PWN
            assert f["entry/sample/temperature"].attrs["units"] == 'K\\"""'


def test_literals_evaluate_to_the_text_and_never_end_early():
    for text in HOSTILE + ["", '"', "\\", "\0", "\ud800", "\udfff x", "\U0001f600", "\x7f"]:
        literal = string_literal(text)
        assert literal.isprintable() and "\n" not in literal
        assert ast.literal_eval(literal) == text
        assert python_literal(text) == literal
        inside = docstring_text(text)
        assert '"""' not in inside and "\n" not in inside and "\0" not in inside
        assert ast.literal_eval('"""' + inside + '"""') == text
    assert python_literal([float("nan"), float("-inf")]) == '[float("nan"), float("-inf")]'
    with pytest.raises(CodegenError, match="cannot be written into generated code"):
        python_literal(object())


@pytest.mark.parametrize(("member", "why"), [
    ("sub/../../../evil", "holds '/'"), ("..", "is '..'"), (".", "is '.'")])
def test_names_no_hdf5_file_can_hold_are_refused(tmp_path, member, why):
    from nxschema import model as m
    from nxschema.errors import LayoutError

    path = tmp_path / "NXbad.yaml"
    path.write_text(yaml.safe_dump({"name": "NXbad", "category": "application", "members": {
        "(NXentry)": {"members": {"definition": {"value": "NXbad"}, member: "NX_CHAR"}}}}))
    # From a file, the reader already refuses the name (unstorable-name, at file:line:col) ...
    with pytest.raises(LayoutError, match=r"NXbad\.yaml:\d+:\d+: error\[unstorable-name\]"):
        generate_writer(str(path))
    proc = subprocess.run([sys.executable, "-m", "nxschema", "codegen", str(path), "-o",
                           str(tmp_path / "w.py")], capture_output=True, text=True,
                          check=False, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "unstorable-name" in proc.stderr
    assert not (tmp_path / "w.py").exists()
    # ... and a model built in code, which no reader checked, is refused by codegen itself.
    built = m.Definition(name="NXbad", category="application", members=(m.Group(
        "NXentry", members=(m.Field("definition", value="NXbad"),
                            m.Field(member, type="NX_CHAR", source=m.Source(str(path), 7, 7)))),))
    with pytest.raises(CodegenError, match=rf"NXbad\.yaml:7:7: member name .* {why}"):
        generate_writer(built)


def test_a_template_that_lets_text_become_code_is_refused(tmp_path, defs_folder):
    """The second line of defence: a user template that pastes a value without ``py`` gives
    a module that would call __import__/os.system, and codegen refuses it."""
    from nxschema._write.codegen import TEMPLATES_DIR

    custom = tmp_path / "templates"
    custom.mkdir()
    text = (TEMPLATES_DIR / "writer.py.j2").read_text()
    # an unsafe template: the enumeration pasted raw into the code
    text = text.replace("def {{ function }}(", "{% for p in params %}{% if p.enum %}"
                        "CHOICES = ({{ p.enum | join(', ') }},)\n{% endif %}{% endfor %}\n"
                        "def {{ function }}(", 1)
    (custom / "writer.py.j2").write_text(text)
    evil = defs_folder / "NXevil_enum.yaml"
    evil.write_text(yaml.safe_dump({"name": "NXevil_enum", "category": "application",
                                    "members": {"(NXentry)": {"members": {
                                        "definition": {"value": "NXevil_enum"},
                                        "mode": {"enumeration": [
                                            '__import__("os").system("touch PWN")', "x"]}}}}}))
    with pytest.raises(CodegenError, match=r"would use (__import__|\.system) \(line \d+\)"):
        generate_writer(str(evil), templates=custom)
    evil.unlink()
