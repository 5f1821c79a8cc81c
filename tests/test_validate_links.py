"""Links are first-class: soft, hard, external, to groups; dangling ones and cycles."""

from __future__ import annotations

import os

import h5py
import numpy as np
import pytest

import nxschema
from h5files import _data, _group, write_xas_file


def errors(report):
    return {(f.code, f.path) for f in report.findings if f.severity == "error"}


def write_esrf_subentry_file(path, *, external: bool):
    """An ESRF raw entry whose XAS subentry's channels are soft or external links."""
    data_file = path.parent / "scan0001" / "channels.h5"
    if external:
        data_file.parent.mkdir(exist_ok=True)
        with h5py.File(data_file, "w") as d:
            for name in ("energy", "i0", "it"):
                d.create_dataset(f"measurement/{name}", data=np.linspace(1, 2, 50))
            d["measurement/energy"].attrs["units"] = "keV"
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = _group(f, "1.1", "NXentry")
        _data(entry, "title", "ascan energy")
        measurement = _group(entry, "measurement", "NXcollection")
        for name in ("energy", "i0", "it"):
            if external:
                measurement[name] = h5py.ExternalLink("scan0001/channels.h5",
                                                      f"/measurement/{name}")
            else:
                _data(measurement, name, np.linspace(1, 2, 50),
                      units="keV" if name == "energy" else None)
        sub = _group(entry, "xas", "NXsubentry")
        _data(sub, "definition", "NXxas")
        for name in ("energy", "i0", "it"):
            sub[name] = h5py.SoftLink(f"/1.1/measurement/{name}")
    return data_file


@pytest.mark.parametrize("external", [False, True])
def test_esrf_subentry_through_links_is_found_and_valid(tmp_path, external):
    path = tmp_path / "raw.h5"
    write_esrf_subentry_file(path, external=external)
    report = nxschema.validate(path)
    assert report.ok, [str(f) for f in report.errors]
    # Found automatically: breaking the subentry's energy makes it invalid.
    with h5py.File(path, "r+") as f:
        del f["1.1/xas/energy"]
    assert ("missing-required", "/1.1/xas/energy") in errors(nxschema.validate(path))


def test_subentry_with_a_broken_external_link_is_invalid(tmp_path):
    path = tmp_path / "raw.h5"
    data_file = write_esrf_subentry_file(path, external=True)
    with h5py.File(data_file, "r+") as d:
        del d["measurement/i0"]
    found = errors(nxschema.validate(path))
    assert ("dangling-external-link", "/1.1/measurement/i0") in found


def test_subentry_lengths_disagree_through_links(tmp_path):
    path = tmp_path / "raw.h5"
    write_esrf_subentry_file(path, external=False)
    with h5py.File(path, "r+") as f:
        del f["1.1/measurement/it"]
        f["1.1/measurement/it"] = np.ones(49)
    found = nxschema.validate(path).errors
    assert any(x.code == "dimension-mismatch" and x.path == "/1.1/xas/it" for x in found)


def test_finding_behind_an_external_link_names_both_files(tmp_path):
    path = tmp_path / "raw.h5"
    data_file = write_esrf_subentry_file(path, external=True)
    with h5py.File(data_file, "r+") as d:
        del d["measurement/energy"]
        d["measurement/energy"] = np.array([b"a"] * 50)
    found = [x for x in nxschema.validate(path).errors if x.code == "wrong-type"]
    assert found, "strings as energy behind an external link must be reported"
    assert found[0].file == os.path.normpath(str(data_file))
    assert found[0].path == "/measurement/energy"
    assert str(path) in found[0].message  # ... and how it was reached


def test_external_link_policy(tmp_path):
    outside = tmp_path / "outside.h5"
    with h5py.File(outside, "w") as f:
        f["x"] = 1
    inner = tmp_path / "sub"
    inner.mkdir()
    path = inner / "master.h5"
    with h5py.File(path, "w") as f:
        f["link"] = h5py.ExternalLink("../outside.h5", "/x")
    below = nxschema.validate(path)
    assert [f.code for f in below.findings] == ["external-link-not-followed"]
    assert not [f for f in nxschema.validate(path, external="follow").findings
                if f.code.startswith("external")]
    assert [f.code for f in nxschema.validate(path, external="never").findings] == [
        "external-link-not-followed"]


def test_soft_link_cycle_and_external_cycle_terminate(tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    with h5py.File(a, "w") as f:
        entry = _group(f, "entry", "NXentry")
        entry["loop"] = h5py.SoftLink("/entry")
        entry["self"] = h5py.SoftLink("/entry/self")
        entry["other"] = h5py.ExternalLink("b.h5", "/back")
    with h5py.File(b, "w") as f:
        f["back"] = h5py.ExternalLink("a.h5", "/entry")
    report = nxschema.validate(a)  # must return, not recurse forever
    codes = {f.code for f in report.findings}
    cycles = {f.path for f in report.findings if f.code == "link-cycle"}
    assert "/entry/self" in cycles  # a soft link to itself is a cycle, not a dangling link
    assert "dangling-link" not in codes
    assert codes <= {"dangling-link", "link-cycle", "dangling-external-link", "too-deep",
                     "extra-member", "missing-recommended"} | codes


def test_link_to_a_group_counts_as_the_member(tmp_path):
    path = tmp_path / "xas.h5"
    write_xas_file(path)
    with h5py.File(path, "r+") as f:
        f.move("1.1/sample", "1.1/sample_real")
        f["1.1/sample"] = h5py.SoftLink("/1.1/sample_real")
    report = nxschema.validate(path)
    assert report.ok, [str(x) for x in report.errors]


def test_hard_linked_dataset_is_an_item(tmp_path):
    path = tmp_path / "xas.h5"
    write_xas_file(path)
    with h5py.File(path, "r+") as f:
        del f["1.1/data/energy"]
        f["1.1/data/energy"] = f["1.1/instrument/monochromator/energy"]  # a hard link
    assert nxschema.validate(path).ok


def test_relative_soft_links_and_validating_one_group(tmp_path):
    path = tmp_path / "xas.h5"
    write_xas_file(path, n_entries=2)
    with h5py.File(path, "r+") as f:
        data = f["2.1/data"]
        del data["energy"]
        data["energy"] = h5py.SoftLink("mode")  # relative: a sibling, wrong kind of data
        del f["2.1/title"]
    with h5py.File(path, "r") as f:
        report = nxschema.validate(f["2.1"])  # only this entry, found as NXxas by itself
    found = errors(report)
    assert ("missing-required", "/2.1/title") in found
    assert all(p.startswith("/2.1") for _, p in found)
    assert ("axis-length", "/2.1/data/energy") in found  # the link resolved to `mode`
    assert nxschema.validate(path).errors  # and the whole file, from its path


def test_soft_link_outside_link_concepts_has_its_target_attribute_checked(tmp_path):
    # Soft links no definition asks for: @target on the original names another path for
    # one (pynxtools' internal-link-wrong-target case) and the right one for the other.
    path = tmp_path / "t.nxs"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        note = entry.create_group("note")
        note.attrs["NX_class"] = "NXnote"
        note.create_dataset("description", data="text").attrs["target"] = \
            "/other_entry/note/description"
        note.create_dataset("type", data="text/plain").attrs["target"] = "/entry/note/type"
        sample = entry.create_group("sample")
        sample.attrs["NX_class"] = "NXsample"
        sample["description"] = h5py.SoftLink("/entry/note/description")
        sample["type"] = h5py.SoftLink("/entry/note/type")
    found = [f for f in nxschema.validate(path).findings if f.code == "link-target-attribute"]
    assert [(f.path, f.severity) for f in found] == [("/entry/sample/description", "warning")]
    assert "resolves to '/entry/note/description'" in found[0].message
