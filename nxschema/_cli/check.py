"""nxschema check: lint definition files."""

from __future__ import annotations

import argparse

from nxschema._check import check
from nxschema._cli.output import add_format_options, add_input_format_option, emit
from nxschema._definitions.catalog import bundled_definitions_dir
from nxschema._definitions.profiles import NAMES as PROFILES
from nxschema._definitions.sets import describe, describe_paths

DESCRIPTION = """\
Lint definition files: YAML (*.yaml, *.yml) and NXDL (*.nxdl.xml), given one by one or as
folders (searched recursively).

Syntax is checked against the meta-schema (docs/definition.schema.json), then meaning: unknown
NX classes, types and units categories, undeclared symbols (a warning), extends cycles, duplicate
members, link targets that resolve to nothing. Every problem prints as

  path/NXfoo.yaml:LINE:COL: error[CODE]: message

Names: a member or attribute name HDF5 cannot hold ('/', '.', '..', NUL, newlines and other
control characters) is an error (unstorable-name); one outside the NeXus naming rule (x-ray,
"a b") a warning (nonstandard-name). Integers beyond 2**63 - 1 are errors (too-large-integer).

NXDL that breaks nxdl.xsd in small ways whose meaning is clear (required="true" on a field,
optional="True", optional on a <link>, ...) gives nxdl-lenient warnings and is read as meant;
an attribute nxdl.xsd lacks gives an nxdl-attribute warning and is ignored. 'nxschema validate'
accepts such NXDL unless --strict-definitions (docs/nxdl.md, "Lenient reading").

In the CI of a definitions repository:

  nxschema check base_classes applications contributed_definitions --profile niac --fail-on warning

YAML files may be nxschema's language or nyaml (FAIRmat's form, told apart by content or by
--input-format).

exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or I/O error (a missing path,
or one that is no regular file or folder: a FIFO, device or socket is never opened).
"""


def register(sub) -> None:
    parser = sub.add_parser("check", help="lint definition files (YAML, nyaml or NXDL)",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="definition files or folders")
    add_format_options(parser, default_severity="info")
    parser.add_argument("--fail-on", choices=("error", "warning"), default="warning",
                        help="lowest severity that makes the exit code 1 (default: warning)")
    parser.add_argument("--no-bundled", action="store_true",
                        help="do not load the bundled definitions as context")
    parser.add_argument("--profile", choices=PROFILES, default="default",
                        help="which findings are warnings: default (as in 'nxschema codes'), "
                             "niac (what the official NIAC files do on purpose, such as "
                             "undeclared symbols, is info: for CI of a definitions repository), "
                             "strict (every finding is at least a warning); docs/profiles.md")
    add_input_format_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    results = check(*args.paths, bundled=not args.no_bundled, profile=args.profile,
                    input_format=args.input_format)
    # what was read: the bundled definitions as context (unless --no-bundled), then the paths
    sources = [] if args.no_bundled else [describe("bundled", bundled_definitions_dir())]
    sources += describe_paths(args.paths)
    code = emit(results, fmt=args.format, severity=args.severity, fail_on=args.fail_on,
                definitions=sources)
    if any(f.code == "io" for fs in results.values() for f in fs):
        return 2
    return code
