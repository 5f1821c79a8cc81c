"""``[tool.nxschema]`` in pyproject.toml: a project's validation settings, as ruff finds its own.

The nearest ``pyproject.toml`` that has a ``[tool.nxschema]`` table, walking up from the current
folder, is used (one without the table is passed over). Paths in it are relative to its folder.
Command-line options win over it; ``--severity CODE=LEVEL`` adds to its ``severity`` table.

    [tool.nxschema]
    definitions = ["definitions/"]        # extra definition folders (like --defs)
    external = "never"                    # external-link policy (like --external)
    fail-on = "warning"                   # like --fail-on
    include = ["*.h5", "*.nxs"]           # like --include / --exclude
    exclude = ["scratch/"]
    severity = { extra-member = "off", missing-recommended = "error" }
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from nxschema.errors import ArgumentError

KEYS = ("definitions", "external", "fail-on", "include", "exclude", "severity")


@dataclass
class Project:
    """The settings read, and the file they came from (None: no table found)."""

    path: Path | None = None
    definitions: list[str] = field(default_factory=list)
    external: str | None = None
    fail_on: str | None = None
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)


def _toml():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            return None
    return tomllib


def find_project(start: str | os.PathLike | None = None) -> Project:
    """The ``[tool.nxschema]`` settings that apply in ``start`` (default: the current folder)."""
    folder = Path(start or os.getcwd()).resolve()
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if not pyproject.is_file():
            continue
        text = pyproject.read_text(encoding="utf-8", errors="replace")
        if not _may_have_table(text):
            continue
        toml = _toml()
        if toml is None:
            raise ArgumentError(f"{pyproject}: reading [tool.nxschema] needs Python 3.11 or "
                                "the tomli package")
        try:
            table = toml.loads(text).get("tool", {}).get("nxschema")
        except toml.TOMLDecodeError as exc:
            raise ArgumentError(f"{pyproject}: {exc}") from None
        if table is None:
            continue
        return _project(pyproject, table)
    return Project()


def _may_have_table(text: str) -> bool:
    """Whether ``text`` may hold a ``[tool.nxschema]`` table: its header (or a dotted
    ``tool.nxschema`` key), or an ``nxschema`` key in a ``[tool]`` table. Most pyproject.toml
    files have neither and are not worth parsing (importing tomllib and parsing cost more than
    the rest of reading the settings): nxschema's own, say, names ``nxschema`` only in
    ``[project.scripts]``."""
    if "tool.nxschema" in text:
        return True
    table = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            table = line.lstrip("[").split("]", 1)[0].strip()
        elif table == "tool" and line.startswith("nxschema"):
            return True
    return False


def _strings(pyproject, key, value) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ArgumentError(f"{pyproject}: [tool.nxschema] {key} must be a list of strings")
    return value


def _project(pyproject: Path, table) -> Project:
    if not isinstance(table, dict):
        raise ArgumentError(f"{pyproject}: [tool.nxschema] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ArgumentError(f"{pyproject}: [tool.nxschema] has no key {unknown[0]!r} "
                            f"(known: {', '.join(KEYS)})")
    project = Project(path=pyproject)
    root = pyproject.parent
    project.definitions = [str(root / p) for p in
                           _strings(pyproject, "definitions", table.get("definitions", []))]
    project.include = _strings(pyproject, "include", table.get("include", []))
    project.exclude = _strings(pyproject, "exclude", table.get("exclude", []))
    for key, choices in (("external", ("below", "follow", "never")),
                         ("fail-on", ("error", "warning", "info"))):
        value = table.get(key)
        if value is not None and value not in choices:
            raise ArgumentError(f"{pyproject}: [tool.nxschema] {key} must be one of "
                                f"{', '.join(choices)}, not {value!r}")
        setattr(project, key.replace("-", "_"), value)
    severity = table.get("severity", {})
    if not isinstance(severity, dict) or not all(isinstance(v, str) for v in severity.values()):
        raise ArgumentError(f"{pyproject}: [tool.nxschema] severity must be a table of "
                            "code = level")
    from nxschema._validate.batch import parse_overrides

    try:
        project.severity = parse_overrides(f"{k}={v}" for k, v in severity.items())
    except ArgumentError as exc:
        raise ArgumentError(f"{pyproject}: [tool.nxschema] severity: {exc}") from None
    return project
