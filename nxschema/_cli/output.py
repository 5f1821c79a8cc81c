"""Printing findings as text or as the JSON shape shared by every command."""

from __future__ import annotations

import json
import sys

from nxschema._findings import SEVERITIES


def add_format_options(parser, *, default_severity: str) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (one line per finding, default) or json "
                             '({"files": [{"file", "ok", "findings": [...]}]})')
    parser.add_argument("--severity", choices=SEVERITIES, default=default_severity,
                        help=f"show findings of this severity and worse (default: "
                             f"{default_severity})")


# The policies of nxschema._h5.access.EXTERNAL_POLICIES (a test keeps the two equal), spelled out
# here so that building the parser does not import h5py.
EXTERNAL_POLICIES = ("below", "follow", "never")


def add_external_option(parser) -> None:
    """``--external {below,follow,never}``: the one external-link policy option (validate,
    icat extract)."""
    parser.add_argument("--external", choices=EXTERNAL_POLICIES, default="below",
                        help="external links: follow those to files in the linking file's "
                             "folder or below (below, default), any file (follow), or none")


def emit(results: dict, *, fmt: str, severity: str, fail_on: str, stream=None) -> int:
    """Print {file: findings}; return 0, or 1 if any finding is at least ``fail_on``."""
    stream = stream or sys.stdout
    failed = False
    report = []
    for file, findings in results.items():
        shown = [f for f in findings if f.at_least(severity)]
        bad = any(f.at_least(fail_on) for f in findings)
        failed |= bad
        report.append({"file": file, "ok": not bad,
                       "findings": [f.as_dict() for f in shown]})
        if fmt == "text":
            for finding in shown:
                print(finding, file=stream)
    if fmt == "json":
        json.dump({"files": report}, stream, indent=1)
        stream.write("\n")
    else:
        counts = {s: sum(1 for fs in results.values() for f in fs if f.severity == s)
                  for s in SEVERITIES}
        summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        print(f"{len(results)} file{'s' if len(results) != 1 else ''} checked: "
              f"{summary or 'no findings'}", file=sys.stderr)
    return 1 if failed else 0
