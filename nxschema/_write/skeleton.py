"""Skeleton files: a valid NeXus/HDF5 file laid out from any definition, ready to fill in.

Every required member is written (recommended and optional ones on request) with the right
NX_class, dtype, rank and units; fixed values (``definition = NXxas``) are written as such;
everything else gets a placeholder value, and each placeholder is marked so that ``nxschema
validate`` can warn that the file still holds made-up data:

* a dataset whose value is a placeholder carries ``@nxschema_placeholder = True``;
* a group or dataset some of whose attributes are placeholders lists their names in
  ``@nxschema_placeholder_attributes``.

Numeric arrays are left unwritten (HDF5 allocates nothing; they read as zeros) unless
``fill_example`` asks for example values, written slab by slab so that huge ``--dim`` sizes do not
need the memory. The file is written next to the target and renamed over it at the end.
"""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from nxschema import __version__
from nxschema import model as m
from nxschema._definitions.catalog import DefinitionsLike
from nxschema._write.atomic import atomic_output
from nxschema._write.layout import (
    NUMPY_DTYPES,
    AttrNode,
    FieldNode,
    GroupNode,
    LayoutError,
    LinkNode,
    build_layout,
    resolve_definition,
    shape_of,
)
from nxschema.errors import ArgumentError

PLACEHOLDER_ATTR = "nxschema_placeholder"
PLACEHOLDER_ATTRS_ATTR = "nxschema_placeholder_attributes"
SLAB_ELEMENTS = 1 << 20  # elements written per slab when filling example arrays
STR = h5py.string_dtype("utf-8")

# Attributes whose value must name something in the file: left out rather than made up.
_REFERENCES = ("default", "signal", "axes", "auxiliary_signals", "target")


@dataclass
class SkeletonSummary:
    """What :func:`write_skeleton` wrote."""

    path: str
    definition: str
    groups: int = 0
    datasets: int = 0
    links: int = 0
    placeholders: list[str] = field(default_factory=list)  # paths of placeholder values

    def __str__(self) -> str:
        return (f"wrote {self.path} ({self.definition}): {self.groups} groups, "
                f"{self.datasets} datasets, {self.links} links, "
                f"{len(self.placeholders)} placeholder values to replace")


def now_iso() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def parse_dims(items) -> dict[str, int]:
    """``["nP=100", "nx=3"]`` → {"nP": 100, "nx": 3}; ValueError with the bad item."""
    sizes = {}
    for item in items or ():
        name, sep, value = str(item).partition("=")
        name = name.strip()
        if not sep or not name.isidentifier() or not value.strip().isdigit():
            raise ArgumentError(f"--dim {item!r}: expected SYMBOL=LENGTH, e.g. nP=100")
        sizes[name] = int(value)
    return sizes


def used_symbols(root: GroupNode) -> set[str]:
    out = set()
    for node in root.walk():
        for d in getattr(node, "dims", ()):
            if isinstance(d, str):
                out.add(d)
            elif isinstance(d, tuple):
                out.add(d[0])
    return out


def levels_for(recommended: bool, optional: bool) -> tuple[str, ...]:
    if optional:
        return ("required", "recommended", "optional")
    return ("required", "recommended") if recommended else ("required",)


def write_skeleton(definition: m.Definition | str | os.PathLike[str],
                   path: str | os.PathLike[str], *,
                   definitions: DefinitionsLike | None = None, recommended: bool = False,
                   optional: bool = False, fill_example: bool = False,
                   dims: Mapping[str, int] | None = None,
                   overwrite: bool = False) -> SkeletonSummary:
    """Write a skeleton HDF5 file of ``definition``: every required member, placeholders marked.

    Args:
        definition: a catalog key (``NXxas``), a definition file, or a Definition.
        path: the HDF5 file to write (written next to it, then renamed over it).
        definitions: a :class:`~nxschema.Catalog`, or paths of definition files and folders
            loaded over the bundled ones; None: the bundled ones.
        recommended: write the recommended members too.
        optional: write the optional members too (and the recommended ones).
        fill_example: write example values into numeric arrays (else they stay unwritten).
        dims: lengths of symbols, ``{"nP": 100}``; the others get a small default.
        overwrite: replace an existing ``path``.

    Returns:
        A :class:`SkeletonSummary`: counts of groups, datasets, links, and the placeholders.

    Raises:
        nxschema.errors.LayoutError: an unknown definition or symbol, or a negative length.
        nxschema.errors.OutputExistsError: ``path`` exists and not ``overwrite``.
        OSError: the file cannot be written. In every case an existing ``path`` is untouched.
    """
    resolved, catalog = resolve_definition(definition, definitions)
    root = build_layout(resolved, catalog, levels_for(recommended, optional))
    sizes = dict(dims or {})
    known = {s.name for s in resolved.symbols} | used_symbols(root)
    unknown = sorted(set(sizes) - known)
    if unknown:
        raise LayoutError(f"unknown symbol {', '.join(unknown)} for {resolved.key}; it uses: "
                          f"{', '.join(sorted(known)) or 'no symbols'}")
    if any(v < 0 for v in sizes.values()):
        raise LayoutError("dimension lengths must be zero or more")
    summary = SkeletonSummary(os.fspath(path), resolved.key)
    with atomic_output(path, overwrite=overwrite) as temp, \
            h5py.File(temp, "w", track_order=True) as f:
        _Writer(f, sizes, fill_example, summary, Path(os.fspath(path)).name).write(root)
    return summary


class _Writer:
    def __init__(self, f: h5py.File, sizes, fill_example: bool, summary: SkeletonSummary,
                 file_name: str):
        self.f = f
        self.sizes = sizes
        self.fill = fill_example
        self.summary = summary
        self.now = now_iso()
        self.file_name = file_name

    def write(self, root: GroupNode) -> None:
        attrs = self.f.attrs
        attrs["NX_class"] = "NXroot"
        attrs["file_name"] = self.file_name
        attrs["file_time"] = self.now
        attrs["creator"] = f"nxschema {__version__} skeleton"
        attrs["HDF5_Version"] = h5py.version.hdf5_version
        attrs["h5py_version"] = h5py.version.version
        self.attributes(self.f, root.attrs, skip=set(attrs))
        for node in root.walk():
            if node is root:
                continue
            if isinstance(node, GroupNode):
                group = self.f.create_group(node.path, track_order=True)
                group.attrs["NX_class"] = node.nx_class
                self.attributes(group, node.attrs)
                self.summary.groups += 1
            elif isinstance(node, LinkNode):
                self.f[node.path] = h5py.SoftLink(node.target)
                self.summary.links += 1
            else:
                self.dataset(node)

    # --- attributes ---------------------------------------------------------------------------

    def attributes(self, obj, attrs: list[AttrNode], skip=()) -> None:
        placeholders = []
        for a in attrs:
            if a.name in skip or a.name == "NX_class":
                continue
            value, is_placeholder = self.attr_value(a)
            if value is None:
                continue
            obj.attrs[a.name] = value
            if is_placeholder:
                placeholders.append(a.name)
                self.summary.placeholders.append(f"{obj.name.rstrip('/')}@{a.name}")
        if placeholders:
            obj.attrs[PLACEHOLDER_ATTRS_ATTR] = placeholders

    def attr_value(self, a: AttrNode):
        if a.value is not None:
            return a.value, False
        if a.name in _REFERENCES:
            return None, False
        if a.enum:
            return a.enum[0], True
        if a.nx_type in ("NX_DATE_TIME", "ISO8601"):
            return self.now, True
        dtype = NUMPY_DTYPES.get(a.nx_type or "NX_CHAR")
        if dtype is None:
            value = f"TODO: {a.name}"
        elif dtype == "bool":
            value = np.bool_(False)
        else:
            value = np.array(1 if a.nx_type == "NX_POSINT" else 0, dtype=dtype)
        return ([value] * max(a.rank, 1) if a.rank else value), True

    # --- datasets -----------------------------------------------------------------------------

    def dataset(self, node: FieldNode) -> None:
        shape = shape_of(node.dims, self.sizes)
        parent = self.f[node.path.rsplit("/", 1)[0] or "/"]
        if node.fixed:
            ds = _create_value(parent, node.name, node.value, node.nx_type, shape)
        elif node.nx_type in ("NX_CHAR", "NX_DATE_TIME", "ISO8601") or \
                node.nx_type not in NUMPY_DTYPES:
            ds = _create_value(parent, node.name, self.text_value(node), "NX_CHAR", shape)
        else:
            ds = self.numbers(parent, node, shape)
        if not node.fixed:
            ds.attrs[PLACEHOLDER_ATTR] = True
            self.summary.placeholders.append(node.path)
        unit = node.unit
        if unit is not None and "units" not in {a.name for a in node.attrs}:
            ds.attrs["units"] = unit
        self.attributes(ds, node.attrs)
        self.summary.datasets += 1

    def text_value(self, node: FieldNode) -> str:
        if node.enum:
            return node.enum[0]
        if node.nx_type in ("NX_DATE_TIME", "ISO8601"):
            return self.now
        if node.config is not None:
            return example_config(node.config)
        return f"example {node.name}" if self.fill else f"TODO: {node.name}"

    def numbers(self, parent, node: FieldNode, shape):
        dtype = np.dtype(NUMPY_DTYPES[node.nx_type])
        if node.enum:
            value = np.array(_first_number(node.enum, dtype), dtype=dtype)
            return parent.create_dataset(node.name, data=np.full(shape, value, dtype=dtype))
        if not shape:
            value = 1 if node.nx_type == "NX_POSINT" or self.fill else 0
            return parent.create_dataset(node.name, data=np.array(value, dtype=dtype))
        fillvalue = 1 if node.nx_type == "NX_POSINT" else 0
        ds = parent.create_dataset(node.name, shape=shape, dtype=dtype,
                                   fillvalue=np.array(fillvalue, dtype=dtype))
        if self.fill:
            fill_slabs(ds)
        return ds


def _first_number(items, dtype):
    try:
        return dtype.type(items[0])
    except (TypeError, ValueError):
        return 0


def _create_value(parent, name: str, value, nx_type: str, shape):
    """A dataset holding ``value`` (repeated to ``shape``), strings as variable-length UTF-8."""
    if isinstance(value, str) or nx_type in ("NX_CHAR", "NX_DATE_TIME", "ISO8601"):
        text = str(value)
        if shape:
            data = np.empty(shape, dtype=object)
            data.fill(text)
            return parent.create_dataset(name, data=data, dtype=STR)
        return parent.create_dataset(name, data=text, dtype=STR)
    dtype = NUMPY_DTYPES.get(nx_type)
    arr = np.array(value, dtype=dtype) if dtype else np.array(value)
    return parent.create_dataset(name, data=np.full(shape, arr) if shape else arr)


def fill_slabs(ds) -> None:
    """Write example values (a ramp) into ``ds`` slab by slab along its first axis."""
    shape = ds.shape
    total = int(np.prod(shape))
    if total == 0:
        return
    row = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    rows_per_slab = max(1, SLAB_ELEMENTS // max(row, 1))
    for start in range(0, shape[0], rows_per_slab):
        stop = min(shape[0], start + rows_per_slab)
        write_slab(ds, start, stop, _ramp(ds.dtype, start * row, stop * row, total))


def write_slab(ds, start: int, stop: int, values) -> None:
    """One slab of example values; a function of its own so that tests can interrupt here."""
    ds[start:stop] = values.reshape((stop - start,) + ds.shape[1:])


def _ramp(dtype, first: int, last: int, total: int):
    index = np.arange(first, last, dtype=np.float64)
    if dtype.kind == "b":
        return (index % 2).astype(bool)
    if dtype.kind in "iu":
        return (index + 1).astype(dtype)
    return (1.0 + index / max(total - 1, 1)).astype(dtype)


def example_config(spec: m.ConfigSpec) -> str:
    """The smallest configuration text that parses in the spec's first format (and fits its
    JSON Schema, when the schema is simple enough to build an instance from)."""
    value = schema_example(json.loads(spec.schema)) if spec.schema else {}
    fmt = spec.formats[0] if spec.formats else "json"
    if fmt == "ini":
        sections = value if isinstance(value, dict) and all(
            isinstance(v, dict) for v in value.values()) else {}
        return "".join(f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in body.items())
                       for name, body in sections.items())
    return json.dumps(value)  # JSON is also valid YAML


def schema_example(schema, depth: int = 0):
    """A minimal instance of a JSON Schema: defaults, first enum items, required keys."""
    if not isinstance(schema, dict) or depth > 8:
        return {}
    for key in ("default", "const"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    if kind == "object" or (kind is None and "properties" in schema):
        props = schema.get("properties", {})
        return {k: schema_example(props.get(k, {}), depth + 1) for k in schema.get("required", ())}
    if kind == "array":
        count = schema.get("minItems", 0)
        return [schema_example(schema.get("items", {}), depth + 1) for _ in range(count)]
    minimum = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    return {"string": "x" * schema.get("minLength", 0), "integer": int(minimum) + (
        1 if "exclusiveMinimum" in schema else 0), "number": minimum, "boolean": False,
        "null": None}.get(kind, {})
