"""nxschema icat: the ICAT metadata mapping (keys, extract, export, import)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nxschema._cli.output import add_external_option

DESCRIPTION = """\
The ICAT metadata catalogue mapping (docs/icat.md). Each field below the entry has an ICAT key:
the CamelCase of its group path, '_', the field name (instrument/source/current ->
InstrumentSource_current); technique subentries (EM, MX, ...) give EM_<field>; definitions
override the rule with the 'icat:' keyword (title -> datasetName, primary_slit -> SlitPrimary).

subcommands:
  keys     list the keys that definitions imply (key, path, type, units, record, mandatory)
  extract  read a NeXus/HDF5 file and print {key: value} for every key it holds
  export   write the mapping as an hdf5_cfg.xml-style file
  import   read an hdf5_cfg.xml into YAML definitions (and report its mistakes)

examples:
  nxschema icat keys NXesrf_raw NXesrf_em
  nxschema icat keys definitions/esrf/NXesrf_em.yaml --format json
  nxschema icat extract scan.h5 --entry 1.1 --format json
  nxschema icat export NXesrf_raw NXesrf_em -o hdf5_cfg.xml
  nxschema icat import hdf5_cfg.xml -o defs/
  nxschema icat import hdf5_cfg.xml            (no -o: only report the file's mistakes)

exit codes: 0 ok, 1 findings (import: the XML has mistakes; the YAML is still written),
2 usage or I/O error (an unreadable file or definition, an unknown entry).
"""

KEYS_HELP = """\
List every ICAT key the definitions imply. DEFINITION is a definition name (looked up among
the bundled definitions and --defs), a YAML or NXDL file, or a folder of them.

Which fields get a key: fields in groups below the entry and in technique subentries (an
NXsubentry named in upper case); not fields directly in the entry unless 'icat:' names a key,
nor 'measurement' channels, NXdata plot groups, NXprocess groups, constants, fields that stand
for any name, or personal data. Positioner groups give <Prefix>_name and <Prefix>_value.

examples:
  nxschema icat keys NXesrf_raw NXesrf_em
  nxschema icat keys my_defs/ --format json
"""

EXTRACT_HELP = """\
Read FILE and print {key: value} for every ICAT key that the definitions (bundled, plus
--defs) map and the file holds; units are printed next to each value. The entry is --entry,
else the one the root's @default names, else the first NXentry. Values are converted by the
field's NX type (int, float, text, ISO 8601 date); arrays of up to 16 values are given as
space-separated text, larger ones by their first value (their last for record=final keys).
Positioner groups give space-separated names and values. A file with none of the keys gives
an empty result.

Links are followed as 'nxschema validate' follows them, with the same --external policy:
a relative file name is resolved against the folder of the file holding the link; 'below'
(the default) opens only files in that folder or below it, 'follow' any file, 'never' none.
Links not followed are reported on stderr.

examples:
  nxschema icat extract scan.h5
  nxschema icat extract master.h5 --entry 2.1 --format json
  nxschema icat extract scan.h5 --defs my_defs/
  nxschema icat extract master.h5 --external follow    follow external links anywhere

exit codes: 0 ok (even with no keys), 2 the file cannot be read or the entry is missing.
"""

EXPORT_HELP = """\
Write the ICAT mapping of the definitions as an hdf5_cfg.xml-style file: nested <group
groupName=.. NX_class=..> elements, and one leaf per key with NAPItype, units, record,
ESRF_mandatory and ESRF_description attributes and ${IcatKey} as text.

examples:
  nxschema icat export NXesrf_raw NXesrf_em -o hdf5_cfg.xml
"""

IMPORT_HELP = """\
Read an hdf5_cfg.xml and write YAML definitions into OUTDIR: a layout for the entry
(--name, default NXesrf_catalogue) and one subentry definition per technique group
(<name>_<technique>). 'icat:' is written only where the plain rule would not give the key
back; a renamed group (primary_slit -> SlitPrimary) gets 'icat:' once, on the group. The
file's own mistakes (duplicated elements, placeholders copied from a neighbour, keys reused
on unrelated paths) are reported with file:line.

examples:
  nxschema icat import hdf5_cfg.xml -o definitions/esrf/catalogue/
  nxschema icat import hdf5_cfg.xml
"""


def register(sub) -> None:
    parser = sub.add_parser("icat", help="the ICAT metadata mapping: keys, extract, export, "
                            "import", description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="icat_command", metavar="SUBCOMMAND")
    raw = argparse.RawDescriptionHelpFormatter

    keys = commands.add_parser("keys", help="list the keys definitions imply",
                               description=KEYS_HELP, formatter_class=raw)
    keys.add_argument("definitions", nargs="+", metavar="DEFINITION")
    _defs_options(keys)
    keys.add_argument("--format", choices=("text", "json"), default="text")
    keys.set_defaults(run=run_keys)

    extract = commands.add_parser("extract", help="read the keys' values from a file",
                                  description=EXTRACT_HELP, formatter_class=raw)
    extract.add_argument("file", metavar="FILE")
    _defs_options(extract)
    extract.add_argument("--entry", metavar="NAME", help="the entry to read (default: see above)")
    add_external_option(extract)
    # The old spelling, kept for scripts: it means --external follow (with a note on stderr).
    extract.add_argument("--allow-external-anywhere", dest="external",
                         action=_DeprecatedFollow, nargs=0, help=argparse.SUPPRESS)
    extract.add_argument("--format", choices=("text", "json"), default="text")
    extract.set_defaults(run=run_extract)

    export = commands.add_parser("export", help="write the mapping as hdf5_cfg.xml",
                                 description=EXPORT_HELP, formatter_class=raw)
    export.add_argument("definitions", nargs="+", metavar="DEFINITION")
    _defs_options(export)
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.set_defaults(run=run_export)

    imp = commands.add_parser("import", help="read an hdf5_cfg.xml into YAML definitions",
                              description=IMPORT_HELP, formatter_class=raw)
    imp.add_argument("file", metavar="XML")
    imp.add_argument("-o", "--output", metavar="OUTDIR",
                     help="folder to write the YAML definitions into (created if missing)")
    imp.add_argument("--name", default="NXesrf_catalogue",
                     help="name of the layout definition (default: NXesrf_catalogue)")
    imp.add_argument("--format", choices=("text", "json"), default="text",
                     help="how to print the file's mistakes")
    imp.set_defaults(run=run_import)
    parser.set_defaults(run=lambda args: _usage(parser))


class _DeprecatedFollow(argparse.Action):
    def __call__(self, parser, namespace, values, option_string=None):
        print("nxschema icat extract: --allow-external-anywhere is deprecated; use "
              "--external follow", file=sys.stderr)
        namespace.external = "follow"


def _usage(parser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _defs_options(parser) -> None:
    parser.add_argument("--defs", action="append", default=[], metavar="DIR|SET",
                        help="more definition files or folders, or an installed set such as "
                             "nexusformat ('nxschema definitions list'); repeatable; they "
                             "override bundled ones")
    parser.add_argument("--no-bundled", action="store_true",
                        help="do not load the bundled definitions")


def _fail(message: str) -> int:
    print(f"nxschema icat: {message}", file=sys.stderr)
    return 2


def _rows(args):
    """The rows of the named definitions, or an exit code after printing why not."""
    from nxschema.errors import DefinitionError
    from nxschema._icat.keys import icat_keys

    try:
        return icat_keys(*args.definitions, definitions=args.defs,
                         bundled=not args.no_bundled)
    except DefinitionError as exc:
        for finding in exc.findings:
            print(finding, file=sys.stderr)
        return 2


def run_keys(args) -> int:
    rows = _rows(args)
    if isinstance(rows, int):
        return rows
    if args.format == "json":
        json.dump([r.as_dict() for r in rows], sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    table = [("KEY", "PATH", "TYPE", "UNITS", "RECORD", "MANDATORY")] + [
        (r.key, r.path, r.nx_type, r.units or "-", r.record, "yes" if r.mandatory else "no")
        for r in rows]
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[5])
    print(f"{len(rows)} key{'s' if len(rows) != 1 else ''}", file=sys.stderr)
    return 0


def run_extract(args) -> int:
    from nxschema._definitions.catalog import load
    from nxschema._icat.keys import catalog_keys
    from nxschema._icat.extract import IcatError, extract

    catalog = load(*args.defs, bundled=not args.no_bundled, strict=False)
    errors = [f for f in catalog.findings if f.severity == "error"]
    for finding in errors:
        print(finding, file=sys.stderr)
    if errors:
        return 2
    try:
        result = extract(args.file, catalog_keys(catalog), entry=args.entry,
                         external=args.external, catalog=catalog)
    except IcatError as exc:
        return _fail(str(exc))
    for note in result.notes:
        print(f"warning: {note}", file=sys.stderr)
    if args.format == "json":
        json.dump({"file": result.file, "entry": result.entry, "keys": result.values},
                  sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for key, item in result.values.items():
        units = f" {item['units']}" if item["units"] else ""
        print(f"{key} = {item['value']}{units}")
    print(f"{len(result.values)} key{'s' if len(result.values) != 1 else ''} from entry "
          f"{result.entry or '(none)'} of {result.file}", file=sys.stderr)
    return 0


def run_export(args) -> int:
    from nxschema._icat.xml import export_xml
    from nxschema._write.atomic import write_atomic
    from nxschema.errors import NxschemaError

    rows = _rows(args)
    if isinstance(rows, int):
        return rows
    names = sorted({r.definition for r in rows})
    text = export_xml(rows, comment="generated by nxschema icat export from "
                      f"{', '.join(names) or 'no definitions'}: edit the definitions, not "
                      "this file")
    try:
        write_atomic(args.output, text, overwrite=True, make_parents=True)
    except (OSError, NxschemaError) as exc:
        return _fail(f"{args.output}: cannot write: {getattr(exc, 'strerror', None) or exc}")
    print(f"{len(rows)} keys written to {args.output}", file=sys.stderr)
    return 0


def run_import(args) -> int:
    from nxschema._icat.xml import import_xml
    from nxschema._definitions.yaml_writer import write_yaml
    from nxschema._cli.output import emit
    from nxschema._write.atomic import write_atomic
    from nxschema.errors import NxschemaError

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"{args.file}: cannot read: {getattr(exc, 'strerror', None) or exc}")
    definitions, findings = import_xml(text, args.file, name=args.name)
    code = emit({args.file: findings}, fmt=args.format, severity="info", fail_on="warning")
    if not definitions:
        return 2
    if args.output:
        outdir = Path(args.output)
        if outdir.exists() and not outdir.is_dir():
            return _fail(f"{outdir} is not a folder")
        try:
            for definition in definitions:
                write_atomic(outdir / f"{definition.name}.yaml", write_yaml(definition),
                             overwrite=True, make_parents=True)
        except (OSError, NxschemaError) as exc:
            return _fail(f"{outdir}: cannot write: {getattr(exc, 'strerror', None) or exc}")
        print(f"{len(definitions)} definition{'s' if len(definitions) != 1 else ''} written "
              f"to {outdir}", file=sys.stderr)
    return code
