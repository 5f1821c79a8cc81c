"""Builders of realistic NeXus/HDF5 files, shared by the tests and the benchmark.

``write_xas_entry`` writes one full NIAC NXxas entry (9 groups, about 30 datasets and links),
plus an ESRF analysis subentry whose channels are soft links into ``measurement`` and an
ESRF v2 NXprocess. Tests start from these valid files and break them on purpose.
"""

from __future__ import annotations

import json

import h5py
import numpy as np

STR = h5py.string_dtype()


def _group(parent, name, nx_class, **attrs):
    group = parent.create_group(name)
    group.attrs["NX_class"] = nx_class
    for key, value in attrs.items():
        group.attrs[key] = value
    return group


def _data(parent, name, value, units=None, **attrs):
    if isinstance(value, str):
        dataset = parent.create_dataset(name, data=value, dtype=STR)
    else:
        dataset = parent.create_dataset(name, data=value)
    if units:
        dataset.attrs["units"] = units
    for key, val in attrs.items():
        dataset.attrs[key] = val
    return dataset


def write_xas_entry(root: h5py.Group, name: str = "entry", n_points: int = 100,
                    subentry: bool = True, process: bool = True) -> h5py.Group:
    """One NXentry following the full NIAC NXxas form, with ESRF extras."""
    energy = np.linspace(7.0, 7.5, n_points)
    i0 = np.full(n_points, 1000.0)
    it = np.linspace(400.0, 600.0, n_points)
    entry = _group(root, name, "NXentry", default="data")
    _data(entry, "title", "Fe K-edge XAS of hematite")
    _data(entry, "start_time", "2026-11-23T10:00:00+01:00")
    _data(entry, "end_time", "2026-11-23T10:05:00+01:00")
    _data(entry, "definition", "NXxas")

    instrument = _group(entry, "instrument", "NXinstrument")
    _data(instrument, "name", "BM23")
    source = _group(instrument, "source", "NXsource")
    _data(source, "type", "Synchrotron X-ray Source")
    _data(source, "name", "ESRF")
    _data(source, "probe", "x-ray")
    _data(source, "current", 198.7, units="mA")
    _data(source, "energy", 6.0, units="GeV")
    mono = _group(instrument, "monochromator", "NXmonochromator")
    _data(mono, "energy", energy, units="keV")
    crystal = _group(mono, "crystal", "NXcrystal")
    _data(crystal, "usage", "Bragg")
    _data(crystal, "type", "Si")
    _data(crystal, "reflection", [1, 1, 1])
    _data(crystal, "d_spacing", 3.1356, units="angstrom")
    incoming = _group(instrument, "incoming_beam", "NXdetector")
    _data(incoming, "data", i0, units="counts")
    _data(incoming, "description", "ionisation chamber")
    absorbed = _group(instrument, "absorbed_beam", "NXdetector")
    _data(absorbed, "data", it, units="counts")
    _data(absorbed, "description", "ionisation chamber")

    sample = _group(entry, "sample", "NXsample")
    _data(sample, "name", "hematite")
    _data(sample, "chemical_formula", "Fe2O3")
    _data(sample, "temperature", 295.0, units="K")

    monitor = _group(entry, "monitor", "NXmonitor")
    _data(monitor, "mode", "timer")
    _data(monitor, "preset", 1.0, units="s")
    monitor["data"] = h5py.SoftLink(incoming["data"].name)

    data = _group(entry, "data", "NXdata", signal="absorbed_beam", axes="energy")
    data["energy"] = h5py.SoftLink(mono["energy"].name)
    data["absorbed_beam"] = h5py.SoftLink(absorbed["data"].name)
    _data(data, "mode", "Transmission")

    measurement = _group(entry, "measurement", "NXcollection")
    measurement["energy"] = h5py.SoftLink(mono["energy"].name)
    measurement["i0"] = h5py.SoftLink(incoming["data"].name)
    measurement["it"] = h5py.SoftLink(absorbed["data"].name)
    _data(measurement, "mu", np.log(i0 / it))

    if subentry:
        write_xas_subentry(entry, "xas", measurement)
    if process:
        write_process(entry, "normalisation", {"edge": 7.112, "pre": [-150, -30],
                                               "norm": {"order": 2}}, energy)
    return entry


def write_xas_subentry(entry: h5py.Group, name: str, measurement: h5py.Group) -> h5py.Group:
    """The ESRF analysis form: definition=NXxas plus energy, i0 and it as links."""
    sub = _group(entry, name, "NXsubentry")
    _data(sub, "definition", "NXxas")
    for channel in ("energy", "i0", "it"):
        sub[channel] = h5py.SoftLink(f"{measurement.name}/{channel}")
    return sub


def write_process(entry: h5py.Group, name: str, config: dict, x) -> h5py.Group:
    """An ESRF v2 NXprocess: configuration in an NXnote, results in an NXdata."""
    process = _group(entry, name, "NXprocess", default="results")
    _data(process, "program", "larch")
    _data(process, "version", "0.9.80")
    _data(process, "date", "2026-11-23T10:06:00+01:00")
    _data(process, "sequence_index", 1)
    note = _group(process, "configuration", "NXnote")
    _data(note, "file_name", "normalisation.json")
    _data(note, "type", "application/json")
    _data(note, "data", json.dumps(config))
    results = _group(process, "results", "NXdata", signal="norm", axes="energy")
    _data(results, "energy", x, units="keV")
    _data(results, "norm", np.linspace(0, 1, len(x)))
    return process


def write_xas_file(path, n_entries: int = 1, n_points: int = 100, **kw) -> None:
    """A file with ``n_entries`` full NXxas entries named 1.1, 2.1, ... like Bliss scans."""
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        f.attrs["default"] = "1.1"
        f.attrs["creator"] = "nxschema tests"
        for i in range(n_entries):
            write_xas_entry(f, f"{i + 1}.1", n_points=n_points, **kw)
