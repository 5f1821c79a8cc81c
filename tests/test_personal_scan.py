"""nxschema personal / nxschema.personal_data: what a file holds, by definition and by pattern,
through external links and from master files."""

import json
import subprocess
import sys

import h5py
import pytest

import nxschema
from bliss_personal import COMMENT_EMAIL, EXPERIMENTER, write_master, write_raw


@pytest.fixture()
def files(tmp_path):
    write_raw(tmp_path / "raw.h5", detector_shape=(4, 8, 8))
    write_master(tmp_path / "master.h5", "raw.h5")
    return tmp_path


def _by_path(items):
    return {(i.path, i.attribute): i for i in items}


def test_lists_every_personal_value_with_its_concept(files):
    items = _by_path(nxschema.personal_data(files / "raw.h5", definition="NXesrf_raw"))
    for scan in ("1.1", "2.1"):
        for name in ("name", "email", "ORCID", "telephone_number"):
            item = items[(f"/{scan}/user/{name}", None)]
            assert item.found_by == "definition" and item.reason == "personal"
            assert item.concept.endswith(f"/{name}") and item.definition in ("NXuser",
                                                                              "NXesrf_raw")
            assert item.source.split(":")[-1].isdigit()  # file:line of the mark
        affiliation = items[(f"/{scan}/user/affiliation", None)]
        assert affiliation.reason == "domain administrative"
        experimenter = items[(f"/{scan}/sample/experimenter", None)]
        assert experimenter.definition == "NXesrf_raw" and experimenter.reason == "personal"
        comment = items[(f"/{scan}/sample/description", None)]
        assert comment.found_by == "pattern" and comment.reason == "email"
        assert comment.matches == (COMMENT_EMAIL,)
    assert (f"/1.1/sample/name", None) not in items
    assert not any(p.startswith("/1.1/instrument") for p, _ in items)


def test_a_marked_value_is_listed_once(files):
    items = nxschema.personal_data(files / "raw.h5")
    emails = [i for i in items if i.path == "/1.1/user/email"]
    assert [i.found_by for i in emails] == ["definition"]


def test_patterns_in_attributes_and_without_definitions(files):
    with h5py.File(files / "raw.h5", "a") as f:
        f["1.1/title"].attrs["note"] = "owner: +49 30 1234567"
    items = _by_path(nxschema.personal_data(files / "raw.h5"))
    assert items[("/1.1/title", "note")].reason == "phone"
    quiet = nxschema.personal_data(files / "raw.h5", patterns_on=False)
    assert all(i.found_by == "definition" for i in quiet)


def test_master_file_items_name_the_raw_file(files):
    items = nxschema.personal_data(files / "master.h5", definition="NXesrf_raw")
    email = next(i for i in items if i.path == "/1.1/user/email")
    assert email.file == str(files / "raw.h5") and email.via == "/1.1/user/email"
    assert len(items) == len(nxschema.personal_data(files / "raw.h5", definition="NXesrf_raw"))


def test_the_external_policy_holds(files):
    from nxschema._personal.scan import scan
    result = scan(files / "master.h5", external="never")
    assert result.items == [] and result.files == [str(files / "master.h5")]
    assert any("not followed" in p for p in result.problems)


def test_cli_text_json_and_exit_codes(files):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "nxschema", "personal", *map(str, args)],
                              capture_output=True, text=True, timeout=120)
    text = run(files / "raw.h5", "--definition", "NXesrf_raw")
    assert text.returncode == 1
    assert "/1.1/user/email: personal" in text.stdout
    assert "found by pattern (email)" in text.stdout
    assert EXPERIMENTER not in text.stdout  # values are never echoed
    data = json.loads(run(files / "master.h5", "--format", "json").stdout)
    assert data["files"][0]["files_read"][1].endswith("raw.h5")
    with h5py.File(files / "clean.h5", "w") as f:
        f.attrs["NX_class"] = "NXroot"
        f.create_group("entry").attrs["NX_class"] = "NXentry"
    assert run(files / "clean.h5").returncode == 0
    missing = run(files / "nope.h5")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert run(files / "raw.h5", "--definition", "NXnothing").returncode == 2


def test_discovery_binds_the_bliss_file_without_definition(files):
    """NXesrf_raw applies to the file by its ``applies_when`` (@publisher bliss): its
    ``sample/experimenter`` (personal there, not in NXsample) is found with no definition."""
    items = _by_path(nxschema.personal_data(files / "raw.h5"))
    experimenter = items[("/1.1/sample/experimenter", None)]
    assert experimenter.found_by == "definition" and experimenter.reason == "personal"
    assert experimenter.definition == "NXesrf_raw"
    assert experimenter.concept.startswith("NXesrf_raw/") and \
        experimenter.concept.endswith("/experimenter")
    # Without @publisher, nothing applies NXesrf_raw: the field is no longer marked.
    with h5py.File(files / "raw.h5", "a") as f:
        del f.attrs["publisher"]
    assert ("/1.1/sample/experimenter", None) not in _by_path(
        nxschema.personal_data(files / "raw.h5"))


def test_the_binding_carries_personal_domain_and_real_place(files):
    from nxschema._binding.tree import bind
    binding = bind(files / "master.h5", definition="NXesrf_raw")
    email = [b for b in binding.of("/1.1/user/email") if b.definition == "NXuser"]
    assert email and email[0].personal and email[0].domain == "administrative"
    assert email[0].file == str(files / "raw.h5") and email[0].where == "/1.1/user/email"
    # affiliation is not marked personal itself; it inherits NXuser's domain.
    affiliation = [b for b in binding.of("/1.1/user/affiliation") if b.definition == "NXuser"]
    assert affiliation and not affiliation[0].personal
    assert affiliation[0].domain == "administrative"
    title = binding.of("/1.1/title")
    assert title and all(b.domain != "administrative" for b in title)


@pytest.mark.parametrize("policy", ["below", "never"])
def test_virtual_and_external_storage_outside_the_policy_are_not_searched(tmp_path, policy):
    import os
    import shutil

    import hostile
    from nxschema._personal.scan import scan

    path, _secret, _raw = hostile.vds_escape(tmp_path / "folder", tmp_path / "elsewhere")
    result = scan(path, external=policy)
    refused = [p for p in result.problems if "its data is not read" in p]
    assert len(refused) == 2, result.problems
    assert any("secret.h5" in p for p in refused) and any("raw.bin" in p for p in refused)
    strace = shutil.which("strace")
    if strace is None or subprocess.run([strace, "-o", os.devnull, "true"]).returncode:
        pytest.skip("strace not usable here: the files the run opens cannot be listed")
    log = tmp_path / "trace.txt"
    subprocess.run([strace, "-f", "-e", "trace=openat", "-o", str(log), sys.executable, "-m",
                    "nxschema", "personal", "--external", policy, path], capture_output=True,
                   timeout=120, env={**os.environ,
                                     "PYTHONPATH": os.path.dirname(os.path.dirname(
                                         nxschema.__file__))})
    trace = log.read_text()
    assert "vds.h5" in trace  # the trace did record the run
    assert "elsewhere/secret.h5" not in trace and "raw.bin" not in trace
