"""nxschema personal: list the personal and administrative data files hold."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = """\
List every value in FILE that is personal data or administrative: what the definitions mark
('personal: true', or the administrative domain, such as every member of an NXuser group), and
e-mail addresses, ORCID iDs and phone numbers found by pattern in any text, wherever they are.

For each: the file and HDF5 path (the real one, through external links), the concept and the
definition that marks it with its source line, the domain, and how it was found. Files are
opened read-only; external links are followed under the same policy as 'validate'.

What no tool can find: a name typed into free text (a title, a comment). See
docs/personal-data.md.

examples:
  nxschema personal scan.h5
  nxschema personal master.h5 --format json
  nxschema personal scan.h5 --definition NXesrf_raw --no-patterns

exit codes: 0 nothing found (or only values already redacted), 1 personal data found, 2 usage
or I/O error.
"""


def add_selection_options(parser) -> None:
    """Options shared with 'redact': which definitions and what counts as personal."""
    parser.add_argument("--defs", action="append", default=[], metavar="DIR|SET",
                        help="definition files or folders to use besides the bundled ones, or "
                             "an installed set such as nexusformat ('nxschema definitions "
                             "list')")
    parser.add_argument("--definition", metavar="NAME",
                        help="apply this layout or application definition to the whole file, "
                             "as validate --definition (default: the root's @layout, else "
                             "every definition whose applies_when the root meets)")
    parser.add_argument("--domain", action="append", metavar="DOMAIN",
                        help="members of this domain count as personal (repeatable; default: "
                             "administrative)")
    parser.add_argument("--no-patterns", action="store_true",
                        help="do not look for e-mail addresses, ORCID iDs and phone numbers")
    parser.add_argument("--external", choices=("below", "follow", "never"), default="below",
                        help="external links: follow those below the file's folder (default), "
                             "all, or none")


def register(sub) -> None:
    parser = sub.add_parser("personal", help="list the personal data in files",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_selection_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from nxschema._definitions.catalog import load
    from nxschema._personal.scan import DOMAINS, scan
    from nxschema.errors import NxschemaError
    try:
        catalog = load(*args.defs)
    except NxschemaError as exc:
        print(f"nxschema personal: {exc}", file=sys.stderr)
        return 2
    status, report = 0, []
    for file in args.files:
        try:
            result = scan(file, definitions=catalog, definition=args.definition,
                          domains=tuple(args.domain or DOMAINS),
                          patterns_on=not args.no_patterns, external=args.external)
        except (NxschemaError, OSError) as exc:
            print(f"{file}: {exc}", file=sys.stderr)
            status = 2
            continue
        if any(not i.redacted for i in result.items) and status == 0:
            status = 1
        report.append({"file": file, "items": [i.as_dict() for i in result.items],
                       "files_read": result.files, "not_followed": result.problems})
        if args.format == "text":
            for item in result.items:
                how = (f"{item.concept} ({item.definition}, {item.source})"
                       if item.found_by == "definition" else f"found by pattern ({item.reason})")
                domain = f" [{item.domain}]" if item.domain else ""
                done = " (already redacted)" if item.redacted else ""
                print(f"{item.where}: {item.reason}{domain}: {how}{done}")
            for problem in result.problems:
                print(f"{problem} (not searched)")
    if args.format == "json":
        json.dump({"files": report}, sys.stdout, indent=1)
        sys.stdout.write("\n")
    else:
        total = sum(len(r["items"]) for r in report)
        print(f"{len(args.files)} file{'s' if len(args.files) != 1 else ''} searched: "
              f"{total} personal value{'s' if total != 1 else ''}")
    return status
