"""nxschema bind: show which definition concept each object of a file binds to."""

from __future__ import annotations

import argparse
import json
import sys

from nxschema._definitions.catalog import load
from nxschema.errors import DefinitionError, NxschemaError

DESCRIPTION = """\
Show the binding of a NeXus/HDF5 file: for every object, the concept of each definition it binds
to (its path in the definition), how its name fits (exact, partial, any; misfit where only the
name fits), and the YAML or NXDL file and line where the concept is written. Objects that no
concept claims are listed last.

The binding is what the validator checks, and what typed views, ICAT extraction and redaction
read. It follows NeXus name fitting: an exact name beats a partial one (nameType="partial": the
upper-case letters are placeholders), a partial with more fixed characters beats one with
fewer, any-named comes last; a group's NX_class must fit. The definitions are found as
`nxschema validate` finds them.

exit codes: 0 done, 2 usage or I/O error.
"""

EPILOG = """\
examples:
  nxschema bind docs/examples/esrf_xas.h5
  nxschema bind --defs ../shared/nxdl --format json scan.h5
  nxschema bind --definition NXesrf_raw scan.h5
"""


def register(sub) -> None:
    parser = sub.add_parser("bind",
                            help="show which definition concept each object of a file binds to",
                            description=DESCRIPTION, epilog=EPILOG,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", metavar="FILE", help="the HDF5 file")
    parser.add_argument("--definition", metavar="NAME|PATH",
                        help="apply this definition (key or file) to the whole file")
    parser.add_argument("--defs", action="append", default=[], metavar="DIR|SET",
                        help="extra definition folders or files, YAML (ours or nyaml) or NXDL, "
                             "or an installed set: nexusformat, pynxtools, env (see 'nxschema "
                             "definitions list'); repeatable")
    parser.add_argument("--no-bundled", action="store_true",
                        help="use only the --defs definitions")
    parser.add_argument("--no-discovery", action="store_true",
                        help="apply no definition by its applies_when")
    parser.add_argument("--external", choices=("below", "follow", "never"), default="below",
                        help="external links to follow, as for validate (default: below)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (one line per binding) or json")
    parser.set_defaults(run=run)


def run(args) -> int:
    from nxschema._binding.tree import bind  # h5py and numpy are slow to import

    try:
        catalog = load(*args.defs, bundled=not args.no_bundled)
    except DefinitionError as exc:
        for finding in exc.findings:
            print(finding, file=sys.stderr)
        print("nxschema: the definitions have errors (run 'nxschema check' on them)",
              file=sys.stderr)
        return 2
    try:
        binding = bind(args.file, definitions=catalog, definition=args.definition,
                       discovery=not args.no_discovery, external=args.external)
    except (NxschemaError, OSError) as exc:
        print(f"nxschema: {args.file}: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump(binding.as_dict(), sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    for bound in binding.bound:
        print(bound)
    for path in binding.unbound:
        print(f"{path}  (bound to no concept)")
    return 0
