"""Named definition sets: the definitions that nxschema and other installed packages ship.

``--defs NAME`` takes, besides a folder or file, one of these names:

* ``bundled``: nxschema's own definitions (ESRF forms, NXxas);
* ``nexusformat``: the NIAC NXDL that the ``nexusformat`` package ships (``nexusformat/definitions``);
* ``pynxtools``: the FAIRmat NXDL that ``pynxtools`` ships (``pynxtools/definitions``);
* ``env``: the folder in ``NEXUS_DEF_PATH`` (the variable pynxtools reads too).

Each set's version is, in this order: the FAIRmat ``nexus-version.txt`` next to pynxtools'
folder (a ``git describe`` of the fork), the ``NXDL_VERSION`` file of the folder or of the one
above it (``base_classes/`` of a checkout), ``git describe`` when the folder is in a git
checkout, else the version of the package that ships it. Packages
are found with ``importlib.util.find_spec``, never imported: nexusformat and pynxtools import
slowly, and nothing of theirs is run.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from nxschema._definitions.files import (NXDL_SUFFIX, YAML_SUFFIXES, bundled_definitions_dir,
                                         definition_files)

NAMES = ("bundled", "nexusformat", "pynxtools", "env")


@dataclass(frozen=True)
class SetInfo:
    """Where a set of definitions was read from, and which version of it."""

    name: str
    path: str
    version: str | None
    count: int

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        version = self.version or "version unknown"
        plural = "" if self.count == 1 else "s"
        return f"{self.name} {version} ({self.count} definition{plural}, {self.path})"


def _package_dir(package: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _package_version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def set_path(name: str) -> Path | None:
    """The folder of the named set on this machine, or None when it is not available."""
    if name == "bundled":
        return bundled_definitions_dir()
    if name in ("nexusformat", "pynxtools"):
        where = _package_dir(name)
        folder = where / "definitions" if where else None
        return folder if folder and folder.is_dir() else None
    if name == "env":
        for part in os.environ.get("NEXUS_DEF_PATH", "").split(os.pathsep):
            if part and Path(part).is_dir():
                return Path(part)
    return None


def _git_describe(folder: Path) -> str | None:
    if not any((p / ".git").exists() for p in (folder, *folder.parents)):
        return None
    try:
        done = subprocess.run(["git", "-C", str(folder), "describe", "--tags", "--always",
                               "--dirty"], capture_output=True, text=True, timeout=10,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _first_word(file: Path) -> str | None:
    """The first word of a small version file; None for anything that is not a regular file
    (a FIFO named NXDL_VERSION would block the read for ever) and only its head is read."""
    try:
        if not file.is_file():
            return None
        with open(file, "rb") as handle:
            head = handle.read(256)
    except OSError:
        return None
    words = head.decode("utf-8", "replace").split()
    return words[0] if words else None


def folder_version(folder: Path, package: str | None = None) -> str | None:
    """The version of the definitions in ``folder`` (see the module doc for the order)."""
    candidates = [folder.parent / "nexus-version.txt"] if package == "pynxtools" else []
    # the folder, or the checkout it is part of (base_classes/ beside the root's NXDL_VERSION)
    candidates += [folder / "NXDL_VERSION", folder.parent / "NXDL_VERSION"]
    for file in candidates:
        text = _first_word(file)
        if text:
            return text
    described = _git_describe(folder)
    if described:
        return described
    return _package_version(package) if package else None


def count_definitions(folder: Path) -> int:
    """How many definitions ``folder`` holds: distinct names over its definition files (a
    nyaml file and its NXDL sibling count once)."""
    names = set()
    for file in definition_files(folder):
        name = file.name
        for suffix in (NXDL_SUFFIX, *YAML_SUFFIXES):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        names.add(name)
    return len(names)


def describe(name: str, folder: Path) -> SetInfo:
    package = name if name in ("nexusformat", "pynxtools") else None
    if name == "bundled":  # part of the package: its version is nxschema's
        from nxschema import __version__

        return SetInfo(name, str(folder), f"nxschema {__version__}", count_definitions(folder))
    version = folder_version(folder, package)
    if package and version and _package_version(package):
        version = f"{version} ({package} {_package_version(package)})"
    return SetInfo(name, str(folder), version, count_definitions(folder))


def describe_path(path: Path) -> SetInfo:
    """A user's folder or file described like a named set (its name is its path)."""
    folder = path if path.is_dir() else path.parent
    count = count_definitions(path) if path.is_dir() else 1
    return SetInfo(str(path), str(path), folder_version(folder, None), count)


def describe_paths(paths) -> list[SetInfo]:
    """The paths a command was given, described like sets: each folder as itself, and files
    grouped by their folder (a pre-commit hook passes hundreds of files: one entry, one version
    look-up per folder, counting the files given). Paths that do not exist are left out."""
    out: list[SetInfo] = []
    files: dict[Path, int] = {}
    for path in map(Path, paths):
        if path.is_dir():
            out.append(describe_path(path))
        elif path.exists():
            files[path.parent] = files.get(path.parent, 0) + 1
    return out + [SetInfo(str(folder), str(folder), folder_version(folder, None), count)
                  for folder, count in files.items()]


def available() -> list[SetInfo]:
    """The named definition sets found on this machine, as ``nxschema definitions list`` shows.

    Returns:
        One :class:`SetInfo` (name, folder, version, count of definitions) per set of
        ``bundled``, ``nexusformat``, ``pynxtools``, ``env`` that is available here, in that
        order; a set whose package or folder is missing is left out. The packages are found,
        not imported.

    Raises:
        nxschema.errors.UnreadableFileError: nxschema's own definitions folder is missing
            from the install.
    """
    return [describe(name, folder) for name in NAMES if (folder := set_path(name))]
