"""nxschema redact: write a copy of a file without its personal data."""

from __future__ import annotations

import argparse
import sys

from nxschema._cli.personal import add_selection_options

DESCRIPTION = """\
Write OUT, a new file with the same objects, values, dtypes, chunking, compression,
attributes and links as IN, except the personal values 'nxschema personal IN' lists.

  --mode blank    (default) replace each by a placeholder of the same type and shape
                  ("<redacted>", zeros), so the file keeps its structure and validates
  --mode remove   leave the dataset or attribute out

Matches found by pattern inside free text are replaced in place ("... <redacted email> ...").
Each entry of OUT gets an NXprocess 'redaction' (program, version, date, the policy and the
paths redacted). OUT is written atomically and never replaces IN; IN is only read.

Master files: personal data in the files a master links to is an error naming them, unless
--follow-external DIR is given: those files are then redacted into DIR and OUT's external links
point at the copies.

examples:
  nxschema redact scan.h5 -o open/scan.h5
  nxschema redact scan.h5 -o open/scan.h5 --keep /1.1/user/affiliation --mode remove
  nxschema redact master.h5 -o open/master.h5 --follow-external open/

exit codes: 0 written, 2 usage or I/O error (nothing written).
"""


def register(sub) -> None:
    parser = sub.add_parser("redact", help="write a copy of a file without its personal data",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", metavar="IN")
    parser.add_argument("-o", "--output", required=True, metavar="OUT")
    parser.add_argument("--keep", action="append", default=[], metavar="PATH",
                        help="leave this HDF5 path (or everything below it, or PATH@ATTR) as is")
    parser.add_argument("--mode", choices=("blank", "remove"), default="blank")
    parser.add_argument("--follow-external", metavar="DIR",
                        help="also redact linked files holding personal data, into DIR")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    add_selection_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from nxschema._definitions.catalog import load
    from nxschema._personal.redact import redact
    from nxschema._personal.scan import DOMAINS
    from nxschema.errors import NxschemaError
    try:
        result = redact(args.input, args.output, definitions=load(*args.defs),
                        definition=args.definition, domains=tuple(args.domain or DOMAINS),
                        keep=tuple(args.keep), mode=args.mode,
                        patterns_on=not args.no_patterns, external=args.external,
                        follow_external=args.follow_external, overwrite=args.force)
    except (NxschemaError, OSError) as exc:
        print(f"nxschema redact: {exc}", file=sys.stderr)
        return 2
    for source, output in result.files:
        print(f"{source} -> {output}")
    count = len(result.redacted) + sum(len(c.redacted) for c in result.copies)
    print(f"{count} value{'s' if count != 1 else ''} redacted ({result.mode}); "
          f"{len(result.kept)} kept")
    return 0
