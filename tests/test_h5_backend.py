"""Both HDF5 backends implement the one ``Backend`` protocol, with compatible signatures."""

from __future__ import annotations

import inspect

import h5py
import pytest

from nxschema._h5 import access
from nxschema._h5.backend import Backend
from nxschema._h5.backend_c import CIO
from nxschema._h5.backend_c import load as load_c
from nxschema._h5.backend_h5py import H5pyIO

IMPLEMENTATIONS = (CIO, H5pyIO)
PROTOCOL_METHODS = sorted(name for name, value in vars(Backend).items()
                          if inspect.isfunction(value) and not name.startswith("_"))


def own(cls, name):
    """The attribute as the class itself (not the protocol) defines it, or None."""
    for klass in cls.__mro__:
        if klass is Backend or klass is object or klass.__name__ == "Protocol":
            return None
        if name in vars(klass):
            return vars(klass)[name]
    return None


def test_the_protocol_names_what_the_resolver_and_walker_call():
    assert {"root", "open", "links", "kind_by_name", "file_number", "link_type",
            "soft_target", "external_target", "read_attr", "read_value", "shape",
            "type_kind"} <= set(PROTOCOL_METHODS)


@pytest.mark.parametrize("cls", IMPLEMENTATIONS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("method", PROTOCOL_METHODS)
def test_every_method_is_implemented_with_a_compatible_signature(cls, method):
    implemented = own(cls, method)
    assert inspect.isfunction(implemented), f"{cls.__name__} does not implement {method}"
    wanted = inspect.signature(getattr(Backend, method)).parameters
    got = inspect.signature(implemented).parameters
    # same parameters, same order, same kinds; a default where the protocol has one
    assert list(got) == list(wanted), (cls.__name__, method)
    for name, parameter in wanted.items():
        assert got[name].kind == parameter.kind, (cls.__name__, method, name)
        if parameter.default is not inspect.Parameter.empty:
            assert got[name].default is not inspect.Parameter.empty, (cls.__name__, method, name)


@pytest.mark.parametrize("cls", IMPLEMENTATIONS, ids=lambda c: c.__name__)
def test_classes_declare_the_protocol_and_name_themselves(cls):
    assert Backend in cls.__mro__  # declared, not only matching by shape
    assert isinstance(own(cls, "name"), str) and own(cls, "name")


def test_instances_are_backends_at_run_time():
    assert isinstance(H5pyIO(), Backend)
    fast = load_c()
    if fast is not None:  # no ctypes access to h5py's HDF5 on some platforms
        assert isinstance(fast, Backend)
    assert isinstance(access.default_io(), Backend)

    class Half:  # a class with some of the methods is not a backend
        name = "half"

        def root(self, f):
            return f

    assert not isinstance(Half(), Backend)


def test_both_backends_answer_the_protocol_alike(tmp_path):
    """Every protocol method, called on both backends, on the same small file."""
    fast = load_c()
    if fast is None:
        pytest.skip("no ctypes access to h5py's HDF5 here")
    path = tmp_path / "f.h5"
    with h5py.File(path, "w") as f:
        g = f.create_group("g")
        g.attrs["NX_class"] = "NXentry"
        g["d"] = [1.0, 2.0]
        g["soft"] = h5py.SoftLink("/g/d")
        g["ext"] = h5py.ExternalLink("other.h5", "/x")
    with h5py.File(path, "r") as f:
        answers = []
        for io in (H5pyIO(), fast):
            root = io.root(f)
            g = io.open(root, b"g")
            d = io.open(g, b"d")
            answers.append([
                io.is_group(g), io.is_group(d), io.links(g), io.kind_by_name(g, b"soft"),
                io.file_number(g, b"d") == io.file_number(root, b"."), io.link_type(g, b"ext"),
                io.soft_target(g, b"soft"), io.external_target(g, b"ext"),
                io.has_link(g, b"ext"), io.has_link(g, b"nothing"), io.attr_names(g),
                io.has_attr(g, b"NX_class"), io.read_attr(g, b"NX_class"), io.type_kind(d),
                io.shape(d), list(io.read_value(d)), io.read_value(d, limit=1),
                io.is_group(io.wrap(f["g"].id)),
            ])
            del root, g, d
        assert answers[0] == answers[1]
        assert answers[0][:3] == [True, False, [(b"d", 0), (b"ext", 64), (b"soft", 1)]]
