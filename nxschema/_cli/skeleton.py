"""nxschema skeleton: write a valid HDF5 skeleton file from a definition."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
Write a NeXus/HDF5 file laid out from a definition: every required group (with its NX_class),
field (right dtype, rank and units) and attribute, links as soft links to their targets, fixed
values (definition = NXxas) as such. Everything else is a placeholder to replace, marked with
@nxschema_placeholder = True (attributes: listed in @nxschema_placeholder_attributes), so that
'nxschema validate' warns until the real values are in.

DEFINITION is a catalog key (NXxas, NXxas@subentry, NXesrf_raw, NXesrf_process_v2, NXdata, ...)
or a definition file (YAML or NXDL). An application definition in subentry form (NXxas@subentry)
gives an entry whose 'measurement' collection holds the data and a subentry linking to it, as
the ESRF writes them. A base class gives one group of that class.

Numeric arrays are allocated lazily (they read as zeros and take no space) unless
--fill-example writes example ramps. The file is written next to OUT and renamed over it at
the end: an interrupted run never leaves a half-written OUT (a hidden .OUT.*.partial may stay
behind after a kill; delete it).

examples:
  nxschema skeleton NXxas -o xas.h5
  nxschema skeleton NXxas@subentry -o xas_sub.h5 --dim nP=200 --fill-example
  nxschema skeleton NXesrf_raw -o raw.h5 --recommended
  nxschema skeleton my_defs/NXfoo.yaml -o foo.h5 --optional --force
  nxschema skeleton NXfoo --defs my_defs/ -o foo.h5

exit codes: 0 written, 2 usage or I/O error (unknown definition, OUT exists without --force).
"""


def register(sub) -> None:
    parser = sub.add_parser("skeleton", help="write a valid HDF5 skeleton from a definition",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("definition", metavar="DEFINITION",
                        help="catalog key (NXxas, NXxas@subentry, ...) or definition file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT", help="HDF5 file to write")
    parser.add_argument("--defs", action="append", default=[], metavar="DIR|SET",
                        help="extra definition files or folders, or an installed set such as "
                             "nexusformat ('nxschema definitions list'); repeatable; they "
                             "override bundled ones")
    parser.add_argument("--recommended", action="store_true",
                        help="also write recommended members")
    parser.add_argument("--optional", action="store_true",
                        help="also write optional (and recommended) members")
    parser.add_argument("--fill-example", action="store_true",
                        help="fill arrays with example values instead of leaving them unwritten")
    parser.add_argument("--dim", action="append", default=[], metavar="SYMBOL=LENGTH",
                        help="length of a symbolic dimension, e.g. nP=100 (repeatable; "
                             "default 5)")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.set_defaults(run=run)


def run(args) -> int:
    from nxschema._write.layout import LayoutError
    from nxschema._write.skeleton import parse_dims, write_skeleton

    try:
        dims = parse_dims(args.dim)
        summary = write_skeleton(args.definition, args.output, definitions=args.defs,
                                 recommended=args.recommended, optional=args.optional,
                                 fill_example=args.fill_example, dims=dims,
                                 overwrite=args.force)
    except (LayoutError, ValueError, OSError) as exc:
        print(f"nxschema skeleton: {exc}", file=sys.stderr)
        return 2
    print(summary)
    return 0
