"""Builders of hostile HDF5 files, shared by the tests (tests/test_h5_hostile.py, the Hypothesis
fuzz test) and the long fuzz run (benchmarks/fuzz.py).

Each ``KINDS`` entry writes one kind of hostile tree into a fresh file: the rows of the hostile
input audit (odd attribute types, link cycles, escapes from the folder, huge values) and the
knobs Hypothesis turns. ``corrupt`` flips bytes of a valid file.
"""

from __future__ import annotations

import itertools
import os
import random

import h5py
import numpy as np

STR = h5py.string_dtype()


def _g(parent, name, nx_class=None):
    group = parent.create_group(name)
    if nx_class:
        group.attrs["NX_class"] = nx_class
    return group


def base_file(path, libver="latest"):
    """A small valid-looking NXxas-ish entry, the starting point of most kinds."""
    f = h5py.File(path, "w", libver=libver)
    f.attrs["NX_class"] = "NXroot"
    f.attrs["default"] = "entry"
    entry = _g(f, "entry", "NXentry")
    entry.attrs["default"] = "data"
    entry["definition"] = "NXxas"
    entry["title"] = "hostile"
    entry["start_time"] = "2026-01-01T00:00:00Z"
    data = _g(entry, "data", "NXdata")
    data.attrs["signal"] = "counts"
    data.attrs["axes"] = ["energy"]
    data["counts"] = np.arange(10.0)
    data["energy"] = np.linspace(1, 2, 10)
    data["energy"].attrs["units"] = "keV"
    return f


def odd_nx_class(path, value):
    """NX_class of another type than text: an int, a compound or a bitfield array, ..."""
    with base_file(path) as f:
        f["entry/data"].attrs["NX_class"] = value
        _g(f["entry"], "odd").attrs["NX_class"] = value


def odd_nxdata_attrs(path, axes=None, indices=None, signal=None, layout=None, default=None):
    with base_file(path) as f:
        data = f["entry/data"]
        if axes is not None:
            data.attrs["axes"] = axes
        if indices is not None:
            data.attrs["energy_indices"] = indices
        if signal is not None:
            data.attrs["signal"] = signal
        if layout is not None:
            f.attrs["layout"] = layout
        if default is not None:
            f.attrs["default"] = default
            f["entry"].attrs["default"] = default


def hard_link_cycle(path, n=3):
    with base_file(path) as f:
        for name in "abcdefgh"[:n]:
            f[f"entry/{name}"] = f["entry"]


def hard_link_diamonds(path, levels=30, fan=3):
    """A chain of groups each linked ``fan`` times from the one above: no cycle, but
    fan**levels paths if every path were walked."""
    with base_file(path) as f:
        groups = [_g(f["entry"], f"level{i}", "NXcollection") for i in range(levels)]
        for upper, lower in itertools.pairwise(groups):
            for k in range(fan):
                upper[f"to{k}"] = lower


def soft_link_cycle(path):
    with base_file(path) as f:
        f["entry/loop_a"] = h5py.SoftLink("/entry/loop_b")
        f["entry/loop_b"] = h5py.SoftLink("/entry/loop_a")
        f["entry/self"] = h5py.SoftLink("/entry/self")


def many_children(path, n=100_000, distinct=True):
    """``n`` datasets in one group; with ``distinct=False`` they are hard links to one dataset
    (twenty times quicker to write, as many links to walk)."""
    with h5py.File(path, "w", libver="latest") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = _g(f, "entry", "NXentry")
        entry["definition"] = "NXxas"
        group = _g(entry, "many", "NXcollection")
        group.create_dataset("d0", data=0)
        for i in range(1, n):
            if distinct:
                group.create_dataset(f"d{i}", data=i)
            else:
                group.id.links.create_hard(b"d%d" % i, group.id, b"d0")


# --- random hostile trees, for Hypothesis (tests) and the long fuzz run (benchmarks) -----------

NAMES = ["entry", "data", "NX_class", "signal", "axes", "default", "a", "b", ".hidden",
         "x" * 300, "ünï", "sp ace", "definition", "energy", "counts", "process"]
ATTR_NAMES = ["NX_class", "signal", "axes", "default", "layout", "energy_indices",
              "counts_indices", "auxiliary_signals", "units", "custom", "format",
              "nxschema_placeholder_attributes", "target"]


def random_tree(path, choose, integer):
    """A random hostile tree built from two callbacks: ``choose(list)`` picks an item,
    ``integer(lo, hi)`` an int (Hypothesis draws or a random.Random, the same generator)."""
    values = list(ODD_VALUES.values()) + ["NXdata", "NXentry", "NXprocess", "NXcollection",
                                          "counts", "energy", ".", "/", "", ["energy"], 0, 1]
    with h5py.File(path, "w", libver=choose(["latest", "earliest"])) as f:
        groups = [f]
        for _ in range(integer(1, 25)):
            parent = choose(groups)
            name = choose(NAMES) + str(integer(0, 3))
            if name in parent:
                continue
            what = choose(["group", "group", "dataset", "soft", "hard", "external", "attr"])
            if what == "group":
                groups.append(parent.create_group(name))
            elif what == "dataset":
                data = choose([np.arange(integer(0, 50)), "NXxas", "2026-01-01T00:00:00",
                               np.zeros((2, 3)), 7, b"\xff\xfe", np.array([b"a", b"b"])])
                parent.create_dataset(name, data=data)
            elif what == "soft":
                parent[name] = h5py.SoftLink(choose(["/", "/entry0", "..", name, "/x/y",
                                                     parent.name + "/" + name]))
            elif what == "hard":
                parent[name] = choose(groups)
            elif what == "external":
                parent[name] = h5py.ExternalLink(choose(["/etc/passwd", "../x.h5",
                                                         os.path.basename(str(path))]),
                                                 choose(["/", "/entry0"]))
            else:
                try:
                    parent.attrs[choose(ATTR_NAMES)] = choose(values)
                except (TypeError, ValueError):
                    pass  # a value h5py cannot write as an attribute


def deep(path, depth=200):
    with base_file(path) as f:
        group = f["entry"]
        for i in range(depth):
            group = _g(group, f"g{i}", "NXcollection")


def huge_attribute(path, size=10_000_000):
    with base_file(path) as f:
        f["entry/data"].attrs["signal"] = "s" * size
        f["entry"]["huge"] = "v" * size


def symlink_escape(folder, elsewhere):
    """folder/master.h5 links to folder/link.h5, a symlink to a file outside the folder."""
    os.makedirs(folder, exist_ok=True)
    os.makedirs(elsewhere, exist_ok=True)
    secret = os.path.join(elsewhere, "secret.h5")
    with h5py.File(secret, "w") as f:
        _g(f, "entry", "NXentry")["definition"] = "NXsecret"
    link = os.path.join(folder, "link.h5")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(secret, link)
    master = os.path.join(folder, "master.h5")
    with base_file(master) as f:
        f["entry/other"] = h5py.ExternalLink("link.h5", "/entry")
        f["entry/climb"] = h5py.ExternalLink(f"../{os.path.basename(elsewhere)}/secret.h5",
                                             "/entry")
    return master, secret


def vds_escape(folder, elsewhere):
    """folder/vds.h5 whose /entry/definition is a virtual dataset over a file outside the
    folder, and /entry2/definition stored in an external raw file outside it."""
    os.makedirs(folder, exist_ok=True)
    os.makedirs(elsewhere, exist_ok=True)
    secret = os.path.join(elsewhere, "secret.h5")
    raw = os.path.join(elsewhere, "raw.bin")
    with h5py.File(secret, "w") as f:
        f["name"] = np.array(b"NXxas", dtype="S5")
    with open(raw, "wb") as handle:
        handle.write(b"NXxas")
    layout = h5py.VirtualLayout(shape=(1,), dtype="S5")
    layout[0] = h5py.VirtualSource(secret, "name", shape=())
    path = os.path.join(folder, "vds.h5")
    with h5py.File(path, "w", libver="latest") as f:
        f.attrs["NX_class"] = "NXroot"
        _g(f, "entry", "NXentry").create_virtual_dataset("definition", layout)
        _g(f, "entry2", "NXentry").create_dataset("definition", shape=(1,), dtype="S5",
                                                  external=[(raw, 0, 5)])
    return path, secret, raw


def config_bomb(path, text, fmt="json"):
    """An ESRF v1 NXprocess whose configuration is ``text``."""
    with base_file(path) as f:
        process = _g(f["entry"], "process", "NXprocess")
        process["program"] = "bomb"
        process["version"] = "1"
        process["sequence_index"] = 1
        process["date"] = "2026-01-01T00:00:00Z"
        process.create_dataset("configuration", data=text, dtype=STR)
        process["configuration"].attrs["format"] = fmt
        _g(process, "results", "NXcollection")


ODD_VALUES = {
    "int": 5,
    "float": 2.5,
    "int-array": np.arange(3),
    "compound": np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]),
    "bitfield": np.array([1, 2], dtype="b1").view("u1"),
    "bool": np.True_,
    "opaque": np.void(b"\x00\x01\x02"),
    "empty": h5py.Empty("f"),
    "bytes-array": np.array([b"NXdata", b"NXentry"]),
    "bad-utf8": np.bytes_(b"NX\xffdata"),
    "strings": np.array(["NXdata", "NXentry"], dtype=object),
    "2d": np.zeros((2, 2)),
    "long": "NX" + "x" * 5000,
}


def corrupt(source: bytes, rng: random.Random, flips: int = 1, region=None) -> bytes:
    """``source`` with ``flips`` bytes changed (in ``region`` = (start, end) if given)."""
    data = bytearray(source)
    start, end = region or (0, len(data))
    for _ in range(flips):
        i = rng.randrange(start, max(start + 1, min(end, len(data))))
        data[i] ^= rng.randrange(1, 256)
    return bytes(data)


def object_headers(source: bytes) -> list[int]:
    """Offsets of the version-2 object headers ("OHDR") in a file written with libver latest."""
    out, i = [], source.find(b"OHDR")
    while i >= 0:
        out.append(i)
        i = source.find(b"OHDR", i + 1)
    return out
