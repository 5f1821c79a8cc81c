"""Regenerate docs/examples/esrf_xas.h5, the file the README's Quick start validates.

An ESRF-style raw file: two scans (entries 1.1 and 2.1), each a full NIAC NXxas entry with the
`measurement` collection of links, an NXxas analysis subentry and an NXprocess step.

    python docs/examples/make_example.py
"""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "tests"))

import h5py  # noqa: E402

from h5files import write_xas_file  # noqa: E402

if __name__ == "__main__":
    target = HERE / "esrf_xas.h5"
    write_xas_file(target, n_entries=2, n_points=50)
    with h5py.File(target, "r+") as f:
        f.attrs["layout"] = "NXesrf_raw"
    print(target)
