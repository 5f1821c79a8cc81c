"""NXprocess recording: configurations come back exactly, steps stay in order, never half a step."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import h5py
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nxschema
from nxschema._process import record as _process
from nxschema._process.record import read_config, read_processes, read_record, record_process
from nxschema._process.config import dump_config, same
from nxschema.errors import ArgumentError, NotFoundError

CONFIG = {"edge": 7.112, "pre": [-150, -30], "norm": {"order": 2, "clamp": True},
          "label": "Fe K", "smooth": None}
INI = {"normalisation": {"edge": "7.112", "order": "2"}, "output": {"folder": "/tmp/x"}}


def cli(*args):
    proc = subprocess.run([sys.executable, "-m", "nxschema", *map(str, args)],
                          check=False, capture_output=True, text=True)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def structure(path_or_file):
    """Every object of a file with its kind and attributes: to compare before and after."""
    out = {}

    def visit(name, obj):
        attrs = {k: repr(v) for k, v in obj.attrs.items()}
        out[name] = (type(obj).__name__, attrs, obj[()].tobytes() if isinstance(
            obj, h5py.Dataset) and obj.dtype.kind != "O" else None)

    if isinstance(path_or_file, h5py.File):
        path_or_file.visititems(visit)
        return out
    with h5py.File(path_or_file, "r") as f:
        f.visititems(visit)
    return out


def memory_file():
    return h5py.File(io.BytesIO(), "w")


# --- exact round trips (property tests) -------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=16)
JSON_CONFIGS = st.dictionaries(st.text(), JSON_VALUES, max_size=5)

# ini: sections of text values; names without ini syntax characters or edge spaces.
_NAME_CHARS = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                            blacklist_characters="[]=:;#")
_INI_NAMES = st.text(_NAME_CHARS, min_size=1, max_size=12).filter(
    lambda s: s == s.strip() and s != "DEFAULT")
_INI_VALUES = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                      max_size=20).filter(lambda s: s == s.strip())
INI_CONFIGS = st.dictionaries(_INI_NAMES, st.dictionaries(_INI_NAMES, _INI_VALUES, max_size=4),
                              max_size=4)
ROUND_TRIP = settings(max_examples=50, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


def _round_trip(config, fmt, form):
    with memory_file() as f:
        path = record_process(f, "entry", program="prog", version="1", config=config,
                              config_format=fmt, form=form)
        back = read_config(f, path)
        record = read_record(f, path)
    assert same(back, config), (back, config)
    assert record.form == form and record.config_format == fmt


@pytest.mark.parametrize("form", ["v1", "v2"])
@pytest.mark.parametrize("fmt", ["json", "yaml"])
@ROUND_TRIP
@given(config=JSON_CONFIGS)
def test_json_and_yaml_round_trip_exactly(config, fmt, form):
    _round_trip(config, fmt, form)


@pytest.mark.parametrize("form", ["v1", "v2"])
@ROUND_TRIP
@given(config=INI_CONFIGS)
def test_ini_round_trips_exactly_what_ini_can_hold(config, form):
    _round_trip(config, "ini", form)


@ROUND_TRIP
@given(config=JSON_CONFIGS)
def test_nxcollection_round_trips_json_compatible_configs(config):
    bad_key = any(k in ("", ".", "..") or "/" in k or "\x00" in k for k in config)
    if bad_key:
        with pytest.raises(ValueError, match="HDF5 name"):
            _round_trip(config, "nxcollection", "v1")
    else:
        _round_trip(config, "nxcollection", "v1")


def test_same_compares_types():
    assert same({"a": [1, 2.0]}, {"a": [1, 2.0]})
    assert not same({"a": 1}, {"a": 1.0}) and not same({"a": 1}, {"a": True})
    assert not same([0.0], [-0.0])


# --- what cannot be written is refused, before the file is touched ---------------------------------

@pytest.mark.parametrize("config, fmt, message", [
    ({"a": (1, 2)}, "json", "tuple.*use a list"),
    ({"a": float("nan")}, "yaml", "NaN"),
    ({"a": np.int64(3)}, "json", "int64"),
    ({1: "x"}, "json", "keys must be strings"),
    ({"section": {"order": 2}}, "ini", r"text values only.*str\(value\)"),
    ({"flat": "value"}, "ini", "not a section"),
    ({"s": {"k": " padded"}}, "ini", "would not survive ini"),
    ({"DEFAULT": {"k": "v"}}, "ini", "section name"),
])
def test_unrepresentable_configurations_are_refused(tmp_path, config, fmt, message):
    path = tmp_path / "scan.h5"
    record_process(path, "entry", program="a", version="1", config={"x": 1})
    before = path.read_bytes()
    with pytest.raises(ValueError, match=message):
        record_process(path, "entry", program="b", version="1", config=config,
                       config_format=fmt)
    assert path.read_bytes() == before


def test_bad_arguments_are_refused(tmp_path):
    path = tmp_path / "scan.h5"
    cases = [({"form": "v3"}, "form must be one of"),
             ({"config_format": "nxcollection", "form": "v2"}, "form v1 only"),
             ({"results": {"y": np.ones(5)}, "signal": "z"}, "signal 'z' is not one"),
             ({"results": {"y": np.ones(5), "x": np.ones(4)}, "signal": "y", "axes": ["x"]},
              "axis 'x' has length 4"),
             ({"date": "last tuesday"}, "ISO 8601"),
             ({"name": "a/b"}, "HDF5 group name")]
    for change, message in cases:
        args = {"program": "p", "version": "1", "config": {}, **change}
        with pytest.raises(ValueError, match=message):
            record_process(path, "entry", **args)
    assert not path.exists()


# --- steps, order, forms, validity ------------------------------------------------------------------

def test_steps_keep_sequence_order_and_validate(tmp_path):
    path = tmp_path / "scan.h5"
    energy = np.linspace(7.0, 7.5, 20)
    steps = [("v1", "json"), ("v2", "yaml"), ("v1", "nxcollection"), ("v2", "ini"),
             ("v1", "yaml")]
    written = []
    for i, (form, fmt) in enumerate(steps):
        config = INI if fmt == "ini" else {**CONFIG, "step": i}
        written.append(record_process(
            path, "1.1", program="larch", version="0.9.80", config=config, config_format=fmt,
            form=form, results={"energy": energy, "mu": np.linspace(0, 1, 20)}, signal="mu",
            axes=["energy"], units={"energy": "keV"}))
    records = read_processes(path, "1.1")
    assert [r.path for r in records] == written
    assert [r.sequence_index for r in records] == [1, 2, 3, 4, 5]
    assert [(r.form, r.config_format) for r in records] == steps
    assert records[0].name == "larch" and records[1].name == "larch_2"
    with h5py.File(path, "r") as f:
        results = f[written[0]]["results"]
        assert results.attrs["NX_class"] == "NXdata" and results.attrs["signal"] == "mu"
        assert results.attrs["axes"] == "energy" and results["energy"].attrs["units"] == "keV"
        assert f[written[1]]["configuration/type"][()].decode() == "application/yaml"
        assert f[written[0]]["configuration"].attrs["format"] == "json"
    report = nxschema.validate(path)
    assert report.ok, [str(e) for e in report.errors]


def test_results_without_signal_are_a_collection(tmp_path):
    path = tmp_path / "scan.h5"
    step = record_process(path, "entry", program="fit", version="2", config={},
                          results={"chi2": 1.5, "params": {"a": [1.0, 2.0]}, "note": "ok"})
    with h5py.File(path, "r") as f:
        assert f[step]["results"].attrs["NX_class"] == "NXcollection"
        assert f[step]["results/params"].attrs["NX_class"] == "NXcollection"
        assert f[step]["results/chi2"][()] == 1.5
    assert nxschema.validate(path).ok


def test_next_sequence_index_follows_existing_steps(tmp_path):
    path = tmp_path / "scan.h5"
    with h5py.File(path, "w") as f:
        f.attrs["NX_class"] = "NXroot"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        old = entry.create_group("old")
        old.attrs["NX_class"] = "NXprocess"
        old["sequence_index"] = np.int64(7)
    step = record_process(path, "entry", program="next", version="1", config={})
    assert read_record(path, step).sequence_index == 8


# --- never half a step ----------------------------------------------------------------------------

def _boom(*args):
    raise RuntimeError("crash while writing the results")


def test_exception_mid_append_leaves_the_file_byte_identical(tmp_path, monkeypatch):
    path = tmp_path / "scan.h5"
    record_process(path, "entry", program="a", version="1", config=CONFIG)
    before = path.read_bytes()
    monkeypatch.setattr(_process, "_write_results", _boom)
    with pytest.raises(RuntimeError):
        record_process(path, "entry", program="b", version="1", config=CONFIG, form="v2")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["scan.h5"]  # no temporary file left


@pytest.mark.parametrize("how", ["in_place", "open_file"])
def test_exception_mid_append_in_place_leaves_the_structure_unchanged(tmp_path, monkeypatch,
                                                                      how):
    path = tmp_path / "scan.h5"
    record_process(path, "entry", program="a", version="1", config=CONFIG)
    before = structure(path)
    monkeypatch.setattr(_process, "_write_results", _boom)
    with pytest.raises(RuntimeError):
        if how == "in_place":
            record_process(path, "entry", program="b", version="1", config=CONFIG,
                           in_place=True)
        else:
            with h5py.File(path, "r+") as f:
                record_process(f, "entry", program="b", version="1", config=CONFIG)
    assert structure(path) == before
    monkeypatch.undo()
    record_process(path, "entry", program="b", version="1", config=CONFIG, in_place=True)
    assert [r.sequence_index for r in read_processes(path, "entry")] == [1, 2]


def test_failure_in_a_new_entry_removes_the_entry(monkeypatch):
    monkeypatch.setattr(_process, "_write_results", _boom)
    with memory_file() as f:
        f.create_group("keep")
        with pytest.raises(RuntimeError):
            record_process(f, "new", program="b", version="1", config={})
        assert list(f) == ["keep"]


# --- what real programs wrote ---------------------------------------------------------------------

def _note_process(entry, name, **fields):
    process = entry.create_group(name)
    process.attrs["NX_class"] = "NXprocess"
    process["program"] = "someone"
    note = process.create_group("configuration")
    note.attrs["NX_class"] = "NXnote"
    for key, value in fields.items():
        note[key] = value
    return process


def test_reads_what_other_programs_write(tmp_path):
    path = tmp_path / "other.h5"
    crlf = '{\r\n  "edge": 7.1,\r\n  "norm": {\r\n    "order": 2\r\n  }\r\n}\r\n'
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        _note_process(entry, "a", format="text/json", data=crlf)
        _note_process(entry, "b", type="application/json",
                      data=np.frombuffer(b'{"x": [1, 2]}', dtype=np.uint8))
        _note_process(entry, "c", type="ini", data=b"[sec]\nkey = value\n")
        _note_process(entry, "d", file_name="setup.yaml", data="a: 1\nb: [x, y]\n")
        v1 = entry.create_group("e")
        v1.attrs["NX_class"] = "NXprocess"
        v1["configuration"] = "[main]\r\nlevel = 3\r\n"
        v1["configuration"].attrs["format"] = "ini"
        tree = entry.create_group("f")
        tree.attrs["NX_class"] = "NXprocess"
        collection = tree.create_group("configuration")
        collection.attrs["NX_class"] = "NXcollection"
        collection["energy"] = np.float32(7.5)
        collection["roi"] = np.array([[1, 2], [3, 4]])
        collection.create_group("fit")["method"] = b"leastsq"
        guess = entry.create_group("g")
        guess.attrs["NX_class"] = "NXprocess"
        guess["configuration"] = "[detector]\nname = mca\n"
    configs = {r.name: r.config for r in read_processes(path, "entry")}
    assert configs == {"a": {"edge": 7.1, "norm": {"order": 2}}, "b": {"x": [1, 2]},
                       "c": {"sec": {"key": "value"}}, "d": {"a": 1, "b": ["x", "y"]},
                       "e": {"main": {"level": "3"}},
                       "f": {"energy": 7.5, "roi": [[1, 2], [3, 4]],
                             "fit": {"method": "leastsq"}},
                       "g": {"detector": {"name": "mca"}}}
    assert read_record(path, "entry/a").config_text == crlf  # the text, exactly as stored


def test_unparsable_configuration_is_reported_not_raised_when_listing(tmp_path):
    path = tmp_path / "bad.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        _note_process(entry, "broken", type="application/json", data='{"a": ')
    (record,) = read_processes(path, "entry")
    assert record.config is None and "does not parse" in record.config_problem
    with pytest.raises(ValueError, match="does not parse"):
        read_config(path, "entry/broken")
    with pytest.raises(KeyError):
        read_config(path, "entry/missing")


# --- the CLI: feeding a configuration back ---------------------------------------------------------

def program(config: dict) -> float:
    """A stand-in for the analysis program: its result depends on every configuration value."""
    return config["edge"] * config["norm"]["order"] + len(config["label"]) + sum(config["pre"])


def test_configuration_printed_by_the_cli_feeds_the_program_back(tmp_path):
    path = tmp_path / "scan.h5"
    record_process(path, "1.1", program="larch", version="0.9.80", config=CONFIG,
                   config_format="yaml", form="v2", name="normalisation")
    listing = cli("process", "list", path)
    assert listing.returncode == 0 and "/1.1/normalisation  #1  larch 0.9.80" in listing.stdout
    stored = cli("process", "config", path, "1.1/normalisation")
    assert stored.returncode == 0 and stored.stdout == dump_config(CONFIG, "yaml")
    as_json = cli("process", "config", path, "1.1/normalisation", "--to", "json")
    assert program(json.loads(as_json.stdout)) == program(CONFIG)
    out = tmp_path / "normalisation.json"
    assert cli("process", "config", path, "1.1/normalisation", "--to", "json", "-o",
               out).returncode == 0
    assert same(json.loads(out.read_text()), CONFIG)
    refused = cli("process", "config", path, "1.1/normalisation", "--to", "ini")
    assert refused.returncode == 1 and "ini" in refused.stderr
    assert cli("process", "config", path, "1.1/nothing").returncode == 2
    assert cli("process", "list", tmp_path / "missing.h5").returncode == 2
    assert "examples:" in cli("process", "--help").stdout


def test_public_api_names():
    assert nxschema.record_process is record_process
    assert nxschema.read_processes is read_processes


def test_reading_steps_never_leaves_the_file_or_its_folder(tmp_path):
    """A step whose program and configuration are virtual datasets over a file outside the
    folder, and an entry that is an external link: nothing of the other files is read."""
    outside, folder = tmp_path / "outside", tmp_path / "folder"
    outside.mkdir()
    folder.mkdir()
    with h5py.File(outside / "secret.h5", "w") as f:
        f["text"] = np.array([b'{"secret": 1}'], dtype="S13")
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        step = entry.create_group("elsewhere")
        step.attrs["NX_class"] = "NXprocess"
        step["program"] = "other"
    layout = h5py.VirtualLayout(shape=(1,), dtype="S13")
    layout[0] = h5py.VirtualSource(str(outside / "secret.h5"), "text", shape=(1,))
    path = folder / "proc.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        step = entry.create_group("integrate")
        step.attrs["NX_class"] = "NXprocess"
        step.create_virtual_dataset("program", layout)
        step["version"], step["sequence_index"] = "1", 1
        note = step.create_group("configuration")
        note.attrs["NX_class"] = "NXnote"
        note["type"] = "application/json"
        note.create_virtual_dataset("data", layout)
        f["linked"] = h5py.ExternalLink(str(outside / "secret.h5"), "/entry")
        entry["soft_to_linked"] = h5py.SoftLink("/linked/elsewhere")
    (record,) = read_processes(path)
    assert record.path == "/entry/integrate" and record.program is None
    assert record.config is None and "cannot be read" in record.config_problem
    with pytest.raises(ArgumentError, match="cannot be read"):
        read_config(path, "entry/integrate")
    with pytest.raises(NotFoundError):  # through the external link: not followed
        read_processes(path, entry="linked")
