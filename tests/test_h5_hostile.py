"""Hostile HDF5 files: every row of the hostile-input audit that concerns files is a test here.

Never hang (a damaged checksum, link cycles), never crash (odd attribute types, damaged headers,
configuration bombs), never echo megabytes, never read a file the external-file policy refuses
(proven with strace where it is installed). Hang guards are generous subprocess timeouts, not
timings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import h5py
import hostile
import numpy as np
import pytest

import nxschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ["auto", "h5py"]


def _cli(*args, timeout=20):
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, env=env)


def _codes(path, **kw):
    return {f.code for f in nxschema.validate(path, **kw).findings}


@pytest.fixture(params=BACKENDS)
def backend(request, monkeypatch):
    if request.param == "h5py":
        monkeypatch.setenv("NXSCHEMA_H5_BACKEND", "h5py")
    return request.param


# --- corrupted files: fail fast, with a finding ------------------------------------------------

def _flip_root_header(path):
    data = bytearray(path.read_bytes())
    first = hostile.object_headers(bytes(data))[0]  # the root group's header comes first
    data[first + 20] ^= 0xFF
    path.write_bytes(bytes(data))


def test_corrupt_root_header_of_a_skeleton_fails_fast_with_a_finding(tmp_path):
    path = tmp_path / "skeleton.h5"
    with hostile.base_file(path):  # written with libver latest: checksummed headers
        pass
    _flip_root_header(path)
    result = _cli("validate", path)  # before: minutes of SWMR retries
    assert result.returncode == 1, result.stderr
    assert "unreadable-object" in result.stdout and "Traceback" not in result.stderr


def test_corrupt_file_held_by_a_swmr_writer_fails_fast(tmp_path):
    path = tmp_path / "live.h5"
    # A writer in SWMR mode that dies: the superblock keeps saying "open for SWMR writing",
    # so the file is opened in SWMR-read mode, where HDF5 retries failed checksums.
    writer = ("import h5py, os, sys\n"
              "f = h5py.File(sys.argv[1], 'w', libver='latest')\n"
              "f.attrs['NX_class'] = 'NXroot'\n"
              "g = f.create_group('entry'); g.attrs['NX_class'] = 'NXentry'\n"
              "d = g.create_dataset('x', shape=(0,), maxshape=(None,), dtype='i4')\n"
              "f.swmr_mode = True\nd.resize((4,)); d.flush(); f.flush()\nos._exit(0)\n")
    subprocess.run([sys.executable, "-c", writer, str(path)], check=True, timeout=20)
    from nxschema._h5.opening import being_written_with_swmr
    assert being_written_with_swmr(str(path))
    _flip_root_header(path)
    result = _cli("validate", path)
    assert result.returncode in (1, 2), result.stderr
    assert ("unreadable-object" in result.stdout or "file-unreadable" in result.stdout)
    assert "Traceback" not in result.stderr


def test_swmr_read_attempts_are_capped():
    from nxschema._h5.opening import READ_ATTEMPTS, cap_read_attempts
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    assert cap_read_attempts(fapl, READ_ATTEMPTS)


def test_damaged_headers_give_findings_not_tracebacks(tmp_path, backend):
    import random
    source = tmp_path / "source.h5"
    with hostile.base_file(source):
        pass
    data = source.read_bytes()
    rng = random.Random(13)
    for i, start in enumerate(hostile.object_headers(data)):
        for trial in range(3):
            path = tmp_path / f"bad{i}_{trial}.h5"
            path.write_bytes(hostile.corrupt(data, rng, 1, (start, start + 64)))
            report = nxschema.validate(path)  # never raises
            assert all(f.code != "internal-error" for f in report.findings)


# --- link cycles -------------------------------------------------------------------------------

def test_three_hard_links_back_to_the_entry_are_a_link_cycle(tmp_path, backend):
    path = tmp_path / "cycle.h5"
    hostile.hard_link_cycle(path, 3)
    report = nxschema.validate(path)  # before: more than 90 s
    cycles = sorted(f.path for f in report.findings if f.code == "link-cycle")
    assert cycles == ["/entry/a", "/entry/b", "/entry/c"]


def test_diamonds_of_hard_links_are_walked_a_bounded_number_of_times(tmp_path, backend):
    path = tmp_path / "diamonds.h5"
    hostile.hard_link_diamonds(path, levels=30, fan=3)  # 3**30 paths
    result = _cli("validate", "--severity", "info", path)
    assert "too-large" in result.stdout and "Traceback" not in result.stderr


def test_soft_link_cycle_is_a_link_cycle_not_a_dangling_link(tmp_path, backend):
    path = tmp_path / "soft.h5"
    hostile.soft_link_cycle(path)
    findings = nxschema.validate(path).findings
    cycles = {f.path for f in findings if f.code == "link-cycle"}
    assert {"/entry/loop_a", "/entry/loop_b", "/entry/self"} <= cycles
    assert not [f for f in findings if f.code == "dangling-link"]


def test_deep_nesting_is_too_deep(tmp_path):
    path = tmp_path / "deep.h5"
    hostile.deep(path, 200)
    assert "too-deep" in _codes(path)


def test_a_hundred_thousand_children_finish(tmp_path):
    path = tmp_path / "many.h5"
    hostile.many_children(path, 100_000, distinct=False)
    result = _cli("validate", "--severity", "warning", path, timeout=120)  # hang guard only
    assert result.returncode in (0, 1) and "Traceback" not in result.stderr


# --- odd attribute types -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(hostile.ODD_VALUES))
def test_odd_nx_class_types_give_a_finding(tmp_path, kind, backend):
    path = tmp_path / f"{kind}.h5"
    hostile.odd_nx_class(path, hostile.ODD_VALUES[kind])
    findings = nxschema.validate(path).findings
    at_odd = {f.code for f in findings if f.path.startswith("/entry/odd")}
    if kind == "empty":  # an empty attribute is no NX_class at all
        assert "missing-nx-class" in at_odd
    else:
        assert at_odd & {"attribute-type", "unreadable-attribute", "unknown-nx-class",
                         "not-utf8"}, at_odd


@pytest.mark.parametrize("attrs,where", [
    ({"axes": 5}, "/entry/data@axes"),
    ({"indices": "0"}, "/entry/data@energy_indices"),
    ({"indices": np.array(["0", "1"], dtype=object)}, "/entry/data@energy_indices"),
    ({"signal": np.arange(3)}, "/entry/data@signal"),
    ({"layout": np.array(["a", "b"], dtype=object)}, "/@layout"),
    ({"default": "."}, "/@default"),
    ({"default": "/"}, "/entry@default"),
])
def test_odd_nxdata_and_root_attributes_give_a_finding(tmp_path, attrs, where, backend):
    path = tmp_path / "odd.h5"
    hostile.odd_nxdata_attrs(path, **attrs)
    findings = nxschema.validate(path).findings
    assert where in {f.path for f in findings if f.code == "attribute-type"}


def test_a_ten_megabyte_signal_is_shown_short(tmp_path):
    path = tmp_path / "huge.h5"
    hostile.huge_attribute(path, 10_000_000)
    result = _cli("validate", "--severity", "info", path)
    assert "bad-signal" in result.stdout
    assert len(result.stdout) < 20_000  # before: 10 MB
    assert "10,000,000 characters in all" in result.stdout


# --- configuration bombs -----------------------------------------------------------------------

BOMBS = {
    "long-integer-json": ('{"a": ' + "1" * 4301 + "}", "json", "too-large"),
    "long-integer-yaml": ("a: " + "1" * 4301 + "\n", "yaml", "too-large"),
    "deep-json": ("[" * 5000 + "]" * 5000, "json", "too-deep"),
    "deep-yaml-flow": ("[" * 5000 + "]" * 5000, "yaml", "too-deep"),
    "deep-yaml-block": ("".join("  " * i + "a:\n" for i in range(5000)), "yaml", "too-"),
    "big-yaml": ("a: [" + ", ".join(["1"] * 1_000_000) + "]\n", "yaml", "too-large"),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_configuration_bombs_give_findings_in_every_command(tmp_path, name):
    text, fmt, code = BOMBS[name]
    path = tmp_path / f"{name}.h5"
    hostile.config_bomb(path, text, fmt)
    result = _cli("validate", path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error[{code}" in result.stdout
    listed = _cli("process", "list", path)
    assert listed.returncode == 0 and "does not parse" in listed.stdout, listed.stderr
    config = _cli("process", "config", path, "entry/process")
    assert config.returncode == 1 and "Traceback" not in config.stderr


def test_nxcollection_configuration_with_a_hard_link_cycle(tmp_path):
    from nxschema._process.record import read_processes
    path = tmp_path / "loop.h5"
    with hostile.base_file(path) as f:
        process = f["entry"].create_group("process")
        process.attrs["NX_class"] = "NXprocess"
        config = process.create_group("configuration")
        config.attrs["NX_class"] = "NXcollection"
        config["again"] = config
    [record] = read_processes(path)
    assert "too-deep" in record.config_problem or "deeper" in record.config_problem


# --- the external-file policy ------------------------------------------------------------------

def _strace_opened(args, cwd) -> str | None:
    """The openat calls of running the CLI with ``args`` (None if strace is not usable); the
    backend chosen by the test (NXSCHEMA_H5_BACKEND) is inherited."""
    strace = shutil.which("strace")
    if strace is None:
        return None
    log = os.path.join(cwd, "trace.txt")
    env = {**os.environ, "PYTHONPATH": ROOT}
    probe = subprocess.run([strace, "-f", "-e", "trace=openat", "-o", log, "true"],
                           capture_output=True)
    if probe.returncode != 0:  # no ptrace in this container
        return None
    subprocess.run([strace, "-f", "-e", "trace=openat", "-o", log, sys.executable, "-m",
                    "nxschema", *map(str, args)], capture_output=True, env=env, timeout=60,
                   cwd=cwd)
    with open(log) as handle:
        return handle.read()


def test_symlink_out_of_the_folder_is_not_followed(tmp_path):
    master, _secret = hostile.symlink_escape(tmp_path / "folder", tmp_path / "elsewhere")
    findings = nxschema.validate(master).findings
    refused = {f.path: f.message for f in findings if f.code == "external-link-not-followed"}
    assert set(refused) == {"/entry/other", "/entry/climb"}
    assert "really" in refused["/entry/other"]  # the real path is named
    assert "NXsecret" not in " ".join(f.message for f in findings)
    trace = _strace_opened(["validate", master], tmp_path)
    if trace is None:
        pytest.skip("strace not usable here")
    assert "secret.h5" not in trace
    assert "master.h5" in trace  # the trace did record the run


@pytest.mark.parametrize("policy", ["never", "below"])
def test_virtual_and_external_storage_outside_are_never_read(tmp_path, policy):
    path, _secret, _raw = hostile.vds_escape(tmp_path / "folder", tmp_path / "elsewhere")
    findings = nxschema.validate(path, external=policy).findings
    refused = {f.path for f in findings if f.code == "external-link-not-followed"}
    assert refused == {"/entry/definition", "/entry2/definition"}
    trace = _strace_opened(["validate", "--external", policy, path], tmp_path)
    if trace is None:
        pytest.skip("strace not usable here")
    assert "secret.h5" not in trace and "raw.bin" not in trace
    assert "vds.h5" in trace


def test_virtual_and_external_storage_are_read_when_allowed(tmp_path):
    path, _secret, _raw = hostile.vds_escape(tmp_path / "folder", tmp_path / "elsewhere")
    findings = nxschema.validate(path, external="follow").findings
    assert not [f for f in findings if f.code == "external-link-not-followed"]
    # the definition was read through both: NXxas applies, and asks for its members
    assert {f.path.split("/")[1] for f in findings if f.definition == "NXxas"} == {
        "entry", "entry2"}


def test_virtual_dataset_inside_the_folder_is_read_under_below(tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    with h5py.File(folder / "source.h5", "w") as f:
        f["name"] = np.array(b"NXxas", dtype="S5")
    layout = h5py.VirtualLayout(shape=(1,), dtype="S5")
    layout[0] = h5py.VirtualSource("source.h5", "name", shape=())
    with h5py.File(folder / "vds.h5", "w", libver="latest") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry.create_virtual_dataset("definition", layout)
    findings = nxschema.validate(folder / "vds.h5").findings
    assert not [f for f in findings if f.code == "external-link-not-followed"]
    assert any(f.definition == "NXxas" for f in findings)


def test_a_fifo_is_not_opened(tmp_path):
    fifo = tmp_path / "pipe.h5"
    os.mkfifo(fifo)
    result = _cli("validate", fifo)
    assert result.returncode == 2 and "not a regular file" in result.stdout


@pytest.mark.parametrize("policy", ["never", "below"])
def test_hdf5_never_traverses_an_external_link_by_itself(tmp_path, policy, backend):
    # @default naming an external link, a soft link through one: by-name calls that HDF5
    # would resolve by opening the other file, policy or not.
    (tmp_path / "folder").mkdir()
    (tmp_path / "elsewhere").mkdir()
    secret = tmp_path / "elsewhere" / "secret.h5"
    with h5py.File(secret, "w") as f:
        f.create_group("entry").attrs["NX_class"] = "NXdata"
        f["entry/x"] = 1
    master = tmp_path / "folder" / "m.h5"
    with h5py.File(master, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        f.attrs["default"] = "ext"
        f["ext"] = h5py.ExternalLink(str(secret), "/entry")
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["soft"] = h5py.SoftLink("/ext/x")
    findings = nxschema.validate(master, external=policy).findings
    assert all(f.file == str(master) for f in findings)  # nothing located in the other file
    trace = _strace_opened(["validate", "--external", policy, master], tmp_path)
    if trace is None:
        pytest.skip("strace not usable here")
    assert "secret.h5" not in trace and "m.h5" in trace
