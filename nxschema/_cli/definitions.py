"""nxschema definitions: the definition sets available on this machine."""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = """\
List the named definition sets that --defs NAME takes (validate, bind, docs, icat,
skeleton, codegen, personal; docs takes them as DEFS):

  bundled       nxschema's own definitions (ESRF forms, NXxas)
  nexusformat   the NIAC NXDL that an installed nexusformat package ships
  pynxtools     the FAIRmat NXDL that an installed pynxtools package ships
  env           the folder in NEXUS_DEF_PATH

with the version of each (nexus-version.txt, NXDL_VERSION, 'git describe' of a git checkout,
else the version of the package that ships it), how many definitions it holds and where.
Sets that are not installed are not listed.

exit codes: 0 listed, 2 usage error.
"""


def register(sub) -> None:
    parser = sub.add_parser("definitions", help="list the definition sets installed here",
                            description=DESCRIPTION,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = what.add_parser("list", help="the sets available on this machine",
                              description="The definition sets --defs NAME finds here, each "
                                          "with its version, number of definitions and folder.")
    listing.add_argument("--format", choices=("text", "json"), default="text",
                         help="text (one set per line: name, version, count, folder; default) "
                              'or json ({"sets": [{"name", "path", "version", "count"}]}; '
                              "version is null when unknown)")
    listing.set_defaults(run=run)
    parser.set_defaults(run=lambda args: parser.print_help() or 2)


def run(args) -> int:
    from nxschema._definitions.sets import available

    found = available()
    if args.format == "json":
        json.dump({"sets": [s.as_dict() for s in found]}, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    width = max((len(s.name) for s in found), default=0)
    versions = [s.version or "version unknown" for s in found]
    vwidth = max(map(len, versions), default=0)
    for info, version in zip(found, versions):
        print(f"{info.name:<{width}}  {version:<{vwidth}}  {info.count:>4} definitions  "
              f"{info.path}")
    return 0
