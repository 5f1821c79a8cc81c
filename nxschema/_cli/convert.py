"""nxschema convert: YAML definitions to NXDL and back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nxschema._write.atomic import write_text_atomic
from nxschema._cli.output import add_input_format_option
from nxschema._definitions.catalog import read_file
from nxschema._definitions.files import (NXDL_SUFFIX, YAML_SUFFIXES, definition_files,
                                         path_problem)

DESCRIPTION = """\
Convert definition files between nxschema's YAML, NXDL (*.nxdl.xml) and nyaml (FAIRmat's YAML
form, read and written), one by one or whole folders (searched recursively; the sub-folder
structure is kept under OUTDIR). A *.yaml input is read as ours or as nyaml by its content
(--input-format to say which).

Everything NXDL can say is written as NXDL, and the result passes nxdl.xsd. Our keywords that
NXDL has no place for (domain, personal, placement, config, icat, forbid_extra, ...) travel in
an <!--nxschema {...}--> comment that other NeXus tools ignore, so YAML -> NXDL -> YAML gives
the same definition back; a fixed 'value' is also written as a one-item enumeration. Comments
other than the copyright header are not kept. See docs/nxdl.md for the whole mapping.

Nothing is written when an input has errors or an output file exists (unless --force); each
file is written atomically.

examples:
  nxschema convert ../nxdl -o nxdl-yaml --to yaml          every official definition as YAML
  nxschema convert definitions/esrf -o out --to nxdl       our definitions as NXDL
  nxschema convert NXxas.nxdl.xml -o . --to yaml --force   one file, replacing NXxas.yaml
  nxschema convert ../nxdl -o nyaml --to nyaml             as nyaml (then: nyaml2nxdl FILE)
  nxschema convert fairmat/base_classes/nyaml -o out --to nxdl   nyaml sources to NXDL

exit codes: 0 converted, 1 an input has errors (nothing written), 2 usage or I/O error
(a missing input, an output that exists without --force, an unwritable folder).
"""

SUFFIX = {"yaml": ".yaml", "nxdl": NXDL_SUFFIX, "nyaml": ".yaml"}


def register(sub) -> None:
    parser = sub.add_parser("convert", help="convert definitions between YAML, nyaml and NXDL",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="+", metavar="IN",
                        help="definition files (*.yaml, *.nxdl.xml) or folders")
    parser.add_argument("-o", "--output", required=True, metavar="OUTDIR",
                        help="folder to write into (created if missing)")
    parser.add_argument("--to", required=True, choices=("yaml", "nxdl", "nyaml"),
                        help="the format to write: yaml (nxschema's language), nxdl, or nyaml "
                             "(FAIRmat's YAML form, which the nyaml tool turns into the same "
                             "NXDL as --to nxdl)")
    add_input_format_option(parser)
    parser.add_argument("--force", action="store_true", help="replace existing output files")
    parser.set_defaults(run=run)


def stem(path: Path) -> str:
    name = path.name
    for suffix in (NXDL_SUFFIX, *YAML_SUFFIXES):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def plan(inputs, outdir: Path, to: str) -> tuple[list[tuple[Path, Path]], list[str]]:
    """(input file, output file) pairs, and usage problems (missing inputs, clashes)."""
    pairs: list[tuple[Path, Path]] = []
    problems: list[str] = []
    targets: dict[Path, Path] = {}
    for given in map(Path, inputs):
        problem = path_problem(given)
        if problem:  # missing, or a FIFO, device or socket (never opened)
            problems.append(f"{given}: {problem}")
            continue
        files = definition_files(given)
        if given.is_dir() and not files:
            problems.append(f"{given}: no definition files (*.yaml, *.nxdl.xml) here")
        for file in files:
            relative = file.parent.relative_to(given) if given.is_dir() else Path()
            target = outdir / relative / (stem(file) + SUFFIX[to])
            if target in targets:
                problems.append(f"{file} and {targets[target]} would both be written to {target}")
                continue
            targets[target] = file
            pairs.append((file, target))
    return pairs, problems


def write_atomic(target: Path, text: str) -> None:
    """Write next to ``target`` then rename, so a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, text, overwrite=True)


def convert_text(definition, to: str) -> tuple[str, list]:
    if to == "nyaml":
        from nxschema._definitions.nyaml_writer import nyaml_problems, write_nyaml

        return write_nyaml(definition), nyaml_problems(definition)
    if to == "yaml":
        from nxschema._definitions.yaml_writer import write_yaml

        return write_yaml(definition), []
    from nxschema._definitions.nxdl_writer import nxdl_problems, write_nxdl

    return write_nxdl(definition), nxdl_problems(definition)


def run(args) -> int:
    outdir = Path(args.output)
    pairs, problems = plan(args.inputs, outdir, args.to)
    if not args.force:
        problems += [f"{target} exists (use --force to replace it)"
                     for _, target in pairs if target.exists()]
    if outdir.exists() and not outdir.is_dir():
        problems.append(f"{outdir} is not a folder")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 2
    converted, failed = [], False
    for source, target in pairs:
        definition, findings = read_file(source, args.input_format)
        text = ""
        if definition is not None:
            text, more = convert_text(definition, args.to)
            findings = findings + more
        for finding in findings:
            print(finding, file=sys.stderr)
        if definition is None or any(f.severity == "error" for f in findings):
            failed = True
            continue
        converted.append((target, text))
    if failed:
        print("nothing written: fix the errors above", file=sys.stderr)
        return 1
    try:
        for target, text in converted:
            write_atomic(target, text)
    except OSError as exc:
        print(f"error: cannot write {exc.filename or ''}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    print(f"{len(converted)} file{'s' if len(converted) != 1 else ''} written to {outdir}",
          file=sys.stderr)
    return 0
