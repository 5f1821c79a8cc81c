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
    Code("io", "error", _D, "A file or folder cannot be read, or is no regular file or folder "
         "(a FIFO, device or socket is never opened).", "nxschema check missing.yaml"),
    Code("encoding", "error", _D, "A definition file is not UTF-8 text (the position of the "
         "first bad byte is given as line:col).", "doc: caf\\xe9   # Latin-1"),
    Code("too-large-integer", "error", _D, "An integer (rank, dimension, occurrence count) "
         "beyond 2**63 - 1 or written with more than 1000 digits.", "rank: 99999999999999999999"),
    Code("unstorable-name", "error", _D, "A member or attribute name HDF5 cannot hold: '/', "
         "NUL, '.', '..', control characters, newlines, an empty name.",
         '"sub/../../../evil": NX_CHAR'),
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
    Code("nxdl-attribute", "warning", _D, "An NXDL attribute nxdl.xsd does not allow there; "
         "it is ignored (an error with --strict-definitions).",
         '<field name="x" unit="NX_ENERGY"/>'),
    Code("nxdl-lenient", "warning", _D, "NXDL that breaks nxdl.xsd in a small way whose "
         "meaning is clear; read as the author meant (an error with --strict-definitions; "
         "docs/nxdl.md lists them).", '<field name="x" required="true"/>'),
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
    Code("refers-to-not-text", "warning", _D, "A field that lists files (refers_to: files) "
         "has a type other than NX_CHAR.", "image_files: {type: NX_INT, refers_to: files}"),
    Code("bad-config-schema", "error", _D, "A configuration's JSON Schema is itself invalid.",
         "config: {schema: {type: 12}}"),
    Code("personal-unmarked", "warning", _D, "A YAML member named like personal data (email, "
         "telephone_number, ORCID, an NXuser's name, ...) has no 'personal:' mark.",
         "(NXuser): {members: {email: NX_CHAR}}"),
    Code("nonstandard-name", "warning", _D, "A name HDF5 can hold that breaks the NeXus "
         "naming rule (letters, digits, '_', and '.' inside; placeholders count as letters).",
         "x-ray: NX_FLOAT"),
    Code("duplicate-definition", "warning", _D, "Two files in one source define the same key.",
         "two files both named NXxas"),

    # --- HDF5 files: validation -------------------------------------------------------------
    Code("file-unreadable", "error", _F, "The file is missing, not HDF5, truncated, "
         "unreadable.", "nxschema validate notes.txt"),
    Code("timeout", "error", _F, "The file was still being checked after --timeout seconds "
         "(default 60): stopped, and the run went on.", "a file stuck in HDF5's metadata retries"),
    Code("worker-died", "error", _F, "The process checking the file died twice (out of memory, "
         "a crash in the HDF5 library, a Dask worker lost).", "a worker killed by the OOM killer"),
    Code("internal-error", "error", _F, "The validator itself failed on the file: a bug, please "
         "report it with the file.", "(none known)"),
    Code("unknown-definition", "error", _F, "--definition or @layout names no loaded "
         "definition.", "nxschema validate --definition NXxass scan.h5"),
    Code("unknown-application", "warning", _F, "An entry's definition field names no loaded "
         "application definition.", "/entry/definition = 'NXfoo'"),
    Code("missing-required", "error", _F, "A required group, field, link or attribute is "
         "missing (or too few of them).", "NXxas entry without /entry/title"),
    Code("missing-recommended", "warning", _F, "A recommended member is missing.",
         "NXdata without @axes where recommended"),
    Code("too-many", "error", _F, "More occurrences than max_occurs allows.",
         "two NXinstrument groups in one ESRF entry"),
    Code("wrong-class", "error", _F, "A group has a valid but wrong NX_class.",
         "monochromator with NX_class=NXdetector"),
    Code("unknown-nx-class", "error", _F, "NX_class is not a known class (a likely typo).",
         "NX_class='NXmonochromatr'"),
    Code("not-nexus-class", "warning", _F, "NX_class is a name that claims no NeXus class (no NX "
         "prefix).", "NX_class='SASentry'"),
    Code("invalid-name", "warning", _F, "An item name breaks the NeXus naming rule (warning), or "
         "is outside the recommended lower-case form (info).", "space_group_name_H-M"),
    Code("ambiguous-binding", "warning", _F, "An object fits two concepts alike and nothing "
         "decides between them (info when both are any-named).",
         "'x' fits DAXIS and XAXIS in NXstress"),
    Code("link-is-copy", "warning", _F, "A member the definition says is a link is a plain "
         "object (no soft link, no @target naming the original).",
         "data copied into NXdata instead of linked"),
    Code("wrong-link-target", "error", _F, "A link resolves to an object that does not fit the "
         "definition's target path.", "NXdata/energy linking to /entry/sample/temperature"),
    Code("link-target-attribute", "warning", _F, "A link's @target names another path than "
         "the one it resolves to.", "@target='/entry/old/x' on a link to /entry/new/x"),
    Code("missing-nx-class", "warning", _F, "A group has no NX_class attribute.",
         "h5py group created without attrs"),
    Code("wrong-kind", "error", _F, "A dataset stands where a group is expected, or the "
         "reverse.", "instrument written as a dataset"),
    Code("wrong-type", "error", _F, "The dataset's HDF5 type cannot hold the NX type.",
         "energy stored as strings where NX_FLOAT is required"),
    Code("bad-date", "error", _F, "An NX_DATE_TIME value is not ISO 8601.",
         "start_time = '23/11/2026'"),
    Code("bad-value", "error", _F, "NX_POSINT ≤ 0 or NX_BOOLEAN not 0/1.",
         "sequence_index = 0"),
    Code("wrong-value", "error", _F, "A fixed value differs.", "definition = 'NXxax'"),
    Code("not-in-enumeration", "error", _F, "A value is not in the enumeration (open ones "
         "accept @custom=True).", "probe = 'xray'"),
    Code("wrong-rank", "error", _F, "The dataset's rank differs from the definition's.",
         "energy of shape (10, 10) where rank 1 is required"),
    Code("wrong-shape", "error", _F, "A fixed axis length differs.",
         "a 3-vector stored with 4 elements"),
    Code("dimension-mismatch", "error", _F, "Fields sharing a symbol have different lengths "
         "(±1 only for bin edges).", "energy 100, i0 99, it 101 points"),
    Code("missing-units", "warning", _F, "No @units where the definition gives a units "
         "category.", "energy without @units"),
    Code("implausible-units", "warning", _F, "@units cannot be read as a unit, or their "
         "dimension does not fit the units category (a rotation in m, any unit on NX_UNITLESS).",
         "energy with @units='mm'"),
    Code("dangling-link", "error", _F, "A soft link points to nothing.",
         "/entry/data/energy -> /entry/instrument/mono/missing"),
    Code("dangling-external-link", "error", _F, "An external link's file or path is "
         "missing.", "/entry/data -> missing.h5::/entry/data"),
    Code("external-link-not-followed", "warning", _F, "An external link is refused by the "
         "external-link policy.", "a link to /etc/other.h5 under policy 'below'"),
    Code("missing-listed-file", "error", _F, "A file named in a list of files (a field with "
         "refers_to: files) does not exist; relative names are taken from the HDF5 file's "
         "folder.", "measurement/pilatus_files lists scan0001_0003.h5, which is not there"),
    Code("listed-file-not-followed", "warning", _F, "A listed file lies where the "
         "external-link policy does not go (as external-link-not-followed); not checked.",
         "a list naming /etc/other.h5 under policy 'below'"),
    Code("link-cycle", "warning", _F, "A link leads back to an enclosing group.",
         "/entry/loop -> /entry"),
    Code("too-deep", "warning", _F, "Nesting deeper than the walk allows.", "a hard-link "
         "cycle"),
    Code("unreadable-object", "error", _F, "An object or its value cannot be read.",
         "a damaged dataset header"),
    Code("not-utf8", "warning", _F, "Text that is not valid UTF-8 (read with replacement "
         "characters).", "a Latin-1 sample name b'h\\xe9matite'"),
    Code("unreadable-attribute", "warning", _F, "An attribute cannot be read (odd dtype).",
         "an opaque-typed attribute"),
    Code("placeholder", "warning", _F, "A value is still a placeholder written by "
         "`nxschema skeleton`.", "/entry/title = 'PLACEHOLDER' with @nxschema_placeholder"),
    Code("extra-member", "info", _F, "A member no definition names.",
         "/entry/my_notes in an NXentry"),
    Code("forbidden-member", "error", _F, "A member of a kind the definition forbids here.",
         "a group inside the ESRF measurement collection"),
)}


# Modules that register codes of their own when imported.
_REGISTERING = ("_validate.rules", "_icat.lint", "_definitions.nxdl_reader")


def all_codes() -> dict[str, Code]:
    """Every code, after importing the modules that define their own."""
    import importlib

    for name in _REGISTERING:  # a stale name must fail here, not hide their codes
        importlib.import_module(f"nxschema.{name}")
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
