"""Entry point: builds the parser from one module per command and maps errors to exit codes.

Exit codes everywhere: 0 clean (warnings allowed unless a command says otherwise), 1 findings,
2 usage or I/O error.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from nxschema import __version__

COMMANDS = ("check", "validate", "convert", "skeleton", "codegen", "process", "docs", "icat",
            "personal", "redact", "codes")

EPILOG = """\
examples:
  nxschema check definitions/                   lint definition files (YAML or NXDL)
  nxschema validate scan.h5                     validate a NeXus/HDF5 file, nothing to configure
  nxschema validate --defs ../nxdl scan.h5      ... against the official NXDL definitions
  nxschema convert NXxas.nxdl.xml -o out --to yaml

Run 'nxschema COMMAND --help' for the options of each command.
exit codes: 0 clean, 1 findings, 2 usage or I/O error.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nxschema",
        description="NeXus/HDF5 schemas as YAML definitions: lint them, validate files with them, "
                    "convert to and from NXDL, write skeletons and render documentation.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"nxschema {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.{name}":
                continue  # command not part of this build
            raise
        module.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def run() -> None:
    sys.exit(main())
