"""nxschema validate: check NeXus/HDF5 files against their definitions."""

from __future__ import annotations

import argparse
import sys

from nxschema._definitions.catalog import load
from nxschema.errors import DefinitionError
from nxschema._cli.output import add_external_option, add_format_options, emit

DESCRIPTION = """\
Validate NeXus/HDF5 files. Nothing to configure: every NXentry and NXsubentry with a
`definition` field is checked against that application definition (NXxas inside an NXsubentry
uses the ESRF subentry form, inside an NXentry the full NIAC form), every group against the base
class of its NX_class, and every NXprocess against the ESRF processing forms. The ESRF raw-data
layout applies with --definition NXesrf_raw, or when the file root has @layout="NXesrf_raw".

Files are opened read-only, without locking, in SWMR-read mode when possible: a file being
written can be checked, and every file stays byte-identical. Dataset payloads are never read
beyond scalars and short strings.

exit codes: 0 no error (warnings allowed), 1 errors found, 2 usage or I/O error: a file that
cannot be opened is reported, the other files are still checked, and the exit code is 2.
"""

EPILOG = """\
examples:
  nxschema validate scan.h5
  nxschema validate --severity warning --format json *.h5
  nxschema validate --defs ../shared/nxdl scan.h5          official NXDL, no conversion step
  nxschema validate --definition NXesrf_raw scan.h5        force the ESRF raw-data layout
  nxschema validate --external follow master.h5            follow external links anywhere
"""


def register(sub) -> None:
    parser = sub.add_parser("validate", help="validate NeXus/HDF5 files", description=DESCRIPTION,
                            epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE", help="HDF5 files to validate")
    parser.add_argument("--definition", metavar="NAME|PATH",
                        help="apply this definition (a key such as NXxas, NXxas@subentry, "
                             "NXesrf_raw, or a definition file) to the whole file")
    parser.add_argument("--defs", action="append", default=[], metavar="DIR",
                        help="extra definition folders or files, YAML or NXDL (repeatable); "
                             "they override the bundled definitions of the same name")
    parser.add_argument("--no-bundled", action="store_true",
                        help="use only the --defs definitions")
    parser.add_argument("--strict-definitions", action="store_true",
                        help="refuse NXDL that breaks nxdl.xsd even in small ways (exit 2); "
                             "by default required=\"true\" on a field, optional=\"True\", "
                             "optional on a <link> and the like load as warnings, read as meant "
                             "(see 'nxschema check' and docs/nxdl.md)")
    parser.add_argument("--prefer", choices=("yaml", "nxdl"), default="yaml",
                        help="when a YAML and an NXDL definition in one folder share a name, "
                             "which one wins (default: yaml)")
    add_external_option(parser)
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="processes for a file with many entries (at least 200 links at "
                             "the root): its entries are split between them (default: one per "
                             "core, at most 4; 1 to stay in one process)")
    add_format_options(parser, default_severity="warning")
    parser.set_defaults(run=run)


def run(args) -> int:
    # imported here: h5py and numpy are slow to import, and every other command (check, convert,
    # ...) builds this parser too
    from nxschema._definitions.nxdl_reader import LENIENT_CODES
    from nxschema._validate.api import iter_findings

    try:
        catalog = load(*args.defs, bundled=not args.no_bundled, prefer=args.prefer,
                       strict_definitions=args.strict_definitions)
    except DefinitionError as exc:
        for finding in exc.findings:
            print(finding, file=sys.stderr)
        print("nxschema: the definitions have errors (run 'nxschema check' on them)",
              file=sys.stderr)
        return 2
    lenient = sum(f.code in LENIENT_CODES for f in catalog.findings)
    if lenient:  # said once, not per finding: the findings of the files come next
        print(f"nxschema: {lenient} NXDL deviation{'s' if lenient != 1 else ''} from nxdl.xsd "
              "read leniently (run 'nxschema check' on the definitions to see them; "
              "--strict-definitions refuses them)", file=sys.stderr)
    results = {}
    unreadable = False
    for file in args.files:
        findings = list(iter_findings(file, definitions=catalog, definition=args.definition,
                                      external=args.external, jobs=args.jobs))
        unreadable |= any(f.code in ("file-unreadable", "unknown-definition") for f in findings)
        results[file] = findings
    code = emit(results, fmt=args.format, severity=args.severity, fail_on="error")
    return 2 if unreadable else code  # a file that could not be checked outranks findings
