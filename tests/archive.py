"""A folder tree of small NeXus files, as a proposal's data looks: some in subfolders, a few
broken on purpose, a few not HDF5 at all. Used by the batch tests and benchmarks/bench_archive.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import h5py

from h5files import write_xas_file


def write_archive(root, n: int = 1000, broken: int = 10, unreadable: int = 2) -> dict:
    """``n`` files under ``root`` (a third in ``sample_a/``, a third in ``sample_b/scans/``):
    ``broken`` of them with an NX_class typo (an error), ``unreadable`` of them not HDF5 (a
    text file and a truncated one). Returns {"good", "broken", "unreadable"}: lists of paths."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    template = root / ".template.h5x"  # not matched by the default --include
    write_xas_file(template, n_entries=1, n_points=10)
    folders = [root, root / "sample_a", root / "sample_b" / "scans"]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, list[str]] = {"good": [], "broken": [], "unreadable": []}
    step = max(1, n // max(1, broken + unreadable))
    special = {i * step: ("broken" if i < broken else "unreadable")
               for i in range(broken + unreadable)}
    for i in range(n):
        path = folders[i % 3] / f"scan_{i:05d}.h5"
        kind = special.get(i, "good")
        if kind == "unreadable":
            if len(kinds["unreadable"]) % 2 == 0:
                path.write_text("not an HDF5 file\n")
            else:
                path.write_bytes(template.read_bytes()[:2000])  # truncated
        else:
            shutil.copyfile(template, path)
            if kind == "broken":
                with h5py.File(path, "r+") as f:
                    f["1.1/instrument/monochromator"].attrs["NX_class"] = "NXmonochromatr"
        kinds[kind].append(str(path))
    template.unlink()
    return kinds
