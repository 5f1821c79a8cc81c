"""nxschema codegen: generate a typed Python writer module for a definition."""

from __future__ import annotations

import argparse
import os
import sys

DESCRIPTION = """\
Generate a Python module (numpy + h5py only, typed, ruff- and mypy-clean) with one function
that writes files following DEFINITION, e.g. for NXxas@subentry:

  write_nxxas_subentry(path, *, energy, i0, it, entry_name="entry", subentry_name="xas",
                       units=None, overwrite=False, mode="w")

Each field of the definition is a keyword parameter (named after the end of its path:
energy, incoming_beam_data, sample_name); required members are required parameters. Before
anything is written, every value is checked: type, rank, enumerations, and arrays sharing a
symbol (nP) must have the same length, else a ValueError names the symbol and the lengths.
Arrays and texts may be given as links (the module's Link class, h5py.SoftLink,
h5py.ExternalLink). The file is written atomically (temporary file + rename).
mode="a" adds one entry (one scan, entry_name=...) to an existing file: the file is copied,
the entry written into the copy, which is renamed over it (atomic even if killed; costs one
copy of the file per call). An entry name the file holds already is a ValueError.

With --reader, the module is a typed reader instead: one class per group of the definition
(NXxasView, NXxas_InstrumentView, ...) whose properties are its members, typed for mypy and
editors (energy: Field[np.floating[Any]]), and read(path) -> list[NXxasView]. The reader
reads through nxschema.open: members are bound as the validator binds them, and links of
every kind (soft, hard, external, master files) are followed. See docs/reading.md.

The module is rendered from Jinja2 templates; --templates DIR uses DIR/writer.py.j2 and/or
DIR/helpers.py.j2 instead of the bundled ones (nxschema/_write/templates/).

examples:
  nxschema codegen NXxas -o xas_writer.py
  nxschema codegen NXxas@subentry -o xas_subentry_writer.py
  nxschema codegen my_defs/NXfoo.yaml -o foo_writer.py --templates my_templates/
  nxschema codegen NXesrf_raw -o -            print to standard output
  nxschema codegen --reader NXxas -o xas_reader.py

Text from the definition never becomes code: names are mapped to ASCII identifiers, strings
and docstrings are escaped, and a member name no HDF5 file can hold ('/', '.', '..', NUL) is
refused with its file:line:col.

exit codes: 0 written, 2 usage or I/O error (unknown definition, OUT exists without --force,
a template that does not render valid Python, a definition that cannot be written safely).
"""


def register(sub) -> None:
    parser = sub.add_parser("codegen",
                            help="generate a typed Python writer (or --reader) for a definition",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("definition", metavar="DEFINITION",
                        help="catalog key (NXxas, NXxas@subentry, ...) or definition file")
    parser.add_argument("-o", "--output", required=True, metavar="OUT",
                        help="Python file to write ('-' for standard output)")
    parser.add_argument("--defs", action="append", default=[], metavar="DIR|SET",
                        help="extra definition files or folders, or an installed set such as "
                             "nexusformat ('nxschema definitions list'); repeatable; they "
                             "override bundled ones")
    parser.add_argument("--templates", metavar="DIR",
                        help="folder with writer.py.j2 and/or helpers.py.j2 to use instead")
    parser.add_argument("--reader", action="store_true",
                        help="generate a typed reader (classes over nxschema.open) instead")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.set_defaults(run=run)


def run(args) -> int:
    from nxschema._write.atomic import write_text_atomic
    from nxschema._write.codegen import generate_writer
    from nxschema.errors import NxschemaError

    if args.templates and not os.path.isdir(args.templates):
        print(f"nxschema codegen: --templates {args.templates}: no such folder", file=sys.stderr)
        return 2
    try:
        if args.reader:
            from nxschema._write.codegen_reader import generate_reader
            text = generate_reader(args.definition, definitions=args.defs,
                                   templates=args.templates)
        else:
            text = generate_writer(args.definition, definitions=args.defs,
                                   templates=args.templates)
        if args.output == "-":
            sys.stdout.write(text)
            return 0
        write_text_atomic(args.output, text, overwrite=args.force)
    except (NxschemaError, ValueError, OSError) as exc:  # CodegenError, LayoutError, ...
        print(f"nxschema codegen: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
