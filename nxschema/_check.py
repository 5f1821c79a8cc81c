"""Linting definition files: syntax (meta-schema), then meaning (the definition lint rules plus
the ICAT mapping rules, which live with the ICAT face)."""

from __future__ import annotations

import os
from pathlib import Path

from nxschema._definitions.catalog import (Catalog, bundled_definitions_dir, definition_files,
                                           path_problem, read_file)
from nxschema._findings import Finding, error
from nxschema._definitions.lint import RULES, lint
from nxschema._definitions.profiles import apply as apply_profile
from nxschema._icat.lint import ICAT_RULES


def check(*paths: str | os.PathLike[str], bundled: bool = True, profile: str = "default",
          input_format: str = "auto") -> dict[str, list[Finding]]:
    """Check definition files and folders: syntax, meta-schema, meaning, ICAT mapping.

    Args:
        paths: YAML (``.yaml``) and NXDL (``.nxdl.xml``) files, or folders of them.
        bundled: load the bundled definitions as context (so a file may extend NXentry or name
            NXmonochromator); the files being checked take precedence.
        profile: ``default``, ``niac`` or ``strict``: which findings are warnings
            (:mod:`nxschema._definitions.profiles`, docs/profiles.md).
        input_format: how ``*.yaml`` files are read: ``auto`` (by content), ``nxschema``,
            ``nyaml``.

    Returns:
        ``{file: findings}``, one item per file read (an empty list when it is clean); a path
        that is missing or holds no definition files gets an ``io`` finding.

    Never raises for bad input: every problem is a finding.
    """
    files: list[Path] = []
    results: dict[str, list[Finding]] = {}
    for path in map(Path, paths):
        problem = path_problem(path)
        if problem:  # missing, or a FIFO, device or socket: never opened, exit 2
            results[str(path)] = [error("io", problem, file=str(path))]
            continue
        found = definition_files(path)
        if path.is_dir() and not found:
            results[str(path)] = [error("io", "no definition files (*.yaml, *.nxdl.xml) here",
                                        file=str(path))]
        files += found
    checked = {f.resolve() for f in files}
    catalog = Catalog()
    if bundled:
        for context in definition_files(bundled_definitions_dir()):
            if context.resolve() not in checked:
                definition, _ = read_file(context)
                if definition is not None:
                    catalog.add(definition, layer=0)
    definitions = []
    for file in files:
        definition, findings = read_file(file, input_format)
        results[str(file)] = findings
        if definition is not None:
            catalog.add(definition, layer=1, is_yaml=not file.name.endswith(".nxdl.xml"))
            definitions.append((str(file), definition))
    for finding in catalog.findings:
        results.setdefault(finding.file, []).append(finding)
    for file, definition in definitions:
        results[file] += lint(definition, catalog, RULES + ICAT_RULES)
    for name, findings in results.items():
        results[name] = sorted(apply_profile(findings, profile),
                               key=lambda f: (f.line, f.col, f.code))
    return results
