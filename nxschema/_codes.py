"""The table of finding codes: every code nxschema may report, its severity, where it comes from.

One static table, complete without importing anything else: ``nxschema codes``, docs/findings.md
and the generated docs' findings page are rendered from it, :class:`~nxschema.Finding` refuses a
code that is not in it, and tests/test_codes.py reads the package's source to prove that every
code a module raises is here with that module named, and that every code here is raised.

To add a code: add a row here (the module that raises it included), raise it with a string
literal (``error("my-code", ...)``, ``walker.finding("my-code", ...)``), and regenerate
docs/findings.md with ``nxschema codes --format markdown > docs/findings.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Code:
    """One finding code. ``severity`` is the one it has under an application definition (a base
    class's rules are one step milder, see docs/validation.md); ``module`` names the module(s)
    under ``nxschema`` that raise it, separated by spaces."""

    code: str
    severity: str  # "error", "warning" or "info"
    area: str  # "definition" (nxschema check) or "file" (nxschema validate)
    summary: str
    example: str
    module: str

    @property
    def modules(self) -> tuple[str, ...]:
        """The modules that raise this code, as dotted names (``nxschema._validate.walker``)."""
        return tuple(f"nxschema.{name}" for name in self.module.split())


_D, _F = "definition", "file"
# Where codes are raised (under nxschema.).
_YAMLSOURCE, _YAML_READER = "_definitions.yamlsource", "_definitions.yaml_reader"
_NXDL_READER, _NXDL_WRITER = "_definitions.nxdl_reader", "_definitions.nxdl_writer"
_LINT, _CATALOG = "_definitions.lint", "_definitions.catalog"
_NYAML_READER = "_definitions.nyaml_reader"
_API, _WALKER, _RULES = "_validate.api", "_validate.walker", "_validate.rules"
_ICAT_LINT, _ICAT_XML = "_icat.lint", "_icat.xml"

CODES: dict[str, Code] = {c.code: c for c in (
    # --- definitions: syntax -------------------------------------------------------------------
    Code("io", "error", _D, "A file or folder cannot be read, or is no regular file or folder (a "
         "FIFO, device or socket is never opened).",
         "nxschema check missing.yaml", "_check _definitions.catalog _icat.keys"),
    Code("encoding", "error", _D, "A definition file is not UTF-8 text (the position of the first "
         "bad byte is given as line:col).", "doc: caf\\xe9   # Latin-1", _CATALOG),
    Code("too-large-integer", "error", _D, "An integer (rank, dimension, occurrence count) beyond "
         "2**63 - 1 or written with more than 1000 digits.",
         "rank: 99999999999999999999",
         "_definitions.nxdl_reader _definitions.nyaml_reader _definitions.yaml_reader "
         "_definitions.yamlsource"),
    Code("unstorable-name", "error", _D, "A member or attribute name HDF5 cannot hold: '/', NUL, "
         "'.', '..', control characters, newlines, an empty name.",
         '"sub/../../../evil": NX_CHAR', "_definitions.nxdl_reader _definitions.yaml_reader"),
    Code("yaml-syntax", "error", _D, "The YAML cannot be parsed (tabs, a file cut off, ...).",
         "energy:\n\ttype: NX_FLOAT", _YAMLSOURCE),
    Code("yaml-empty", "error", _D, "The file holds no YAML document.",
         "(an empty file)", _YAMLSOURCE),
    Code("yaml-key", "error", _D, "A mapping key is not a plain name.", "[a, b]: 1", _YAMLSOURCE),
    Code("yaml-too-big", "error", _D, "Alias expansion or nesting exceeds the safe bounds (a "
         "'billion laughs' document).", "a: &a [x, x]\nb: &b [*a, *a]\n...", _YAMLSOURCE),
    Code("duplicate-key", "error", _D, "A key is written twice in one mapping.",
         "i0: NX_NUMBER\ni0: NX_FLOAT", _YAMLSOURCE),
    Code("schema", "error", _D, "The document does not fit the meta-schema.",
         "doc: 1   # doc must be text", _YAML_READER),
    Code("unknown-keyword", "error", _D, "A keyword the language does not have (did-you-mean).",
         "energy: {unitz: NX_ENERGY}", _YAML_READER),
    Code("nyaml-syntax", "error", _D, "A nyaml definition is malformed (no NXname key, a bad "
         "name(type), exists or dimensions).", "NXfoo(NXobject):\n  energy(NX_FLOAT:", _NYAML_READER),
    Code("nyaml-keyword", "error", _D, "A nyaml keyword that does not exist, or a member where "
         "only keywords may stand.", "energy(NX_FLOAT):\n  \\unitz: NX_ENERGY", _NYAML_READER),
    Code("nyaml-ignored", "warning", _D, "Something the nyaml tool would drop or not carry to NXDL "
         "(dimensions not of the form (a, b), exists on a link).", "\\dim: (n+1,)", _NYAML_READER),
    Code("nyaml-stale", "warning", _D, "The YAML above a nyaml SHA HASH trailer was changed "
         "after the NXDL in the trailer was made.", "(an edited nyaml file)", _NYAML_READER),
    Code("nyaml-lossy", "warning", _D, "nxschema convert --to nyaml: something nyaml cannot say "
         "or the nyaml tool reshapes.", "domain: acquisition", "_definitions.nyaml_writer"),
    Code("nxdl-syntax", "error", _D, "The NXDL XML cannot be parsed (cut off, a DOCTYPE, ...).",
         '<field name="energy">', _NXDL_READER),
    Code("nxdl-element", "error", _D, "An NXDL element nxdl.xsd does not allow there.",
         '<field name="x"><group type="NXdata"/></field>', _NXDL_READER),
    Code("nxdl-attribute", "warning", _D, "An NXDL attribute nxdl.xsd does not allow there; it is "
         "ignored (an error with --strict-definitions).",
         '<field name="x" unit="NX_ENERGY"/>', _NXDL_READER),
    Code("nxdl-lenient", "warning", _D, "NXDL that breaks nxdl.xsd in a small way whose meaning "
         "is clear; read as the author meant (an error with --strict-definitions; docs/nxdl.md "
         "lists them).", '<field name="x" required="true"/>', _NXDL_READER),
    Code("nxdl-value", "error", _D, "A required NXDL attribute is missing or has a bad value.",
         '<field name="x" optional="maybe"/>', _NXDL_READER),
    Code("nxdl-namespace", "warning", _D, "The NXDL root does not declare the NXDL namespace.",
         '<definition name="NXfoo" ...> without xmlns', _NXDL_READER),
    Code("nxdl-extras", "error", _D, "A <!--nxschema {...}--> comment is not valid (see "
         "docs/nxdl.md).", '<!--nxschema {"domain": "lab"}-->', _NXDL_READER),
    Code("nxdl-invalid", "warning", _D, "nxschema convert --to nxdl: a name or link target that "
         "nxdl.xsd does not allow (written as is).", "a field named 'x-ray'", _NXDL_WRITER),
    # --- definitions: meaning ------------------------------------------------------------------
    Code("unknown-class", "error", _D, "A group's NX class is neither loaded nor official.",
         "(NXsubentri): {}", _LINT),
    Code("unknown-type", "error", _D, "An NX type that does not exist.", "type: NX_FLOATT", _LINT),
    Code("unknown-units", "error", _D, "A units category (NX_...) that does not exist.",
         "units: NX_ENERGIE", _LINT),
    Code("undeclared-symbol", "warning", _D, "A dimension names a symbol not under 'symbols'.",
         "dimensions: [nQ]", _LINT),
    Code("extends-cycle", "error", _D, "'extends' goes round in a cycle.",
         "A extends B, B extends A", _LINT),
    Code("unknown-extends", "error", _D, "'extends' names no known definition.",
         "extends: NXobjekt", _LINT),
    Code("duplicate-member", "error", _D, "Two members of one group have the same name.",
         "groups 'data(NXdata)' and 'data(NXnote)' side by side", _LINT),
    Code("unresolved-link", "error", _D, "A link target's path cannot be walked: a step on the "
         "way names nothing the definition knows.",
         "energy: {link: /instrument/energy}   # no member 'instrument' at the top", _LINT),
    Code("undeclared-link-target", "warning", _D, "A link target's last name is declared nowhere "
         "on its path (base classes are open; likely a typo).",
         "energy: {link: /NXentry/NXinstrument/mono:NXmonochromator/energie}", _LINT),
    Code("refers-to-not-text", "warning", _D, "A field that lists files (refers_to: files) has a "
         "type other than NX_CHAR.", "image_files: {type: NX_INT, refers_to: files}", _LINT),
    Code("bad-config-schema", "error", _D, "A configuration's JSON Schema is itself invalid.",
         "config: {schema: {type: 12}}", _LINT),
    Code("personal-unmarked", "warning", _D, "A YAML member named like personal data (email, "
         "telephone_number, ORCID, an NXuser's name, ...) has no 'personal:' mark.",
         "(NXuser): {members: {email: NX_CHAR}}", _LINT),
    Code("nonstandard-name", "warning", _D, "A name HDF5 can hold that breaks the NeXus naming "
         "rule (letters, digits, '_', and '.' inside; placeholders count as letters).",
         "x-ray: NX_FLOAT", _LINT),
    Code("duplicate-definition", "warning", _D, "Two files in one source define the same key.",
         "two files both named NXxas", _CATALOG),

    # --- HDF5 files: validation -------------------------------------------------------------
    Code("file-unreadable", "error", _F, "The file is missing, not HDF5, truncated, unreadable.",
         "nxschema validate notes.txt", _API),
    Code("timeout", "error", _F, "The file was still being checked after --timeout seconds "
         "(default 60): stopped, and the run went on.",
         "a file stuck in HDF5's metadata retries", "_validate.batch"),
    Code("worker-died", "error", _F, "The process checking the file died twice (out of memory, a "
         "crash in the HDF5 library, a Dask worker lost).",
         "a worker killed by the OOM killer", "_validate.batch"),
    Code("internal-error", "error", _F, "The validator itself failed on the file: a bug, please "
         "report it with the file.", "(none known)", "_validate.batch _validate.api"),
    Code("unknown-definition", "error", _F, "--definition or @layout names no loaded definition.",
         "nxschema validate --definition NXxass scan.h5", _WALKER),
    Code("unknown-application", "warning", _F, "An entry's definition field names no loaded "
         "application definition.", "/entry/definition = 'NXfoo'", _WALKER),
    Code("missing-required", "error", _F, "A required group, field, link or attribute is missing "
         "(or too few of them).", "NXxas entry without /entry/title", "_validate.dataset_rules _validate.walker"),
    Code("missing-recommended", "warning", _F, "A recommended member is missing.",
         "NXdata without @axes where recommended", "_validate.dataset_rules _validate.walker"),
    Code("too-many", "error", _F, "More occurrences than max_occurs allows.",
         "two NXinstrument groups in one ESRF entry", _WALKER),
    Code("wrong-class", "error", _F, "A group has a valid but wrong NX_class.",
         "monochromator with NX_class=NXdetector", _WALKER),
    Code("unknown-nx-class", "error", _F, "NX_class is not a known class (a likely typo).",
         "NX_class='NXmonochromatr'", _WALKER),
    Code("not-nexus-class", "warning", _F, "NX_class is a name that claims no NeXus class (no NX "
         "prefix).", "NX_class='SASentry'", _WALKER),
    Code("invalid-name", "warning", _F, "An item name breaks the NeXus naming rule (warning), or "
         "is outside the recommended lower-case form (info).", "space_group_name_H-M", _WALKER),
    Code("ambiguous-binding", "warning", _F, "An object fits two concepts alike and nothing "
         "decides between them (info when both are any-named).",
         "'x' fits DAXIS and XAXIS in NXstress", _WALKER),
    Code("link-is-copy", "warning", _F, "A member the definition says is a link is a plain "
         "object (no soft link, no @target naming the original).",
         "data copied into NXdata instead of linked", "_validate.links"),
    Code("wrong-link-target", "error", _F, "A link resolves to an object that does not fit the "
         "definition's target path.", "NXdata/energy linking to /entry/sample/temperature", "_validate.links"),
    Code("link-target-attribute", "warning", _F, "A link's @target names another path than "
         "the one it resolves to.", "@target='/entry/old/x' on a link to /entry/new/x", "_validate.links"),
    Code("placeholder-sibling", "warning", _F, "A FIELDNAME_errors (_set, _weights, _mask) "
         "field names a field its group does not hold.",
         "temperature_errors without temperature", "_validate.dataset_rules"),
    Code("missing-nx-class", "warning", _F, "A group has no NX_class attribute.",
         "h5py group created without attrs", _WALKER),
    Code("wrong-kind", "error", _F, "A dataset stands where a group is expected, or the reverse.",
         "instrument written as a dataset", _WALKER),
    Code("wrong-type", "error", _F, "The dataset's HDF5 type cannot hold the NX type.",
         "energy stored as strings where NX_FLOAT is required", "_validate.dataset_rules"),
    Code("bad-date", "error", _F, "An NX_DATE_TIME value is not ISO 8601.",
         "start_time = '23/11/2026'", "_validate.dataset_rules _validate.rules"),
    Code("bad-value", "error", _F, "NX_POSINT ≤ 0 or NX_BOOLEAN not 0/1.",
         "sequence_index = 0", "_validate.dataset_rules"),
    Code("wrong-value", "error", _F, "A fixed value differs.", "definition = 'NXxax'", "_validate.dataset_rules"),
    Code("not-in-enumeration", "error", _F, "A value is not in the enumeration (an open one: a warning "
         "unless the value is marked @custom=True).",
         "probe = 'xray'", "_validate.dataset_rules"),
    Code("wrong-rank", "error", _F, "The dataset's rank differs from the definition's.",
         "energy of shape (10, 10) where rank 1 is required", "_validate.dataset_rules"),
    Code("wrong-shape", "error", _F, "A fixed axis length differs.",
         "a 3-vector stored with 4 elements", "_validate.dataset_rules"),
    Code("dimension-mismatch", "error", _F, "Fields sharing a symbol have different lengths (±1 "
         "only for bin edges).", "energy 100, i0 99, it 101 points", "_validate.dataset_rules"),
    Code("missing-units", "warning", _F, "No @units where the definition gives a units category.",
         "energy without @units", "_validate.dataset_rules"),
    Code("implausible-units", "warning", _F, "@units cannot be read as a unit, or their dimension "
         "does not fit the units category (a rotation in m, any unit on NX_UNITLESS).",
         "energy with @units='mm'", "_validate.dataset_rules"),
    Code("dangling-link", "error", _F, "A soft link points to nothing.",
         "/entry/data/energy -> /entry/instrument/mono/missing", _WALKER),
    Code("dangling-external-link", "error", _F, "An external link's file or path is missing.",
         "/entry/data -> missing.h5::/entry/data", _WALKER),
    Code("external-link-not-followed", "warning", _F, "An external link, a virtual "
         "dataset's source or external raw storage is refused by the external-file policy "
         "(judged on the real path); its data is not read.",
         "a link to /etc/other.h5, or via a symlink leaving the folder, under policy 'below'",
         _WALKER),
    Code("missing-listed-file", "error", _F, "A file named in a list of files (a field with "
         "refers_to: files) does not exist; relative names are taken from the HDF5 file's folder.",
         "measurement/pilatus_files lists scan0001_0003.h5, which is not there", "_validate.files"),
    Code("listed-file-not-followed", "warning", _F, "A listed file lies where the external-link "
         "policy does not go (as external-link-not-followed); not checked.",
         "a list naming /etc/other.h5 under policy 'below'", "_validate.files"),
    Code("link-cycle", "warning", _F, "A link (hard or soft, by object identity) leads back "
         "to an enclosing group, or soft links go round in a cycle.",
         "/entry/loop -> /entry; f['entry/a'] = f['entry']", _WALKER),
    Code("too-deep", "warning", _F, "Nesting deeper than the walk allows (groups, or a "
         "process configuration over 64 levels).", "200 nested groups; '[' * 5000",
         "_validate.dataset_rules _validate.walker"),
    Code("too-large", "warning", _F, "More than the check reads: links in one group, "
         "attributes of one object, walks of one group through many paths, a configuration "
         "over 1 MiB or an integer over 4,300 digits.", "a 50 MB YAML configuration",
         "_validate.dataset_rules _validate.walker"),
    Code("attribute-type", "warning", _F, "An attribute NeXus gives a meaning to has the "
         "wrong type (or @default names the group itself); it is ignored.",
         "NX_class = 5; @axes = 1; energy_indices = '0'; @default = '.'", _WALKER),
    Code("unreadable-object", "error", _F, "An object or its value cannot be read.",
         "a damaged dataset header", "_validate.dataset_rules _validate.walker"),
    Code("not-utf8", "warning", _F, "Text that is not valid UTF-8 (read with replacement "
         "characters).", "a Latin-1 sample name b'h\\xe9matite'", "_validate.dataset_rules _validate.walker"),
    Code("unreadable-attribute", "warning", _F, "An attribute cannot be read (odd dtype).",
         "an opaque-typed attribute", _WALKER),
    Code("placeholder", "warning", _F, "A value is still a placeholder written by `nxschema "
         "skeleton`.", "/entry/title = 'PLACEHOLDER' with @nxschema_placeholder", "_validate.dataset_rules _validate.rules"),
    Code("extra-member", "info", _F, "A member no definition names.",
         "/entry/my_notes in an NXentry", _WALKER),
    Code("forbidden-member", "error", _F, "A member of a kind the definition forbids here.",
         "a group inside the ESRF measurement collection", _WALKER),

    # --- HDF5 files: group rules (NXdata, @default, NXprocess) -----------------------------
    Code("bad-signal", "error", _F, "@signal or @auxiliary_signals names a missing dataset.",
         "@signal='counts' with no counts dataset", _RULES),
    Code("missing-signal", "warning", _F, "An NXdata without @signal.",
         "NXdata with only datasets", _RULES),
    Code("legacy-signal", "warning", _F, "The old @signal=1 on a dataset is used.",
         "data.attrs['signal'] = 1", _RULES),
    Code("bad-axes", "error", _F, "@axes does not fit the signal's rank or names a missing axis.",
         "@axes=['x', 'y'] for a 1-D signal", _RULES),
    Code("axis-length", "error", _F, "An axis is neither n nor n+1 (bin edges) long.",
         "signal of 100 points, axis of 98", _RULES),
    Code("errors-shape", "error", _F, "FIELD_errors (or an auxiliary signal) has another shape "
         "than FIELD.", "data (100,), data_errors (99,)", _RULES),
    Code("dangling-default", "error", _F, "@default names nothing.",
         "root @default='2.1' with no entry 2.1", _RULES),
    Code("default-not-nxdata", "warning", _F, "@default leads to a group that is not NXdata and "
         "has no @default.", "entry @default='instrument'", _RULES),
    Code("duplicate-sequence-index", "error", _F, "Two NXprocess groups of one entry share "
         "sequence_index.", "two steps with sequence_index 1", _RULES),
    Code("bad-config", "error", _F, "A process configuration does not parse in its format.",
         "type='application/json', data='{\"a\": '", "_validate.dataset_rules"),
    Code("config-schema", "error", _F, "A parsed configuration fails the definition's JSON Schema.",
         "a missing required key", "_validate.dataset_rules"),
    Code("unknown-config-format", "warning", _F, "A configuration's format label is not json, "
         "yaml or ini.", "type='application/toml'", "_validate.dataset_rules"),

    # --- definitions: the ICAT mapping ----------------------------------------------------------
    Code("icat-key-grammar", "error", _D, "An ICAT key (or a group's CamelCase part) breaks the "
         "key grammar: letters and digits, parts joined by single underscores, starting with a "
         "letter.", "voltage: {icat: EM voltage}", _ICAT_LINT),
    Code("icat-key-reused", "error", _D, "One ICAT key is mapped from two paths that are not "
         "links to the same data.",
         "position_x: {icat: EM_position_x}\nposition_y: {icat: EM_position_x}", _ICAT_LINT),
    Code("icat-path-keys", "error", _D, "One NeXus path is mapped to two different ICAT keys.",
         "two choices at 'slit' giving 'gap' the keys A_gap and B_gap", _ICAT_LINT),
    Code("icat-placeholder-mismatch", "warning", _D, "A key names another field than the element "
         "it is written on (a copy-paste mistake).",
         "images_count: {icat: EM_magnification}", _ICAT_LINT),
    Code("icat-duplicate", "error", _D, "An element (or an ICAT row) is written twice.",
         "<voltage>${EM_voltage}</voltage> twice in one group of hdf5_cfg.xml",
         "_icat.lint _icat.xml"),
    Code("icat-xml", "error", _D, "An hdf5_cfg.xml file cannot be parsed or is not shaped like "
         "one.", "<group groupName='EM'> without NX_class", _ICAT_XML),
)}

# Codes of what reading an NXDL let pass although nxdl.xsd does not: refused by
# --strict-definitions (catalog.load(strict_definitions=True)). Kept here, not in the NXDL
# reader, so that `validate` can count them in a catalog loaded from the cache without
# importing the reader (and yaml with it: a fifth of its start-up).
LENIENT_CODES = frozenset({"nxdl-lenient", "nxdl-attribute", "nxdl-namespace"})


def all_codes() -> dict[str, Code]:
    """Every finding code nxschema may report, by code: ``{"missing-required": Code(...)}``.

    Returns the table itself (do not change it). Raises nothing.
    """
    return CODES


def markdown() -> str:
    """The text of docs/findings.md: every code with its severity, what triggers it, and an
    example, one table per area. Raises nothing."""
    codes = all_codes()
    lines = ["# Finding codes", "",
             ("Every finding nxschema reports carries one of these stable codes. Regenerate "
              "this page with `nxschema codes --format markdown > docs/findings.md`; the table "
              "is `nxschema/_codes.py`. *raised in* names the module under `nxschema/`."),
             ""]
    titles = {"definition": "Definitions (`nxschema check`)",
              "file": "HDF5 files (`nxschema validate`)"}
    for area in ("definition", "file"):
        lines += [f"## {titles[area]}", "", ("| code | severity | what triggers it | example "
                                               "| raised in |"), "|---|---|---|---|---|"]
        for code in sorted(c for c in codes.values() if c.area == area):
            example = code.example.replace("|", "\\|").replace("\n", "<br>")
            where = ", ".join(f"`{name}`" for name in code.module.split())
            lines.append(f"| `{code.code}` | {code.severity} | {code.summary} | "
                         f"`{example}` | {where} |")
        lines.append("")
    return "\n".join(lines)
