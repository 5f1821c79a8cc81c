"""Lists of files kept in a dataset (``refers_to: files``): their values as paths.

ESRF raw data and other acquisition programs keep, next to the data, the names of the files a
detector wrote. A definition says so with ``refers_to: files`` on the field; this module turns
such a value into paths, the one way both the validator (which checks that they exist) and the
runtime views (which hand them to programs) read it. Relative names are taken from the folder of
the HDF5 file that holds the dataset, as HDF5 does for an external link's file.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

__all__ = ["listed_names", "listed_paths"]


def listed_names(value: object) -> list[str]:
    """The file names in a dataset's value, in order: a text, bytes, or an array or (nested)
    list of them; empty names are skipped (an unused slot of a fixed-size list)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, os.PathLike)):
        items: list[object] = [value]
    else:
        try:
            items = list(np.asarray(value, dtype=object).ravel())
        except (TypeError, ValueError):  # not a value this module can read: no names
            return []
    names = []
    for item in items:
        if isinstance(item, bytes):
            item = item.decode("utf-8", "surrogateescape")
        if isinstance(item, os.PathLike):
            item = os.fspath(item)
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
    return names


def listed_paths(value: object, holding_file: str | os.PathLike[str]) -> list[Path]:
    """The files listed in ``value`` as absolute paths, relative names resolved against the
    folder of ``holding_file`` (the HDF5 file that holds the dataset). Nothing is opened or
    checked here: see the validator for existence and the external-link policy."""
    base = Path(os.path.abspath(os.fspath(holding_file))).parent
    return [Path(os.path.normpath(base / name)) for name in listed_names(value)]
