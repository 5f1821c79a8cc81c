"""ICAT extraction follows links through the validator's resolver: the same files are opened,
under the same ``--external`` policy, as ``nxschema validate`` opens (and refuses)."""

from __future__ import annotations

import json
import subprocess
import sys

import h5py
import pytest
from h5files import _data, _group

import nxschema
from nxschema._cli.output import EXTERNAL_POLICIES as CLI_POLICIES
from nxschema._h5.access import EXTERNAL_POLICIES
from nxschema._icat.extract import extract
from nxschema._icat.keys import catalog_keys

ROWS = None


def rows():
    global ROWS
    if ROWS is None:
        ROWS = catalog_keys(nxschema.load())
    return ROWS


def write_sample(path, name="hematite", at="/sample"):
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "a") as f:
        _data(_group(f, at.strip("/"), "NXsample"), "name", name)


def write_master(path, sample_link):
    """An entry whose sample is ``sample_link`` (an h5py link object)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        entry = _group(f, "1.1", "NXentry")
        _data(entry, "title", "scan")
        entry["sample"] = sample_link


def refused_by_validate(path, policy) -> set[str]:
    """Paths whose external link ``nxschema validate`` does not follow under ``policy``."""
    report = nxschema.validate(path, external=policy)
    return {f.path for f in report.findings
            if f.code in ("external-link-not-followed", "dangling-external-link")}


# (layout of the files, {policy: does the sample's name come through?})
CASES = {
    "same folder": ("data.h5", {"below": True, "follow": True, "never": False}),
    "sub folder": ("scan0001/data.h5", {"below": True, "follow": True, "never": False}),
    "parent folder": ("../elsewhere/data.h5", {"below": False, "follow": True, "never": False}),
}


@pytest.mark.parametrize("policy", EXTERNAL_POLICIES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_external_links_under_each_policy_as_validate_follows_them(tmp_path, case, policy):
    relative, expected = CASES[case]
    master = tmp_path / "experiment" / "master.h5"
    write_sample(master.parent / relative)
    write_master(master, h5py.ExternalLink(relative, "/sample"))
    result = extract(master, rows(), external=policy)
    got = result.values.get("Sample_name", {}).get("value")
    assert got == ("hematite" if expected[policy] else None)
    refused = refused_by_validate(master, policy)
    # the same verdict as the validator's, for the same link
    assert ("/1.1/sample" in refused) == (not expected[policy])
    assert bool(result.notes) == (not expected[policy])
    if not expected[policy]:
        assert "/1.1/sample" in result.notes[0] and "not followed" in result.notes[0]


def test_an_absolute_external_file_name_is_judged_by_where_it_is(tmp_path):
    outside = tmp_path / "elsewhere" / "data.h5"
    write_sample(outside)
    master = tmp_path / "experiment" / "master.h5"
    write_master(master, h5py.ExternalLink(str(outside), "/sample"))
    assert extract(master, rows()).values == {"datasetName": {
        "value": "scan", "units": None, "path": "/1.1/title"}}
    assert "/1.1/sample" in refused_by_validate(master, "below")
    inside = master.parent / "data.h5"
    write_sample(inside, "magnetite")
    write_master(master, h5py.ExternalLink(str(inside), "/sample"))
    assert extract(master, rows()).values["Sample_name"]["value"] == "magnetite"
    assert refused_by_validate(master, "below") == set()


def test_the_policy_is_judged_against_the_linking_file_as_validate_does(tmp_path):
    """master -> scan/link.h5 -> ../data.h5: the second link leaves the folder of the file that
    holds it (scan/), so 'below' refuses it, although data.h5 is next to the master file."""
    master = tmp_path / "master.h5"
    write_sample(tmp_path / "data.h5")
    (tmp_path / "scan").mkdir()
    with h5py.File(tmp_path / "scan" / "link.h5", "w") as f:
        f["sample"] = h5py.ExternalLink("../data.h5", "/sample")
    write_master(master, h5py.ExternalLink("scan/link.h5", "/sample"))
    below = extract(master, rows())
    assert "Sample_name" not in below.values
    assert any("leaves the linking file's folder" in note for note in below.notes)
    assert "/1.1/sample" in refused_by_validate(master, "below")
    assert extract(master, rows(), external="follow").values["Sample_name"]["value"] == \
        "hematite"
    assert refused_by_validate(master, "follow") == set()


@pytest.mark.parametrize("policy", EXTERNAL_POLICIES)
def test_a_soft_link_through_an_external_link_is_under_the_policy(tmp_path, policy):
    """HDF5 would follow the external link inside a soft link's target by itself; the
    resolver judges it like any other, for validate and extraction alike."""
    write_sample(tmp_path / "elsewhere" / "data.h5")
    master = tmp_path / "experiment" / "master.h5"
    write_master(master, h5py.SoftLink("/outside/sample"))
    with h5py.File(master, "a") as f:
        f["outside"] = h5py.ExternalLink("../elsewhere/data.h5", "/")
    result = extract(master, rows(), external=policy)
    followed = policy == "follow"
    assert ("Sample_name" in result.values) == followed
    codes = {(f.code, f.path) for f in nxschema.validate(master, external=policy).findings}
    assert (("external-link-not-followed", "/1.1/sample") in codes) == (not followed)
    if not followed:
        assert any(note.startswith("/1.1/sample: external link to ../elsewhere/data.h5::/ ")
                   for note in result.notes), result.notes


def test_soft_links_are_followed_in_the_file_and_dangling_ones_noted(tmp_path):
    path = tmp_path / "soft.h5"
    with h5py.File(path, "w") as f:
        entry = _group(f, "1.1", "NXentry")
        _data(_group(f, "samples/first", "NXsample"), "name", "hematite")
        entry["sample"] = h5py.SoftLink("/samples/first")
        entry["instrument"] = h5py.SoftLink("/nowhere")
    result = extract(path, rows(), external="never")  # soft links are no external links
    assert result.values["Sample_name"] == {"value": "hematite", "units": None,
                                            "path": "/1.1/sample/name"}
    validated = nxschema.validate(path)
    assert ("dangling-link", "/1.1/instrument") in {(f.code, f.path) for f in validated.findings}
    assert any(note.startswith("/1.1/instrument: dangling soft link") for note in result.notes)


def test_refused_files_are_never_opened(tmp_path):
    """Under 'never' the other file is not even opened: an unreadable one gives no error."""
    outside = tmp_path / "data.h5"
    outside.write_bytes(b"not hdf5 at all")
    master = tmp_path / "master.h5"
    write_master(master, h5py.ExternalLink("data.h5", "/sample"))
    never = extract(master, rows(), external="never")
    assert never.notes == [
        "/1.1/sample: external link to data.h5::/sample not followed (policy 'never')"]
    below = extract(master, rows())
    assert below.notes == ["/1.1/sample: dangling external link: file data.h5 cannot be opened"]


def run_cli(*args) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "nxschema", "icat", "extract", *map(str, args)],
                            check=False, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    return result


def test_cli_external_flag_and_its_deprecated_alias(tmp_path):
    assert CLI_POLICIES == EXTERNAL_POLICIES
    master = tmp_path / "experiment" / "master.h5"
    write_sample(tmp_path / "elsewhere" / "data.h5")
    write_master(master, h5py.ExternalLink("../elsewhere/data.h5", "/sample"))

    def sample(result):
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["keys"].get("Sample_name", {}).get("value")

    below = run_cli(master, "--format", "json")
    assert sample(below) is None and "--external follow" in below.stderr
    assert sample(run_cli(master, "--format", "json", "--external", "follow")) == "hematite"
    assert sample(run_cli(master, "--format", "json", "--external", "never")) is None
    old = run_cli(master, "--format", "json", "--allow-external-anywhere")
    assert sample(old) == "hematite"
    assert "--allow-external-anywhere is deprecated; use --external follow" in old.stderr
    bad = run_cli(master, "--external", "sometimes")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    helped = run_cli("--help")
    assert "--external {below,follow,never}" in helped.stdout
    assert "--allow-external-anywhere" not in helped.stdout  # hidden
