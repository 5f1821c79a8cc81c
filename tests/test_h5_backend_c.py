"""The ctypes backend reads exactly what the h5py backend reads, and leaks nothing."""

from __future__ import annotations

import sys

import h5py
import numpy as np
import pytest

import nxschema
from h5files import write_xas_file
from nxschema._h5 import access as _h5access
from nxschema._h5 import backend_c as _h5io_c
from nxschema._h5.backend_h5py import H5pyIO
from test_validate_api import DEFECTS, _break

FAST = _h5io_c.load()
SLOW = H5pyIO()
needs_fast = pytest.mark.skipif(FAST is None, reason="no ctypes access to h5py's HDF5 here")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checked where CI runs")
def test_fast_backend_is_used_on_linux():
    assert FAST is not None
    assert _h5access.default_io().name == "ctypes"


def test_environment_forces_the_h5py_backend(monkeypatch):
    monkeypatch.setenv("NXSCHEMA_H5_BACKEND", "h5py")
    assert _h5access.default_io().name == "h5py"
    assert _h5io_c.load() is None


def test_a_library_that_is_not_hdf5_is_refused(monkeypatch):
    import ctypes.util
    monkeypatch.setattr(_h5io_c, "_loaded_libraries", lambda: [ctypes.util.find_library("c")])
    assert _h5io_c.load() is None


VALUES = {
    "i1": np.int8(-5), "u2": np.uint16(60000), "i8": np.int64(-2**62), "u8": np.uint64(2**63),
    "f2": np.float16(1.5), "f4": np.float32(0.1), "f8": 1e300, "c16": 1 + 2j,
    "bool": np.bool_(True), "vlen": "énergie", "fixed": np.bytes_(b"abc"),
    "nul_padded": np.array(b"ab", dtype="S6"), "latin1": np.bytes_(b"caf\xe9"),
    "empty_text": "", "array": np.arange(6.0).reshape(2, 3), "texts": ["a", "bc"],
    "ints": np.arange(3, dtype="u1"), "compound": np.array((1, 2.0), "i4,f8"),
    "enum": np.array(1, dtype=h5py.enum_dtype({"A": 0, "B": 1}, basetype="i1")),
    "null": h5py.Empty("f"),
}


@pytest.fixture(scope="module")
def typed_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("types") / "types.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        for name, value in VALUES.items():
            g.attrs[name] = value
            g.create_dataset(name, data=value)
        g.create_dataset("big", shape=(100, 100), dtype="f4")
        g["soft"] = h5py.SoftLink("/g/vlen")
        g["dangling"] = h5py.SoftLink("/nowhere")
        g["ext"] = h5py.ExternalLink("other.h5", "/x")
        f["type"] = np.dtype("f8")  # a named datatype: neither group nor dataset
    return path


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return type(a) is type(b) and a.dtype == b.dtype and np.array_equal(a, b)
    return type(a) is type(b) and (a == b or (a != a and b != b))


@needs_fast
def test_both_backends_read_every_type_alike(typed_file):
    with h5py.File(typed_file, "r") as f:
        slow_root, fast_root = SLOW.root(f), FAST.root(f)
        slow, fast = SLOW.open(slow_root, b"g"), FAST.open(fast_root, b"g")
        assert SLOW.links(slow) == FAST.links(fast)
        assert SLOW.attr_names(slow) == FAST.attr_names(fast) == sorted(VALUES)
        for name, _ in FAST.links(fast):
            assert SLOW.kind_by_name(slow, name) == FAST.kind_by_name(fast, name)
        assert FAST.kind_by_name(fast_root, b"type") == "other"
        assert FAST.open(fast_root, b"type") is None  # not a group or dataset: never opened
        assert SLOW.soft_target(slow, b"soft") == FAST.soft_target(fast, b"soft") == "/g/vlen"
        assert SLOW.external_target(slow, b"ext") == FAST.external_target(fast, b"ext")
        for name in VALUES:
            raw = name.encode()
            assert SLOW.has_attr(slow, raw) and FAST.has_attr(fast, raw)
            a, b = SLOW.read_attr(slow, raw), FAST.read_attr(fast, raw)
            assert _same(a, b), (name, a, b)
            ds, df = SLOW.open(slow, raw), FAST.open(fast, raw)
            assert SLOW.type_kind(ds) == FAST.type_kind(df), name
            assert SLOW.shape(ds) == FAST.shape(df), name
            a, b = SLOW.read_value(ds), FAST.read_value(df)
            assert _same(a, b), (name, a, b)
        assert FAST.read_value(FAST.open(fast, b"big")) is None


def _findings(path, monkeypatch, backend):
    monkeypatch.setenv("NXSCHEMA_H5_BACKEND", backend)
    return [(f.code, f.severity, f.path, f.file, f.message)
            for f in nxschema.validate(path).findings]


@needs_fast
@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_both_backends_find_the_same(tmp_path, monkeypatch, name):
    path = tmp_path / "xas.h5"
    write_xas_file(path, n_entries=2)
    _break(path, DEFECTS[name][0])
    fast = _findings(path, monkeypatch, "auto")
    assert fast == _findings(path, monkeypatch, "h5py")
    assert any(f[0] == DEFECTS[name][1] for f in fast)


@needs_fast
def test_odd_types_give_the_same_findings(typed_file, monkeypatch):
    fast = _findings(typed_file, monkeypatch, "auto")
    assert fast == _findings(typed_file, monkeypatch, "h5py")
    assert ("dangling-link", "error", "/g/dangling") in {f[:3] for f in fast}


@needs_fast
def test_every_object_is_closed_after_a_walk(tmp_path):
    path = tmp_path / "xas.h5"
    write_xas_file(path, n_entries=3)
    with h5py.File(path, "r") as f:
        report = nxschema.validate(f)
        assert report.ok
        assert h5py.h5f.get_obj_count(f.id, h5py.h5f.OBJ_ALL) == 1  # the file: nothing left open
