"""nxschema docs: render a browsable reference of any set of definitions."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from nxschema._cli.output import add_input_format_option

DESCRIPTION = """\
Render a reference of definitions (YAML or NXDL files, or folders of them): an index grouped
by category with a one-line summary each, one page per definition (inheritance chain,
collapsible layout tree, table of members with types, units, dimensions, occurrences,
enumerations and docs, personal-data markers, an example h5py skeleton) and the findings
catalog.

--format html (default) writes a static site with a search box that works offline (open
SITE/index.html, or serve the folder); --format markdown writes the same pages as Markdown for
GitHub, wikis and MkDocs.

Templates (Jinja2) can be replaced one by one: a file in --templates DIR with the name of one
of ours (definition.html.j2, group.html.j2, field.html.j2, attribute.html.j2, link.html.j2,
choice.html.j2, row.html.j2, index.html.j2, findings.html.j2, layout.html.j2, or the .md.j2
ones; nxschema.css and nxschema.js for the HTML site's assets) is used instead of ours. Ours
are in nxschema/_docs/templates/.

Definitions with errors are reported (file:line:col) and left out; the rest is rendered.
The output is deterministic (sorted, no timestamps): a folder of generated pages can be
committed and compared. Files a previous build wrote and this one does not are removed.

examples:
  nxschema docs ../nxdl -o site/                      the official definitions, as HTML
  nxschema docs definitions/ --no-bundled --format markdown -o docs/reference
  nxschema docs my_defs/ -o site/ --templates my_templates/

exit codes: 0 done, 1 done but some definitions had errors, 2 usage or I/O error.
"""


def register(sub) -> None:
    parser = sub.add_parser("docs", help="render HTML or Markdown documentation of definitions",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", metavar="DEFS",
                        help="definition files (*.yaml: ours or nyaml, *.nxdl.xml) or folders "
                             "of them, or an installed set: nexusformat, pynxtools, env "
                             "('nxschema definitions list')")
    parser.add_argument("-o", "--output", required=True, metavar="SITE",
                        help="folder to write the pages to (created if missing)")
    parser.add_argument("--format", choices=("html", "markdown"), default="html",
                        help="html (default): a static site; markdown: pages for GitHub/MkDocs")
    parser.add_argument("--templates", metavar="DIR",
                        help="folder of templates that replace ours by file name")
    parser.add_argument("--no-bundled", action="store_true",
                        help="document only DEFS, not also the definitions shipped with nxschema")
    parser.add_argument("--prefer", choices=("yaml", "nxdl"), default="yaml",
                        help="when one folder has a YAML and an NXDL file for the same "
                             "definition, use this one (default: yaml)")
    add_input_format_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from nxschema._definitions.catalog import load, path_problem
    from nxschema._docs import DocsError, build_docs

    started = time.perf_counter()
    from nxschema._definitions.sets import NAMES

    # a set name (nexusformat, ...) is no path: load() resolves it
    problems = [(path, path_problem(path)) for path in args.paths if path not in NAMES]
    if any(problem for _, problem in problems):  # missing, or a FIFO, device or socket
        for path, problem in problems:
            if problem:
                print(f"{path}: error[io]: {problem}", file=sys.stderr)
        return 2
    if args.templates is not None and not Path(args.templates).is_dir():
        print(f"{args.templates}: error[io]: --templates needs a folder", file=sys.stderr)
        return 2
    catalog = load(*args.paths, bundled=not args.no_bundled, prefer=args.prefer, strict=False,
                   input_format=args.input_format)
    for finding in sorted(catalog.findings, key=lambda f: (f.file, f.line, f.col, f.code)):
        print(finding, file=sys.stderr)
    try:
        written = build_docs(catalog, args.output, fmt=args.format, templates=args.templates)
    except DocsError as exc:
        print(f"nxschema docs: {exc}", file=sys.stderr)
        return 2
    errors = sum(1 for f in catalog.findings if f.severity == "error")
    note = f"; {errors} error{'s' if errors != 1 else ''} in definitions" if errors else ""
    print(f"{len(catalog)} definitions, {len(written)} files written to {args.output} "
          f"in {time.perf_counter() - started:.1f} s{note}", file=sys.stderr)
    return 1 if errors else 0
