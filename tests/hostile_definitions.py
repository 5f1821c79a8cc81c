"""Random hostile definitions, YAML or NXDL, shared by tests/test_definitions_fuzz.py (Hypothesis)
and the long fuzz run (benchmarks/fuzz.py).

``random_definition(choose, integer)`` writes one definition text from the tricks the audit
used against readers and code generators: names that cannot be HDF5 names, quotes and triple
quotes, template syntax, control and bidi characters, integers past any bound, nesting past
any depth, YAML tags and alias bombs, XML entities (internal bombs and external files), bytes
that are not UTF-8. ``judge_definition(path)`` runs what a user would run on it (``check``,
then ``generate_writer`` and the writer it made, in an empty folder) and says what went
wrong, if anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

PWN = 'a"""+str(__import__("os").system("touch PWN"))+"""'
TRICKS = [
    PWN,
    "b'''+str(__import__('os').system('touch PWN'))+'''",
    'c" + open("PWN", "w").write("x") + "',
    "e\n__import__('os').system('touch PWN')\n",
    "f\\",
    "{{ 7 * 7 }} {% raw %} {# x #}",
    "\\N{BULLET} \\x41 \\u0041",
    "g\u202e\u2066 bidi \u2028 line \u2029 \x0b\x0c\r\t",
    "\u0430dmin ｅｎｅｒｇｙ ﬁeld",
    "<script>alert(1)</script> &amp; ]]>",
    "x" * 5000,
]
NAMES = ["energy", "data", "a/b", "..", ".", "nul\0x", "ctl\x01", "sp ace", 'q"uote',
         "tri'''ple", "{{ name }}", "ｉｆ", "__class__", "__import__", "1st", "x" * 300, "Ünï",
         "", "-", "DATA", "AXISNAME_indices", "NAME", "mode"]
TYPES = ["NX_FLOAT", "NX_CHAR", "NX_INT", "NX_NUMBER", "NX_DATE_TIME", "NX_BOOLEAN", "NX_BOGUS",
         "ISO8601", "7", "NX_CHAR_OR_NUMBER"]
NUMBERS = ["0", "1", "-1", "9" * 5000, "1e308", "1e99999", "0x10", "unbounded", "-0", "3.5"]
# Most of a definition is well formed, so that the tricks reach the code generator.
GOOD_NAMES = ["energy", "mode", "temperature", "title", "ｅｎｅｒｇｙ", "能量", "counts", "i0"]
GROUP_CLASSES = ["NXentry", "NXdata", "NXsample", "NXinstrument", "NXcollection", "NXbogus",
                 "SASentry", "NXsubentry", "NXprocess", ""]


def _text(choose) -> str:
    return choose(TRICKS + NAMES)


def _name(choose, mild: bool) -> str:
    return choose(GOOD_NAMES if mild else GOOD_NAMES * 3 + NAMES)


def _yaml_quote(text: str) -> str:
    # JSON strings are YAML flow scalars: every character is written, escaped where needed.
    return json.dumps(text, ensure_ascii=False)


def _yaml_member(choose, integer, depth: int, lines: list[str], indent: str,
                 mild: bool) -> None:
    name = _name(choose, mild)
    what = choose(["field"] * 4 + ["group", "group", "attribute", "attribute"]
                  + ([] if mild else ["link", "raw"]))
    if what == "group" and depth > 0:
        classes = GROUP_CLASSES[:5] if mild else GROUP_CLASSES
        lines.append(f"{indent}{_yaml_quote(name + '(' + choose(classes) + ')')}:")
        lines.append(f"{indent}  doc: {_yaml_quote(_text(choose))}")
        lines.append(f"{indent}  members:")
        for _ in range(integer(0, 4)):
            _yaml_member(choose, integer, depth - 1, lines, indent + "    ", mild)
    elif what == "attribute":
        lines.append(f"{indent}{_yaml_quote('@' + name)}: {{enumeration: "
                     f"[{_yaml_quote(_text(choose))}, {_yaml_quote(_text(choose))}]}}")
    elif what == "link":
        lines.append(f"{indent}{_yaml_quote(name)}: {{link: {_yaml_quote(choose(NAMES))}}}")
    elif what == "raw":
        lines.append(indent + choose([
            "x: !!python/object/apply:os.system ['touch PWN']",
            "y: &a [*a]",
            "z: {type: NX_FLOAT, dimensions: {rank: " + choose(NUMBERS) + "}}",
            "w: {type: NX_INT, minOccurs: " + choose(NUMBERS) + "}",
            "\tt: NX_CHAR",
            "dup: NX_CHAR\n" + indent + "dup: NX_INT",
            "v: {value: " + _yaml_quote(_text(choose)) + "}",
        ]))
    else:
        lines.append(f"{indent}{_yaml_quote(name)}:")
        lines.append(f"{indent}  type: {_yaml_quote(choose(TYPES[:6] if mild else TYPES))}")
        lines.append(f"{indent}  units: "
                     f"{_yaml_quote(choose(['NX_ENERGY', 'NX_ANY', 'keV', _text(choose)]))}")
        lines.append(f"{indent}  doc: {_yaml_quote(_text(choose))}")
        if integer(0, 1):
            lines.append(f"{indent}  enumeration: [{_yaml_quote(_text(choose))}, "
                         f"{_yaml_quote(_text(choose))}]")


def _yaml(choose, integer, name: str, mild: bool) -> bytes:
    lines = [f"name: {name}", f"category: {choose(['application', 'base', 'layout', 'x'])}",
             f"doc: {_yaml_quote(_text(choose))}", "members:",
             f"  {_yaml_quote('(' + choose(['NXentry', 'NXsubentry', 'NXbogus']) + ')')}:",
             "    members:", f"      definition: {{value: {name}}}"]
    for _ in range(integer(0, 6)):
        _yaml_member(choose, integer, integer(0, 4), lines, "      ", mild)
    text = "\n".join(lines) + "\n"
    bomb = "" if mild else choose(["", "", "deep", "aliases", "bytes"])
    if bomb == "deep":
        text += "extra: " + "[" * integer(100, 5000) + "\n"
    elif bomb == "aliases":
        text += 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
            f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]\n"
            for i in range(1, integer(2, 12)))
    data = text.encode("utf-8", "surrogatepass")
    if bomb == "bytes":
        at = integer(0, len(data))
        data = data[:at] + choose([b"\xff\xfe", b"\xc3", b"\x00", b"\xed\xa0\x80"]) + data[at:]
    return data


_NOT_XML = dict.fromkeys(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))


def _xml_escape(text: str, keep_invalid: bool = False) -> str:
    # Characters XML 1.0 cannot hold make the whole file unreadable: kept only where asked, so
    # that most inputs get past the parser to the reader and the code generator.
    if not keep_invalid:
        text = text.translate(_NOT_XML)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _nxdl_member(choose, integer, depth: int, mild: bool) -> str:
    name = _xml_escape(_name(choose, mild), keep_invalid=not mild and integer(0, 9) == 0)
    what = choose(["field", "field", "group", "attribute", "link"])
    extra = "" if mild else choose(["", "", f' minOccurs="{choose(NUMBERS)}"', ' optional="True"',
                    ' required="true"', ' nameType="partial"', ' nameType="bogus"',
                    f' maxOccurs="{choose(NUMBERS)}"', ' recommended="maybe"'])
    doc = f"<doc>{_xml_escape(_text(choose))}</doc>"
    if what == "group" and depth > 0:
        inner = "".join(_nxdl_member(choose, integer, depth - 1, mild)
                        for _ in range(integer(0, 3)))
        classes = GROUP_CLASSES[:5] if mild else GROUP_CLASSES
        return (f'<group type="{_xml_escape(choose(classes))}" name="{name}"{extra}>'
                f"{doc}{inner}</group>")
    if what == "attribute":
        return (f'<attribute name="{name}"{extra}>{doc}<enumeration>'
                f'<item value="{_xml_escape(_text(choose))}"/></enumeration></attribute>')
    if what == "link":
        return f'<link name="{name}" target="{_xml_escape(choose(NAMES))}"{extra}>{doc}</link>'
    dims = (f'<dimensions rank="{choose(NUMBERS)}"><dim index="{choose(NUMBERS)}" '
            f'value="{choose(NUMBERS)}"/></dimensions>') if integer(0, 1) else ""
    return (f'<field name="{name}" type="{_xml_escape(choose(TYPES))}" '
            f'units="{_xml_escape(choose(["NX_ENERGY", _text(choose)]))}"{extra}>{doc}{dims}'
            "</field>")


def _nxdl(choose, integer, name: str, mild: bool) -> bytes:
    prolog = "" if mild else choose(["", "", 
                     '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
                     '<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;'
                     '&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'])
    use = "&x;" if "ENTITY x" in prolog else "&c;" if "ENTITY c" in prolog else ""
    members = "".join(_nxdl_member(choose, integer, integer(0, 4), mild)
                      for _ in range(integer(0, 6)))
    deep = "<group type=\"NXcollection\">" * (not mild and integer(0, 4) == 0) * integer(100, 3000)
    deep += "</group>" * deep.count("<group")
    text = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}'
            f'<definition xmlns="http://definition.nexusformat.org/nxdl/3.1" name="{name}" '
            f'type="group" extends="NXobject" category="{choose(["application", "base", "x"])}">'
            f"<doc>{_xml_escape(_text(choose))}{use}</doc>"
            f'<group type="NXentry"><field name="definition"><enumeration><item value="{name}"/>'
            f"</enumeration></field>{members}{deep}</group></definition>\n")
    data = text.encode("utf-8", "surrogatepass")
    if not mild and integer(0, 4) == 0:
        at = integer(0, len(data))
        data = data[:at] + choose([b"\xff\xfe", b"\xc3", b"\x00"]) + data[at:]
    return data


def random_definition(folder: Path, choose, integer) -> Path:
    """One random hostile definition file in ``folder`` (YAML or NXDL)."""
    # Half are mild: well-formed structure whose text (docs, enumerations, units, values)
    # carries the tricks, so that they reach the code generator and the writer it makes.
    mild = choose([True, False])
    name = "NXfuzz" if mild else choose(["NXfuzz", "NXfuzz_x", "NXentry", "fuzz"])
    if choose(["yaml", "nxdl"]) == "yaml":
        path, data = folder / f"{name}.yaml", _yaml(choose, integer, name, mild)
    else:
        path, data = folder / f"{name}.nxdl.xml", _nxdl(choose, integer, name, mild)
    path.write_bytes(data)
    return path


RUNNER = textwrap.dedent("""\
    import importlib.util, json, sys
    spec = importlib.util.spec_from_file_location("writer", sys.argv[1])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    getattr(module, sys.argv[3])("out.h5", **json.loads(open(sys.argv[2]).read()))
    """)


def _value(param):
    if param.kind == "choice":
        return param.enum[0] if param.enum else "x"
    if param.kind in ("text", "attribute") and not param.check:
        return PWN
    if param.kind in ("scalar", "attribute"):
        return 1
    return None


def judge_definition(path: Path, run_writer: bool = True) -> str | None:
    """What went wrong with ``path`` (None: nothing): ``check`` must answer with findings that
    say where (file:line), never raise; a definition it passes must give a writer that, run in
    an empty folder, writes its one file and nothing else."""
    import nxschema
    from nxschema.errors import NxschemaError

    try:
        findings = nxschema.check(str(path))
    except Exception as exc:  # noqa: BLE001 - the point is to catch anything
        return f"check raised {type(exc).__name__}: {exc}"
    for items in findings.values():
        for finding in items:
            if finding.code == "internal-error":
                return f"internal-error: {finding.message}"
            if finding.severity == "error" and finding.file and not finding.line:
                return f"an error without a line: {finding.code}: {finding.message[:200]}"
    if any(f.severity == "error" for items in findings.values() for f in items):
        return None
    from nxschema._write.codegen import generate_writer, writer_model

    try:
        source, model = generate_writer(str(path)), writer_model(str(path))
    except NxschemaError:
        return None  # refused with a reason: fine
    except Exception as exc:  # noqa: BLE001
        return f"codegen raised {type(exc).__name__}: {exc}"
    if not run_writer:
        return None
    # Values for the parameters we can fill; the call may still refuse them, which is fine.
    args = {p.name: v for p in model["params"] if (v := _value(p)) is not None}
    run = path.parent / "run"
    run.mkdir(exist_ok=True)
    (path.parent / "writer.py").write_text(source, encoding="utf-8")
    (path.parent / "args.json").write_text(json.dumps(args), encoding="utf-8")
    (path.parent / "runner.py").write_text(RUNNER, encoding="utf-8")
    try:
        subprocess.run([sys.executable, "-B", str(path.parent / "runner.py"),
                        str(path.parent / "writer.py"), str(path.parent / "args.json"),
                        model["function"]], cwd=run, capture_output=True, timeout=60,
                       check=False)
    except subprocess.TimeoutExpired:
        return "the generated writer ran for more than 60 s"
    # Whether the call succeeded is not the question (a writer may refuse these values);
    # that it wrote nothing but its own file is.
    made = {p.name for p in run.iterdir()} - {"out.h5", "out.h5.tmp"}
    made |= {p.name for p in path.parent.iterdir()} - {
        path.name, "run", "writer.py", "args.json", "runner.py"}
    if made:
        return f"the generated writer made {sorted(made)}"
    return None
