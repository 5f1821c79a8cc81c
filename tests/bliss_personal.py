"""A Bliss-like raw file with personal data in it, and its master file (for the personal-data
tests): two scans; ``user`` (NXuser) with name, email, affiliation, ORCID and telephone; an
e-mail address inside a free-text comment; a ``sample`` with an ICAT-style experimenter field."""

from __future__ import annotations

import h5py
import numpy as np

NAME = "Jane Q. Doe"
EMAIL = "jane.doe@example-lab.eu"
ORCID = "https://orcid.org/0000-0002-1825-0097"
PHONE = "+33 4 76 88 21 00"
COMMENT_EMAIL = "beamline.contact@example-lab.eu"
EXPERIMENTER = "Prof. Ada Lovelace-Byron"
SECRETS = (NAME, EMAIL, ORCID, PHONE, COMMENT_EMAIL, EXPERIMENTER)
STR = h5py.string_dtype()


def write_raw(path, scans=("1.1", "2.1"), detector_shape=(20, 64, 64), compression="gzip",
              noise: bool = False) -> None:
    """``noise``: detector frames of random counts (they do not compress away), written frame
    by frame so that a large file never sits in memory."""
    with h5py.File(path, "w", track_order=True) as f:
        f.attrs["NX_class"] = "NXroot"
        f.attrs["creator"] = "bliss 2.1"
        f.attrs["publisher"] = "bliss"
        f.attrs["default"] = scans[0]
        for number, scan in enumerate(scans, start=1):
            e = f.create_group(scan, track_order=True)
            e.attrs["NX_class"] = "NXentry"
            e.attrs["default"] = "plot"
            e["title"] = f"ascan sy 0 1 {number}"
            e["start_time"] = "2026-11-30T10:00:00+01:00"
            e["end_time"] = "2026-11-30T10:05:00+01:00"
            inst = e.create_group("instrument")
            inst.attrs["NX_class"] = "NXinstrument"
            det = inst.create_group("pilatus")
            det.attrs["NX_class"] = "NXdetector"
            filters = dict(compression=compression, compression_opts=4, shuffle=True) \
                if compression == "gzip" else {}
            stack = det.create_dataset("data", shape=detector_shape, dtype="uint16",
                                       chunks=(1,) + detector_shape[1:], **filters)
            rng = np.random.default_rng(number)
            for frame in range(detector_shape[0]):
                stack[frame] = rng.poisson(50, detector_shape[1:]) if noise else \
                    (np.arange(np.prod(detector_shape[1:])) % 251 + frame).reshape(
                        detector_shape[1:])
            det["data"].attrs["interpretation"] = "image"
            mon = inst.create_group("i0")
            mon.attrs["NX_class"] = "NXdetector"
            mon.create_dataset("data", data=np.linspace(1, 2, detector_shape[0]))
            meas = e.create_group("measurement")
            meas.attrs["NX_class"] = "NXcollection"
            meas["pilatus"] = h5py.SoftLink(f"/{scan}/instrument/pilatus/data")
            meas["i0"] = h5py.SoftLink(f"/{scan}/instrument/i0/data")
            plot = e.create_group("plot")
            plot.attrs["NX_class"] = "NXdata"
            plot.attrs["signal"] = "i0"
            plot["i0"] = inst["i0/data"]  # a hard link
            sample = e.create_group("sample")
            sample.attrs["NX_class"] = "NXsample"
            sample["name"] = "LaB6"
            sample["description"] = f"powder; questions to {COMMENT_EMAIL} please"
            sample["experimenter"] = EXPERIMENTER
            user = e.create_group("user")
            user.attrs["NX_class"] = "NXuser"
            user["name"] = NAME
            user["email"] = EMAIL
            user["affiliation"] = "Example Lab"
            user["ORCID"] = ORCID
            user["telephone_number"] = PHONE
            user["role"] = "principal_investigator"


def write_master(path, raw_name, scans=("1.1", "2.1")) -> None:
    with h5py.File(path, "w", track_order=True) as f:
        f.attrs["NX_class"] = "NXroot"
        f.attrs["creator"] = "bliss 2.1"
        for scan in scans:
            f[scan] = h5py.ExternalLink(raw_name, f"/{scan}")
