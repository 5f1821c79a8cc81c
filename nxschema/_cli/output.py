"""Printing findings: text or the JSON shape shared by every command (``emit``), and the
streaming reporters of ``validate`` (text, json, jsonl, sarif), its summary and progress bar."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter

from nxschema._cli.exitcodes import CLEAN, FINDINGS, INTERRUPTED, USAGE
from nxschema._findings import SEVERITIES


def add_format_options(parser, *, default_severity: str) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (one line per finding, default; the definitions used "
                             "head the summary on stderr) or json "
                             '({"definitions": [{"name", "path", "version", "count"}], '
                             '"files": [{"file", "ok", "findings": [...]}]})')
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


def add_input_format_option(parser) -> None:
    parser.add_argument("--input-format", choices=("auto", "nxschema", "nyaml"), default="auto",
                        help="how to read *.yaml definitions: nxschema's language or nyaml "
                             "(FAIRmat's form); auto (default) tells them apart by content")


def definitions_header(sources) -> str:
    """The report header line naming the definition sets used and their versions."""
    return "definitions: " + ("; ".join(map(str, sources)) or "none")


def emit(results: dict, *, fmt: str, severity: str, fail_on: str, stream=None,
         definitions=None) -> int:
    """Print {file: findings}; return 0, or 1 if any finding is at least ``fail_on``.

    ``definitions`` (SetInfo list, from ``Catalog.sources``) heads the report: a line on stderr
    in text, a ``definitions`` list in JSON.
    """
    stream = stream or sys.stdout
    if definitions is not None and fmt == "text":
        print(definitions_header(definitions), file=sys.stderr)
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
        head = {} if definitions is None else {"definitions": [d.as_dict() for d in definitions]}
        json.dump({**head, "files": report}, stream, indent=1)
        stream.write("\n")
    else:
        counts = {s: sum(1 for fs in results.values() for f in fs if f.severity == s)
                  for s in SEVERITIES}
        summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items() if n)
        print(f"{len(results)} file{'s' if len(results) != 1 else ''} checked: "
              f"{summary or 'no findings'}", file=sys.stderr)
    return 1 if failed else 0


# --- streaming output of `validate`: one report at a time, a summary at the end ----------------


class Summary:
    """What the run found, file by file: the counts of the final summary and the exit code."""

    def __init__(self, total: int, fail_on: str) -> None:
        self.total, self.fail_on = total, fail_on
        self.checked = self.clean = self.with_errors = self.warnings_only = 0
        self.failed = 0  # files with a finding at or above fail_on
        self.unreadable: list[str] = []
        self.usage: list[str] = []
        self.codes: Counter = Counter()
        self.severities: Counter = Counter()
        self.interrupted = False

    def add(self, report, shown: list) -> None:
        from nxschema._validate.batch import NOT_CHECKED, USAGE as USAGE_CODES

        self.checked += 1
        findings = report.findings
        self.codes.update(f.code for f in shown)  # as shown: the summary counts what is listed
        self.severities.update(f.severity for f in shown)
        if any(f.code in USAGE_CODES for f in findings):
            self.usage.append(report.file)
        if any(f.code in NOT_CHECKED for f in findings):
            self.unreadable.append(report.file)
        elif any(f.severity == "error" for f in findings):
            self.with_errors += 1
        elif any(f.severity == "warning" for f in findings):
            self.warnings_only += 1
        else:
            self.clean += 1
        if any(f.at_least(self.fail_on) for f in findings):
            self.failed += 1

    def exit_code(self) -> int:
        if self.interrupted:
            return INTERRUPTED
        if self.unreadable or self.usage:
            return USAGE
        return FINDINGS if self.failed else CLEAN

    def as_dict(self) -> dict:
        return {"files": self.total, "checked": self.checked, "clean": self.clean,
                "with_errors": self.with_errors, "warnings_only": self.warnings_only,
                "unreadable": len(self.unreadable), "unreadable_files": self.unreadable,
                "fail_on": self.fail_on, "failed": self.failed,
                "codes": dict(self.codes.most_common(10)), "interrupted": self.interrupted,
                "exit_code": self.exit_code()}

    def lines(self) -> list[str]:
        """The text summary: one line for a plain run (README's `1 file checked: no findings`),
        more when there is more to say."""
        lines = []
        if self.interrupted:
            lines.append(f"interrupted after {self.checked} of {self.total} files")
        counts = ", ".join(f"{n} {s}{'s' if n != 1 else ''}"
                           for s in SEVERITIES if (n := self.severities[s]))
        lines.append(f"{_n(self.checked, 'file')} checked: {counts or 'no findings'}")
        if self.checked > 1 or self.unreadable:
            lines.append(f"  {self.clean} clean, {self.with_errors} with errors, "
                         f"{self.warnings_only} with warnings only, "
                         f"{len(self.unreadable)} unreadable")
        if self.codes and self.checked > 1:
            lines.append("  most frequent: " + ", ".join(
                f"{code} ({n})" for code, n in self.codes.most_common(5)))
        if self.unreadable:
            shown = ", ".join(self.unreadable[:5])
            more = f" and {len(self.unreadable) - 5} more" if len(self.unreadable) > 5 else ""
            lines.append(f"  exit 2: not checked (unreadable, timed out or crashed): "
                         f"{shown}{more}")
        elif self.usage:
            lines.append("  exit 2: a definition asked for is not loaded (see above)")
        return lines


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def file_dict(report, severity: str, fail_on: str) -> dict:
    """One file as JSON: the report's own dict (a header it may carry comes along), with ``ok``
    meaning no finding at or above ``fail_on``."""
    item = report.as_dict(severity)
    item["ok"] = not any(f.at_least(fail_on) for f in report.findings)
    name, header = _header(report)
    if header and name not in item:
        item[name] = header
    return item


HEADERS = ("definitions", "header")


def _header(report) -> tuple[str, dict | None]:
    for name in HEADERS:
        value = getattr(report, name, None)
        if isinstance(value, dict) and value:
            return name, value
    return "", None


def header_of(report) -> dict | None:
    """A header the report may carry (e.g. which definition set and version were used), or
    None: printed with each file (text: with --severity info; json, jsonl: as a key)."""
    return _header(report)[1]


class Reporter:
    """Prints each report as it comes (``file``), then the summary (``finish``)."""

    def __init__(self, stream, severity: str, fail_on: str) -> None:
        self.stream, self.severity, self.fail_on = stream, severity, fail_on

    def shown(self, report) -> list:
        return [f for f in report.findings if f.at_least(self.severity)]

    def file(self, report) -> None:
        raise NotImplementedError

    def finish(self, summary: Summary) -> None:
        raise NotImplementedError


class TextReporter(Reporter):
    def file(self, report) -> None:
        header = header_of(report) if self.severity == "info" else None
        if header:
            print(f"{report.file}: " + ", ".join(f"{k}={v}" for k, v in header.items()),
                  file=self.stream)
        for finding in self.shown(report):
            print(finding, file=self.stream)
        self.stream.flush()

    def finish(self, summary: Summary) -> None:
        for line in summary.lines():
            print(line, file=self.stream)
        self.stream.flush()


class JsonlReporter(Reporter):
    def file(self, report) -> None:
        self.stream.write(json.dumps(file_dict(report, self.severity, self.fail_on)) + "\n")
        self.stream.flush()

    def finish(self, summary: Summary) -> None:
        self.stream.write(json.dumps({"summary": summary.as_dict()}) + "\n")
        self.stream.flush()


class JsonReporter(Reporter):
    """One document, ``{"files": [...], "summary": {...}}``, still written file by file."""

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.count = 0

    def file(self, report) -> None:
        self.stream.write('{"files": [\n' if self.count == 0 else ",\n")
        self.stream.write(json.dumps(file_dict(report, self.severity, self.fail_on), indent=1))
        self.stream.flush()
        self.count += 1

    def finish(self, summary: Summary) -> None:
        self.stream.write('{"files": [' if self.count == 0 else "\n")
        self.stream.write('], "summary": ' + json.dumps(summary.as_dict(), indent=1) + "}\n")
        self.stream.flush()


class SarifReporter(Reporter):
    """SARIF 2.1.0 (code-scanning UIs): one run, a rule per code seen, a result per finding
    shown, located by the file (artifactLocation) and the HDF5 path (logicalLocations)."""

    LEVELS = {"error": "error", "warning": "warning", "info": "note"}

    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.results: list[dict] = []
        self.rules: dict[str, int] = {}
        self.headers: dict[str, dict] = {}  # e.g. the definition sets: one run, named once

    def file(self, report) -> None:
        name, header = _header(report)
        if header:
            self.headers.setdefault(name, header)
        for finding in self.shown(report):
            if finding.code not in self.rules:
                self.rules[finding.code] = len(self.rules)
            location: dict = {"physicalLocation": {"artifactLocation": {
                "uri": _uri(finding.file or report.file)}}}
            if finding.path:
                location["logicalLocations"] = [{"fullyQualifiedName": finding.path,
                                                 "kind": "object"}]
            result = {"ruleId": finding.code, "ruleIndex": self.rules[finding.code],
                      "level": self.LEVELS[finding.severity],
                      "message": {"text": finding.message}, "locations": [location]}
            if finding.definition:
                result["properties"] = {"definition": finding.definition,
                                        "source": finding.source}
            self.results.append(result)

    def finish(self, summary: Summary) -> None:
        from nxschema import __version__
        from nxschema._codes import all_codes

        codes = all_codes()
        rules = []
        for code in self.rules:  # in ruleIndex order
            entry = codes.get(code)
            rule = {"id": code, "shortDescription": {"text": entry.summary if entry else code}}
            if entry:
                rule["defaultConfiguration"] = {"level": self.LEVELS[entry.severity]}
            rules.append(rule)
        run = {
            "tool": {"driver": {"name": "nxschema", "version": __version__, "rules": rules}},
            "results": self.results,
            "invocations": [{"executionSuccessful": summary.exit_code() in (0, 1),
                             "exitCode": summary.exit_code(),
                             "properties": {"summary": summary.as_dict()}}],
        }
        if self.headers:  # a property bag of the run: {"definitions": {set: version}}
            run["properties"] = dict(self.headers)
        document = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [run],
        }
        json.dump(document, self.stream, indent=1)
        self.stream.write("\n")
        self.stream.flush()


def _uri(path: str) -> str:
    from pathlib import Path
    from urllib.parse import quote

    if os.path.isabs(path):
        return Path(path).as_uri()
    return quote(Path(path).as_posix())


REPORTERS = {"text": TextReporter, "json": JsonReporter, "jsonl": JsonlReporter,
             "sarif": SarifReporter}


class Progress:
    """A one-line progress bar on stderr, drawn only on a terminal; at most 10 redraws a second.
    Each file's own output clears it first, so the two never mix on the screen."""

    def __init__(self, total: int, enabled: bool, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.enabled = total, enabled and self.stream.isatty() and total > 1
        self.start = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def draw(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and done < self.total:
            return
        self.last = now
        width = 30
        filled = width * done // max(self.total, 1)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{self.total} "
                          f"files, {now - self.start:.0f} s")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.drawn = False
