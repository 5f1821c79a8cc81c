"""Which files are definitions: the suffixes, the folder walk, the bundled folder.

Below both the catalog and the named sets (:mod:`nxschema._definitions.sets`), which count a
folder's definitions the way the catalog lists them; neither imports the other for it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from nxschema.errors import UnreadableFileError

YAML_SUFFIXES = (".yaml", ".yml")
NXDL_SUFFIX = ".nxdl.xml"


def bundled_definitions_dir() -> Path:
    """The folder of the definitions shipped with nxschema.

    Returns:
        ``nxschema/definitions`` inside the wheel, or the repository's ``definitions/``.

    Raises:
        nxschema.errors.UnreadableFileError: the folder is missing from the install.
    """
    here = Path(__file__).resolve().parents[1]  # the nxschema package
    for candidate in (here / "definitions", here.parent / "definitions"):
        if candidate.is_dir():
            return candidate
    raise UnreadableFileError("nxschema's bundled definitions/ folder is missing from the install")


def is_definition_file(path: Path) -> bool:
    return path.name.endswith(NXDL_SUFFIX) or path.suffix in YAML_SUFFIXES


def path_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be a definition argument, or None for a regular file or a folder.

    Asked before anything is opened: a FIFO would block the reader forever, and /dev/zero or a
    socket is no definition either.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file or folder"
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return f"not a regular file or folder (a {_kind(mode)})"


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def definition_files(path: Path) -> list[Path]:
    """``path`` itself if it is not a folder, else every definition file below it, sorted.

    A FIFO or device given as ``path`` is returned as is, so that :func:`read_file` reports it;
    one inside a folder is listed too, and refused there the same way.
    """
    if not path.is_dir():
        return [path] if path.exists() else []
    found = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if is_definition_file(Path(f))]
    return found
