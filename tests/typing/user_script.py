"""A user's script, as a new user would write it: mypy --strict must pass on it
(tests/test_public_api.py runs it, and runs the script itself)."""

from __future__ import annotations

import sys
from pathlib import Path

import nxschema
from nxschema.errors import NxschemaError
from nxschema.model import Definition


def errors_in(path: Path, definitions: nxschema.Catalog) -> list[str]:
    report: nxschema.Report = nxschema.validate(path, definitions=definitions)
    lines: list[str] = []
    for finding in report.findings:
        if finding.at_least("error"):
            lines.append(f"{finding.location()}: {finding.code} {finding.message}")
    if not report.ok:
        lines.append(f"{report.file}: {len(report.errors)} errors")
    return lines


def first_warning(path: Path) -> nxschema.Finding | None:
    for finding in nxschema.iter_findings(path, external="never"):
        if finding.severity == "warning":
            return finding
    return None


def main(argv: list[str]) -> int:
    catalog = nxschema.load(*argv[1:2], bundled=True, strict=False)
    definition: Definition = catalog["NXxas"]
    summary = nxschema.write_skeleton(definition.key, argv[0], definitions=catalog,
                                      overwrite=True)
    problems = errors_in(Path(summary.path), catalog)
    warning = first_warning(Path(summary.path))
    checked: dict[str, list[nxschema.Finding]] = nxschema.check(*argv[1:2])
    text: str = nxschema.write_yaml(definition)
    again, findings = nxschema.read_yaml(text, "NXxas.yaml")
    try:
        nxschema.load("/no/such/folder")
    except NxschemaError as exc:
        print(f"refused: {type(exc).__name__}")
    print(len(problems), warning.code if warning else "-", len(checked),
          again == definition, len(findings))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
