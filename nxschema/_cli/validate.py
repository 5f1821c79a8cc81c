"""nxschema validate: check NeXus/HDF5 files and folders against their definitions."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys

from nxschema._cli.exitcodes import CONTRACT, INTERRUPTED, USAGE
from nxschema._cli.output import EXTERNAL_POLICIES, add_input_format_option

# Kept here, not imported from the batch module: building this parser must not import h5py.
DEFAULT_INCLUDE = ("*.h5", "*.hdf5", "*.nxs", "*.nx5", "*.nx")
SEVERITIES = ("error", "warning", "info")

DESCRIPTION = """\
Validate NeXus/HDF5 files, and folders of them. Nothing to configure: every NXentry and
NXsubentry with a `definition` field is checked against that application definition (NXxas
inside an NXsubentry uses the ESRF subentry form, inside an NXentry the full NIAC form), every
group against the base class of its NX_class, and every NXprocess against the ESRF processing
forms. The ESRF raw-data layout applies with --definition NXesrf_raw, when the file root has
@layout="NXesrf_raw", or when the root says Bliss wrote the file (@publisher="bliss"): a
definition may declare when it applies (applies_when); --no-discovery turns that off.

Folders are walked recursively for the names --include takes (default: *.h5 *.hdf5 *.nxs *.nx5
*.nx). Files run in parallel, one process per core, and each file's findings are printed as
soon as it is done (completion order; --sort for the order of the files), then a summary. On a
terminal, a progress bar runs on stderr. Ctrl-C prints what is done so far.

Files are opened read-only, without locking, in SWMR-read mode only when a SWMR writer holds
them (with capped retries, so a damaged file fails fast): a file being written can be checked,
and every file stays byte-identical. Hostile files are bounded (link cycles, huge groups and
values, configuration bombs; see docs/validation.md). Dataset payloads are never read
beyond scalars and short strings.

Settings can live in pyproject.toml, [tool.nxschema] (definitions, external, fail-on, include,
exclude, severity), found by walking up from the current folder; options given here win.

""" + CONTRACT

EPILOG = """\
examples:
  nxschema validate scan.h5
  nxschema validate archive/ --format jsonl > report.jsonl      one line per file, as each ends
  nxschema validate archive/ --fail-on warning --format sarif > nxschema.sarif
  nxschema validate --severity extra-member=off --severity missing-recommended=error *.h5
  nxschema validate --defs ../shared/nxdl scan.h5          official NXDL, no conversion step
  nxschema validate --definition NXesrf_raw scan.h5        force the ESRF raw-data layout
  nxschema validate --dask tcp://scheduler:8786 /data/visitor/ma1234/
"""


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of processes, at "
                                         "least 1")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a positive number of seconds")
    return value


def _severity(text: str) -> str:
    if "=" in text or text in SEVERITIES:
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: give error, warning or info (what to show), or "
                                     "CODE=LEVEL (an override)")


def register(sub) -> None:
    parser = sub.add_parser("validate", help="validate NeXus/HDF5 files", description=DESCRIPTION,
                            epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="HDF5 files, and folders to search recursively")
    parser.add_argument("--definition", metavar="NAME|PATH",
                        help="apply this definition (a key such as NXxas, NXxas@subentry, "
                             "NXesrf_raw, or a definition file) to the whole file")
    parser.add_argument("--defs", action="append", default=[], metavar="DIR|SET",
                        help="extra definition folders or files, YAML (ours or nyaml) or NXDL, "
                             "or an installed set: nexusformat, pynxtools, env "
                             "(NEXUS_DEF_PATH), bundled (repeatable; see 'nxschema definitions "
                             "list'); they override the bundled definitions of the same name")
    add_input_format_option(parser)
    parser.add_argument("--no-bundled", action="store_true",
                        help="use only the --defs definitions")
    parser.add_argument("--strict-definitions", action="store_true",
                        help="refuse NXDL that breaks nxdl.xsd even in small ways (exit 2); "
                             "by default required=\"true\" on a field, optional=\"True\", "
                             "optional on a <link> and the like load as warnings, read as meant "
                             "(see 'nxschema check' and docs/nxdl.md)")
    parser.add_argument("--prefer", choices=("yaml", "nxdl"), default="yaml",
                        help="when a YAML and an NXDL definition in one folder share a name, "
                             "which one wins (default: yaml)")
    # not add_external_option: its default would hide [tool.nxschema] external
    parser.add_argument("--external", choices=EXTERNAL_POLICIES, default=None,
                        help="external links: follow those to files in the linking file's "
                             "folder or below (below, default), any file (follow), or none")
    parser.add_argument("--include", action="append", default=None, metavar="GLOB",
                        help="in folders, take the files whose name matches (repeatable; "
                             "default: " + " ".join(DEFAULT_INCLUDE) + "); a GLOB with a / "
                             "matches the path below the folder")
    parser.add_argument("--exclude", action="append", default=None, metavar="GLOB",
                        help="in folders, skip files and folders whose name matches "
                             "(repeatable)")
    parser.add_argument("--format", choices=("text", "json", "jsonl", "sarif"), default="text",
                        help="text (one line per finding, then a summary; default), json (one "
                             'document: {"files": [...], "summary": {...}}), jsonl (one JSON '
                             "object per file, as each is done, then a summary object) or "
                             "sarif (SARIF 2.1.0, for code-scanning UIs)")
    parser.add_argument("--severity", action="append", default=[], type=_severity,
                        metavar="LEVEL|CODE=LEVEL",
                        help="LEVEL (error, warning, info): show findings this severe and worse "
                             "(default: warning). CODE=LEVEL (repeatable): report CODE at LEVEL "
                             "instead, or drop it with off, e.g. extra-member=off")
    parser.add_argument("--fail-on", choices=SEVERITIES, default=None,
                        help="the lowest severity that makes the exit code 1 (default: error)")
    parser.add_argument("--no-discovery", action="store_true",
                        help="apply no definition by its applies_when (e.g. NXesrf_raw to "
                             "Bliss files): only by name, @layout and definition fields")
    parser.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                        help="worker processes (default: one per core); with fewer files than "
                             "workers, a file with at least 200 root links is split between "
                             "them")
    parser.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                        help="per file (default: 60): a file still running then is stopped, "
                             "gets a `timeout` finding, and the run goes on")
    parser.add_argument("--sort", action="store_true",
                        help="print files in the order given and found (default: as each ends)")
    parser.add_argument("--dask", metavar="tcp://HOST:PORT|local",
                        help="run each file as a task on this Dask scheduler, or on a local "
                             "cluster of --jobs workers (pip install 'nxschema[dask]'); the "
                             "workers must see the files under the same paths")
    parser.add_argument("--quiet", "-q", action="store_true",
                        help="no progress bar (there is none when stderr is not a terminal)")
    parser.set_defaults(run=run)


@contextlib.contextmanager
def _no_interrupt():
    """Hold Ctrl-C (delivered when the block ends) where POSIX allows it."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _usage(message: str) -> int:
    print(f"nxschema validate: {message}", file=sys.stderr)
    return USAGE


def run(args) -> int:
    # imported here: h5py and numpy are slow to import, and `nxschema --help` lists this command
    from nxschema._cli.output import REPORTERS, Progress, Summary, definitions_header
    from nxschema._cli.project import find_project
    from nxschema._definitions.catalog import load
    from nxschema._definitions.nxdl_reader import LENIENT_CODES
    from nxschema._validate.batch import Batch, parse_overrides
    from nxschema.errors import DefinitionError, NxschemaError

    show = next((s for s in reversed(args.severity) if "=" not in s), "warning")
    try:
        project = find_project()
        overrides = {**project.severity,
                     **parse_overrides(s for s in args.severity if "=" in s)}
    except NxschemaError as exc:
        return _usage(str(exc))
    fail_on = args.fail_on or project.fail_on or "error"
    try:
        catalog = load(*project.definitions, *args.defs, bundled=not args.no_bundled,
                       prefer=args.prefer, strict_definitions=args.strict_definitions,
                       input_format=args.input_format)
    except DefinitionError as exc:
        for finding in exc.findings:
            print(finding, file=sys.stderr)
        return _usage("the definitions have errors (run 'nxschema check' on them)")
    print(definitions_header(catalog.sources), file=sys.stderr)  # which sets, which versions
    lenient = sum(f.code in LENIENT_CODES for f in catalog.findings)
    if lenient:  # said once, not per finding: the findings of the files come next
        print(f"nxschema: {lenient} NXDL deviation{'s' if lenient != 1 else ''} from nxdl.xsd "
              "read leniently (run 'nxschema check' on the definitions to see them; "
              "--strict-definitions refuses them)", file=sys.stderr)
    try:
        batch = Batch(args.paths, definitions=catalog, definition=args.definition,
                      external=args.external or project.external or "below", jobs=args.jobs,
                      client=args.dask, include=args.include or project.include or
                      DEFAULT_INCLUDE, exclude=(args.exclude or []) + project.exclude,
                      timeout=args.timeout, sort=args.sort, severity=overrides,
                      discovery=not args.no_discovery)
    except NxschemaError as exc:
        return _usage(str(exc))
    if not batch.files:
        return _usage("no files to validate in " + ", ".join(args.paths) + " (--include: "
                      + " ".join(args.include or project.include or DEFAULT_INCLUDE) + ")")
    reporter = REPORTERS[args.format](sys.stdout, show, fail_on)
    summary = Summary(batch.total, fail_on)
    progress = Progress(batch.total, enabled=not args.quiet)
    try:
        for report in batch:  # each names its definitions (json, jsonl, sarif; text: info)
            with _no_interrupt():  # a report is printed and counted, or neither
                progress.clear()
                reporter.file(report)
                summary.add(report, reporter.shown(report))
            progress.draw(summary.checked)
    except KeyboardInterrupt:
        summary.interrupted = True
    except NxschemaError as exc:  # the workers could not run (or see the files)
        progress.clear()
        batch.close()
        return _usage(str(exc))
    finally:
        batch.close()
    progress.clear()
    reporter.finish(summary)
    return INTERRUPTED if summary.interrupted else summary.exit_code()
