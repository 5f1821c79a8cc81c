"""The one defensive layer every HDF5 value goes through: a value or a problem, never a raise.

Files come from anywhere: an attribute may have any dtype, shape or encoding, a header may be
damaged so that listing its attributes or links fails half-way. Three things keep the checks
simple and safe:

* :class:`Guarded` wraps the object-access backend: a call that fails on a damaged object gives
  a neutral answer (no links, no attributes, no value) instead of an exception;
* :func:`read_attrs` reads all attributes of a group as plain Python (str, int, float, bool,
  lists of them), and turns the ones NeXus gives a meaning to (``NX_class``, ``@signal``,
  ``@axes``, ``AXISNAME_indices``, ...) into the type the rules expect, or into a problem;
* long values keep their full content but show short (:func:`short`): a 10 MB ``@signal``
  appears in a message as its first 200 characters and its size.
"""

from __future__ import annotations

import os

import numpy as np

from nxschema._h5.backend_h5py import NotUTF8

SHOWN = 200  # characters of a value shown in a message
MESSAGE_LIMIT = 2000  # characters of a whole message (what is left out is counted)
MAX_ATTRIBUTES = 4096  # attributes read per object; more is a `too-large` finding


class _Short:
    """A mixin: the value compares and prints in full, but its repr() (used in messages)
    is short and states the full size."""

    __slots__ = ()

    def __repr__(self) -> str:
        return short(super().__repr__(), len(self), "characters" if isinstance(self, str)
                     else "items")

    def __format__(self, spec: str) -> str:  # f"{value}" in a message: short too
        return short(super().__format__(spec), len(self), "characters" if isinstance(
            self, str) else "items") if not spec else super().__format__(spec)


class LongText(_Short, str):
    """Text longer than :data:`SHOWN` characters."""


class LongNotUTF8(_Short, NotUTF8):
    """Long text that was not valid UTF-8."""


class LongList(_Short, list):
    """A list whose repr() is longer than :data:`SHOWN` characters."""


def short(text: str, size: int | None = None, unit: str = "characters") -> str:
    """``text`` cut to :data:`SHOWN` characters, saying how big the whole was."""
    if len(text) <= SHOWN:
        return text
    size = len(text) if size is None else size
    return f"{text[:SHOWN]}… ({size:,} {unit} in all)"


def bounded_message(message: str) -> str:
    """A message of at most :data:`MESSAGE_LIMIT` characters (head and tail kept)."""
    if len(message) <= MESSAGE_LIMIT:
        return message
    keep = MESSAGE_LIMIT // 2
    return f"{message[:keep]} … [{len(message) - 2 * keep:,} characters left out] … " \
           f"{message[-keep:]}"


def plain(value):
    """Data read from a file as plain Python: numpy arrays become lists, numpy scalars Python
    scalars, long text and long lists show short. Anything else odd becomes its repr text."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    elif isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        if len(value) > SHOWN and not isinstance(value, _Short):
            return LongNotUTF8(value) if isinstance(value, NotUTF8) else LongText(value)
        return value
    if isinstance(value, list):
        items = [plain(v) for v in value]
        return LongList(items) if len(items) > 16 or len(repr(items)) > SHOWN else items
    if isinstance(value, tuple):  # a compound element
        return plain(list(value))
    if isinstance(value, bytes):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, complex)):
        return value
    return repr(value)


# --- what NeXus expects of its attributes --------------------------------------------------------

TEXT = "text"
TEXTS = "text or a list of text"
INTEGERS = "an integer or a list of integers"
EXPECTED = {"NX_class": TEXT, "signal": TEXT, "default": TEXT, "layout": TEXT,
            "axes": TEXTS, "auxiliary_signals": TEXTS, "nxschema_placeholder_attributes": TEXTS}


def expected_type(name: str) -> str | None:
    if name in EXPECTED:
        return EXPECTED[name]
    if name.endswith("_indices"):
        return INTEGERS
    return None


def conform(name: str, value):
    """(value, problem): ``value`` in the form the rules expect for attribute ``name``, or
    (None, why not). A one-element list of text stands for the text (h5py writes those)."""
    want = expected_type(name)
    if want is None:
        return value, None
    if value is None:
        return None, f"@{name} is empty (no value); ignored"
    if name == "default" and isinstance(value, str) and value.strip().strip("/.") == "":
        return None, f"@default must name a member of the group, not {value!r}; ignored"
    if want in (TEXT, TEXTS):
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            value = value[0]
        if isinstance(value, str):
            return value, None
        if want == TEXTS and isinstance(value, list) and value and \
                all(isinstance(v, str) for v in value):
            return value, None
    else:
        items = value if isinstance(value, list) else [value]
        if items and all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            return value, None
        if items and all(isinstance(v, float) and v.is_integer() for v in items):
            return [int(v) for v in items] if isinstance(value, list) else int(value), None
    return None, f"@{name} must be {want}, found {describe(value)}; ignored"


def describe(value) -> str:
    """A short description of a value's type and content, for messages."""
    if isinstance(value, list):
        kinds = sorted({type(v).__name__ for v in value})
        return f"a list of {len(value)} ({', '.join(kinds) or 'nothing'}) {value!r}"
    return f"{type(value).__name__} {value!r}"


def read_attrs(io, oid) -> tuple[dict, list[tuple[str, str, str]]]:
    """All attributes of ``oid`` as plain values conformed to their NeXus meaning, and the
    problems met: (code, attribute name, message). Never raises."""
    attrs: dict = {}
    problems: list[tuple[str, str, str]] = []
    try:
        names = io.attr_names(oid)
    except Exception as exc:  # a damaged header: its attributes cannot be listed
        return attrs, [("unreadable-attribute", "", f"the attributes cannot be listed "
                        f"(damaged header?): {one_line(exc)}")]
    if len(names) > MAX_ATTRIBUTES:
        problems.append(("too-large", "", f"{len(names):,} attributes; only the first "
                         f"{MAX_ATTRIBUTES:,} are read"))
        names = names[:MAX_ATTRIBUTES]
    for name in names:
        try:
            value = plain(io.read_attr(oid, name.encode("utf-8", "surrogateescape")))
        except Exception as exc:  # odd dtypes, damaged data: report, go on
            problems.append(("unreadable-attribute", name,
                             f"attribute @{name} cannot be read: {one_line(exc)}"))
            continue
        if isinstance(value, NotUTF8):
            problems.append(("not-utf8", name, f"attribute @{name} is not valid UTF-8; read "
                             f"as {value!r}"))
        value, problem = conform(name, value)
        if problem:
            problems.append(("attribute-type", name, problem))
            continue
        attrs[name] = value
    return attrs, problems


def attr_or_none(io, obj, name: str):
    """An attribute's value as plain data, or None if it is missing or cannot be read."""
    try:
        raw = name.encode()
        if not io.has_attr(obj, raw):
            return None
        return conform(name, plain(io.read_attr(obj, raw)))[0]
    except Exception:  # odd dtypes, damaged headers: the caller checks what it can
        return None


_VLEN_DESCRIPTOR = 16  # bytes per stored element: length (4), heap address (8), index (4)


def vlen_problem(raw: tuple[int, int], offset: int, count: int, limit: int = 4096) -> str:
    """Why the ``count`` variable-length strings stored at ``offset`` of a file (``raw``: its
    descriptor and size) must not be read: a stored length larger than the whole file (a
    damaged descriptor, for which HDF5 would first allocate that much memory). "" if they may.
    """
    fd, size = raw
    data = os.pread(fd, min(count, limit) * _VLEN_DESCRIPTOR, offset)
    for start in range(0, len(data) - 3, _VLEN_DESCRIPTOR):
        length = int.from_bytes(data[start:start + 4], "little")
        if length > size:
            return (f"a stored string length of {length:,} bytes is larger than the file "
                    f"({size:,} bytes): damaged; not read")
    return ""


def one_line(exc) -> str:
    text = str(exc)
    return short(text.splitlines()[0]) if text else type(exc).__name__


# --- the backend, guarded ------------------------------------------------------------------------

# What each call answers when the object is damaged (or missing): nothing there.
_NEUTRAL = {"root": None, "open": None, "links": [], "kind_by_name": None, "link_type": None,
            "soft_target": "", "external_target": ("", ""), "has_link": False,
            "attr_names": [], "has_attr": False, "shape": None, "read_value": None,
            "is_group": False, "identity": None}
# These raise as before: their callers turn the exception into a finding with the reason.
_RAISING = ("read_attr", "type_kind")


class Guarded:
    """The object-access backend, with every call that can meet a damaged object made safe:
    on an exception it answers what an empty object would (see ``_NEUTRAL``). ``read_attr``
    and ``type_kind`` still raise, since their callers report why.

    ``refuse(did)`` says why a dataset's data must not be read (the external-file policy); a
    refused dataset reads as None, like one too big to read. Long text values show short.
    """

    def __init__(self, io, refuse=None):
        self.inner = io
        self.name = io.name
        self._refuse = refuse
        for method, neutral in _NEUTRAL.items():
            fn = getattr(io, method, None)
            if fn is not None:
                setattr(self, method, _guard(fn, neutral))
        for method in _RAISING:
            setattr(self, method, getattr(io, method))
        self._read_value = self.read_value

        def read_value(did, *limit):
            if self._refuse is not None and self._refuse(did):
                return None
            value = self._read_value(did, *limit)
            return plain(value) if isinstance(value, str) and len(value) > SHOWN else value
        self.read_value = read_value

    def h5py_id(self, obj):
        """The h5py ObjectID of a backend object (the ctypes backend wraps its own)."""
        to_h5py = getattr(self.inner, "_h5py", None)
        return to_h5py(obj) if to_h5py is not None else obj

    def __getattr__(self, name):  # anything else: the backend's own
        return getattr(self.inner, name)


def _guard(fn, neutral):
    def call(*args):
        try:
            return fn(*args)
        except Exception:  # damaged header, None object: nothing there
            return list(neutral) if isinstance(neutral, list) else neutral
    call.__name__ = call.__qualname__ = getattr(fn, "__name__", "call")
    call.__doc__ = fn.__doc__
    return call
