"""Entry point: builds the parser from one module per command and maps errors to exit codes.

The exit codes are the one contract of ``nxschema._cli.exitcodes``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from nxschema import __version__
from nxschema._cli.exitcodes import CONTRACT, INTERRUPTED, USAGE

# Before numpy is imported: no command does linear algebra, and an idle BLAS thread pool costs
# start-up time, competes with the validation workers, and makes a later fork() unsafe.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# name -> the one-line help `nxschema --help` lists. Only the command that runs is imported
# (start-up counts for pre-commit and for scripts that run nxschema once per file); a test
# checks these lines against each module's own.
COMMANDS = {
    "check": "lint definition files (YAML, nyaml or NXDL)",
    "validate": "validate NeXus/HDF5 files",
    "bind": "show which definition concept each object of a file binds to",
    "convert": "convert definitions between YAML, nyaml and NXDL",
    "skeleton": "write a valid HDF5 skeleton from a definition",
    "codegen": "generate a typed Python writer (or --reader) for a definition",
    "process": "list NXprocess steps, print their configuration",
    "docs": "render HTML or Markdown documentation of definitions",
    "icat": "the ICAT metadata mapping: keys, extract, export, import",
    "personal": "list the personal data in files",
    "redact": "write a copy of a file without its personal data",
    "codes": "list every finding code and what triggers it",
    "definitions": "list the definition sets installed here",
}

EPILOG = """\
examples:
  nxschema check definitions/                   lint definition files (YAML or NXDL)
  nxschema validate scan.h5                     validate a NeXus/HDF5 file, nothing to configure
  nxschema validate archive/ --format jsonl     a folder, one JSON line per file as it is done
  nxschema validate --defs ../nxdl scan.h5      ... against the official NXDL definitions
  nxschema bind scan.h5                         which definition concept each object is
  nxschema convert NXxas.nxdl.xml -o out --to yaml
  nxschema definitions list                     the definition sets installed here
  nxschema validate --defs nexusformat scan.h5  ... against the NXDL nexusformat ships

Run 'nxschema COMMAND --help' for the options of each command.

""" + CONTRACT


def _command_of(argv) -> str | None:
    """The command named on the command line, if any (the first argument not an option)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; the options of ``command`` only (None: every command, all imported)."""
    parser = argparse.ArgumentParser(
        prog="nxschema",
        description="NeXus/HDF5 schemas as YAML definitions: lint them, validate files with them, "
                    "convert to and from NXDL, write skeletons and render documentation.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"nxschema {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_line in COMMANDS.items():
        if command is not None and name != command:
            sub.add_parser(name, help=help_line, add_help=False)  # listed, not loaded
            continue
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__package__}.{name}":
                continue  # command not part of this build
            raise
        module.register(sub)
    return parser


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command_of(argv) or "")
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return USAGE
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        return 0


def run() -> None:
    sys.exit(main())
