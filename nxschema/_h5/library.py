"""Where h5py's own HDF5 library is: found among the libraries loaded in the process."""

from __future__ import annotations

import ctypes.util
import glob
import os

import h5py


def _loaded_libraries():
    """Paths of the HDF5 libraries that could be h5py's, most likely first. A generator: the
    system search (``find_library`` runs ``ldconfig``, 50 ms) only happens when the libraries
    already loaded did not do."""
    found = []
    try:
        with open("/proc/self/maps") as maps:  # Linux: exactly what is loaded
            for line in maps:
                path = line.rsplit(None, 1)[-1]
                name = os.path.basename(path)
                if name.startswith("libhdf5") and not name.startswith("libhdf5_") and \
                        path not in found:
                    found.append(path)
    except OSError:
        pass
    here = os.path.dirname(h5py.__file__)
    for pattern in ("../h5py.libs/libhdf5-*", ".dylibs/libhdf5*.dylib", "hdf5.dll",
                    "../h5py.libs/hdf5*.dll"):
        found += [p for p in glob.glob(os.path.join(here, pattern)) if "_hl" not in p]
    yield from found
    system = ctypes.util.find_library("hdf5")
    if system:
        yield system
