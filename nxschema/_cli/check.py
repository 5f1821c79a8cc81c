"""nxschema check: lint definition files."""

from __future__ import annotations

import argparse

from nxschema._check import check
from nxschema._cli.output import add_format_options, emit

DESCRIPTION = """\
Lint definition files: YAML (*.yaml, *.yml) and NXDL (*.nxdl.xml), given one by one or as
folders (searched recursively).

Syntax is checked against the meta-schema (docs/definition.schema.json), then meaning: unknown
NX classes, types and units categories, undeclared symbols (a warning), extends cycles, duplicate
members, link targets that resolve to nothing. Every problem prints as

  path/NXfoo.yaml:LINE:COL: error[CODE]: message

exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage or I/O error.
"""


def register(sub) -> None:
    parser = sub.add_parser("check", help="lint definition files (YAML or NXDL)",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="definition files or folders")
    add_format_options(parser, default_severity="info")
    parser.add_argument("--fail-on", choices=("error", "warning"), default="warning",
                        help="lowest severity that makes the exit code 1 (default: warning)")
    parser.add_argument("--no-bundled", action="store_true",
                        help="do not load the bundled definitions as context")
    parser.set_defaults(run=run)


def run(args) -> int:
    results = check(*args.paths, bundled=not args.no_bundled)
    code = emit(results, fmt=args.format, severity=args.severity, fail_on=args.fail_on)
    if any(f.code == "io" for fs in results.values() for f in fs):
        return 2
    return code
