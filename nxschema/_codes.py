"""The catalog of finding codes: every code any checker may yield, with what triggers it.

docs/findings.md and the generated docs' findings page are rendered from this table, and a test
checks that every code yielded anywhere in the package is listed here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Code:
    code: str
    severity: str
    area: str  # "definition" (nxschema check) or "file" (nxschema validate)
    summary: str
    example: str


_D, _F = "definition", "file"

CODES: dict[str, Code] = {c.code: c for c in (
    # --- definitions: syntax -------------------------------------------------------------------
    Code("io", "error", _D, "A file or folder cannot be read.", "nxschema check missing.yaml"),
    Code("yaml-syntax", "error", _D, "The YAML cannot be parsed (tabs, a file cut off, ...).",
         "energy:\n\ttype: NX_FLOAT"),
    Code("yaml-empty", "error", _D, "The file holds no YAML document.", "(an empty file)"),
    Code("yaml-key", "error", _D, "A mapping key is not a plain name.", "[a, b]: 1"),
    Code("yaml-too-big", "error", _D,
         "Alias expansion or nesting exceeds the safe bounds (a 'billion laughs' document).",
         "a: &a [x, x]\nb: &b [*a, *a]\n..."),
    Code("duplicate-key", "error", _D, "A key is written twice in one mapping.",
         "i0: NX_NUMBER\ni0: NX_FLOAT"),
    Code("schema", "error", _D, "The document does not fit the meta-schema.",
         "doc: 1   # doc must be text"),
    Code("unknown-keyword", "error", _D, "A keyword the language does not have (did-you-mean).",
         "energy: {unitz: NX_ENERGY}"),
    Code("nxdl-syntax", "error", _D, "The NXDL XML cannot be parsed (cut off, a DOCTYPE, ...).",
         '<field name="energy">'),
    Code("nxdl-element", "error", _D, "An NXDL element nxdl.xsd does not allow there.",
         '<field name="x"><group type="NXdata"/></field>'),
    Code("nxdl-attribute", "error", _D, "An NXDL attribute nxdl.xsd does not allow there.",
         '<field name="x" unit="NX_ENERGY"/>'),
    Code("nxdl-value", "error", _D, "A required NXDL attribute is missing or has a bad value.",
         '<field name="x" optional="maybe"/>'),
    Code("nxdl-namespace", "warning", _D, "The NXDL root does not declare the NXDL namespace.",
         '<definition name="NXfoo" ...> without xmlns'),
    Code("nxdl-extras", "error", _D, "A <!--nxschema {...}--> comment is not valid (see "
         "docs/nxdl.md).", '<!--nxschema {"domain": "lab"}-->'),
    Code("nxdl-invalid", "warning", _D, "nxschema convert --to nxdl: a name or link target "
         "that nxdl.xsd does not allow (written as is).", "a field named 'x-ray'"),
    # --- definitions: meaning ------------------------------------------------------------------
    Code("unknown-class", "error", _D, "A group's NX class is neither loaded nor official.",
         "(NXsubentri): {}"),
    Code("unknown-type", "error", _D, "An NX type that does not exist.", "type: NX_FLOATT"),
    Code("unknown-units", "error", _D, "A units category (NX_...) that does not exist.",
         "units: NX_ENERGIE"),
    Code("undeclared-symbol", "warning", _D, "A dimension names a symbol not under 'symbols'.",
         "dimensions: [nQ]"),
    Code("extends-cycle", "error", _D, "'extends' goes round in a cycle.",
         "A extends B, B extends A"),
    Code("unknown-extends", "error", _D, "'extends' names no known definition.",
         "extends: NXobjekt"),
    Code("duplicate-member", "error", _D, "Two members of one group have the same name.",
         "groups 'data(NXdata)' and 'data(NXnote)' side by side"),
    Code("unresolved-link", "error", _D, "A link target's path cannot be walked: a step on "
         "the way names nothing the definition knows.",
         "energy: {link: /instrument/energy}   # no member 'instrument' at the top"),
    Code("undeclared-link-target", "warning", _D, "A link target's last name is declared "
         "nowhere on its path (base classes are open; likely a typo).",
         "energy: {link: /NXentry/NXinstrument/mono:NXmonochromator/energie}"),
    Code("bad-config-schema", "error", _D, "A configuration's JSON Schema is itself invalid.",
         "config: {schema: {type: 12}}"),
    Code("duplicate-definition", "warning", _D, "Two files in one source define the same key.",
         "two files both named NXxas"),
)}


# Modules that register codes of their own when imported.
_REGISTERING = ("_validate", "_group_rules", "_icat_lint", "_nxdl_reader")


def all_codes() -> dict[str, Code]:
    """Every code, after importing the modules that define their own."""
    import importlib

    for name in _REGISTERING:
        try:
            importlib.import_module(f"nxschema.{name}")
        except ModuleNotFoundError:
            pass
    return CODES


def markdown() -> str:
    """docs/findings.md: every code with its severity, what triggers it, and an example."""
    codes = all_codes()
    lines = ["# Finding codes", "",
             "Every finding nxschema reports carries one of these stable codes. "
             "Regenerate this page with `nxschema codes --format markdown > docs/findings.md`.",
             ""]
    titles = {"definition": "Definitions (`nxschema check`)",
              "file": "HDF5 files (`nxschema validate`)"}
    for area in ("definition", "file"):
        lines += [f"## {titles[area]}", "", "| code | severity | what triggers it | example |",
                  "|---|---|---|---|"]
        for code in sorted(c for c in codes.values() if c.area == area):
            example = code.example.replace("|", "\\|").replace("\n", "<br>")
            lines.append(f"| `{code.code}` | {code.severity} | {code.summary} | "
                         f"`{example}` |")
        lines.append("")
    return "\n".join(lines)


def register(*codes: Code) -> None:
    """Add codes defined by other modules (validation rules, ICAT lint)."""
    for code in codes:
        CODES[code.code] = code
