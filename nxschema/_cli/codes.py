"""nxschema codes: the catalog of finding codes."""

from __future__ import annotations

import argparse
import json

from nxschema._codes import all_codes, markdown


def register(sub) -> None:
    parser = sub.add_parser(
        "codes", help="list every finding code and what triggers it",
        description="List the stable finding codes of `nxschema check` and `nxschema validate`, "
                    "with their severity, what triggers them and an example.",
        epilog="example:\n  nxschema codes --format markdown > docs/findings.md",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    parser.set_defaults(run=run)


def run(args) -> int:
    codes = sorted(all_codes().values())
    if args.format == "markdown":
        print(markdown())
    elif args.format == "json":
        print(json.dumps([{"code": c.code, "severity": c.severity, "area": c.area,
                           "summary": c.summary, "example": c.example, "module": c.module}
                          for c in codes], indent=1))
    else:
        for c in codes:
            print(f"{c.code:28} {c.severity:8} {c.area:10} {c.summary}")
    return 0
