"""nxschema process: list the processing steps of a file, print a configuration to feed back."""

from __future__ import annotations

import argparse
import sys

DESCRIPTION = """\
Read the NXprocess steps that programs recorded in a NeXus/HDF5 file (both ESRF forms: v1 with
the configuration as text with @format or as an NXcollection tree, v2 with an NXnote), and
print a step's configuration so that it can be fed back to the program that wrote it.

  list FILE [ENTRY]                  every step, in sequence_index order
  config FILE ENTRY/PROCESS          the configuration, exactly as stored
  config FILE ENTRY/PROCESS --to F   ... converted to json, yaml or ini

Without --to, 'config' prints the stored text unchanged (an NXcollection tree is printed as
JSON). With --to, the parsed configuration is written in format F; ini holds only sections of
text values, so a configuration that does not fit is refused rather than changed.

Steps are recorded from Python: nxschema.record_process(...) (see docs/writing.md).

examples:
  nxschema process list scan.h5
  nxschema process list scan.h5 1.1
  nxschema process config scan.h5 1.1/normalisation > normalisation.json
  nxschema process config scan.h5 1.1/normalisation --to yaml -o normalisation.yaml

exit codes: 0 done, 1 a configuration that does not parse, 2 usage or I/O error.
"""


def register(sub) -> None:
    parser = sub.add_parser("process", help="list NXprocess steps, print their configuration",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="list the steps of a file",
                                 description="List the NXprocess steps of FILE (or of ENTRY).")
    listing.add_argument("file", metavar="FILE")
    listing.add_argument("entry", nargs="?", metavar="ENTRY")
    config = actions.add_parser("config", help="print a step's configuration",
                                description="Print the configuration of one NXprocess step.")
    config.add_argument("file", metavar="FILE")
    config.add_argument("process", metavar="ENTRY/PROCESS")
    config.add_argument("--to", choices=("json", "yaml", "ini"),
                        help="convert to this format (default: print the stored text as is)")
    config.add_argument("-o", "--output", metavar="OUT",
                        help="write to OUT (atomically) instead of standard output")
    config.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.set_defaults(run=run, parser=parser)


def run(args) -> int:
    if args.action is None:
        args.parser.print_help()
        return 2
    try:
        return _list(args) if args.action == "list" else _config(args)
    except (KeyError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"nxschema process: {message}", file=sys.stderr)
        return 2


def _list(args) -> int:
    from nxschema._process.record import read_processes

    records = read_processes(args.file, args.entry)
    for r in records:
        seq = f"#{r.sequence_index}" if r.sequence_index is not None else "#?"
        config = f"{r.form or '-'} {r.config_format or '-'}"
        line = (f"{r.path}  {seq}  {r.program or '?'} {r.version or '?'}  {r.date or '-'}  "
                f"config: {config}")
        if r.config_problem:
            line += f"  ({r.config_problem})"
        print(line)
    if not records:
        print("no NXprocess steps", file=sys.stderr)
    return 0


def _config(args) -> int:
    import json

    from nxschema._write.atomic import write_text_atomic
    from nxschema._process.record import read_record
    from nxschema._process.config import dump_config

    record = read_record(args.file, args.process)
    if record.config_problem:
        print(f"nxschema process: {record.path}: {record.config_problem}", file=sys.stderr)
        return 1
    try:
        if args.to:
            text = dump_config(record.config, args.to)
        elif record.config_text is not None:
            text = record.config_text
        else:
            text = json.dumps(record.config, ensure_ascii=False, indent=2) + "\n"
    except ValueError as exc:
        print(f"nxschema process: {exc}", file=sys.stderr)
        return 1
    if args.output:
        write_text_atomic(args.output, text, overwrite=args.force)
    else:
        sys.stdout.write(text)
    return 0
