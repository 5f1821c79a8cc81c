"""Recording processing steps as NXprocess groups, and reading their configuration back.

``record_process`` appends one step to an entry, in either ESRF form:

* **v1**: ``configuration`` is a text dataset with ``@format`` (json, yaml or ini) — the
  NXesrf_process_v1_text form — or, with ``config_format="nxcollection"``, an NXcollection tree
  (NXesrf_process_v1);
* **v2**: ``configuration`` is an NXnote holding ``file_name``, ``type`` (a MIME type) and
  ``data`` (the text) — NXesrf_process_v2.

Each step gets the next free ``sequence_index`` of its entry, ``program``, ``version``, ``date``
and ``results`` (an NXdata with @signal and @axes when a signal is named, else an NXcollection).

Never half a step: appending to an existing file by path copies it next to itself, appends to
the copy and renames the copy over the original (atomic even if the process is killed; costs one
copy of the file). With ``in_place=True`` (or an open h5py File/Group) the step is written into a
hidden temporary group, renamed into place at the end and removed on any exception; a process
killed meanwhile can leave that hidden group behind (readers here ignore it).

``read_processes`` and ``read_config`` read both forms, and what other programs write: the MIME
type in an NXnote ``type`` or ``format`` field, ``application/json``, ``text/json``, ``ini``,
CRLF line ends, configurations stored as bytes or uint8 arrays.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import h5py
import numpy as np

from nxschema._h5.policy import open_inside
from nxschema._process.config import (
    CONFIG_FORMATS,
    MIME_TYPES,
    STR,
    collection_problem,
    dump_config,
    load_config,
    read_collection,
    read_text,
    write_collection,
)
from nxschema._process.formats import guess_format
from nxschema._validate.values import ISO8601
from nxschema._write.atomic import atomic_output
from nxschema.errors import ArgumentError, ArgumentTypeError, NotFoundError

FORMS = ("v1", "v2")
PARTIAL_PREFIX = ".nxschema-partial-"


@dataclass(frozen=True)
class ProcessRecord:
    """One NXprocess step as read from a file."""

    path: str  # /entry/name
    name: str
    sequence_index: int | None
    program: str | None
    version: str | None
    date: str | None
    form: str | None  # "v1" or "v2" (None: no configuration found)
    config_format: str | None  # json, yaml, ini or nxcollection
    config_text: str | None  # the text exactly as stored (None for nxcollection)
    config: Any  # the parsed configuration (None if missing or unreadable)
    config_problem: str | None  # why the configuration could not be read
    results: str | None  # path of the results group


# --- recording -----------------------------------------------------------------------------------

def record_process(file_or_group: str | os.PathLike[str] | h5py.File | h5py.Group, entry: str,
                   *, program: str, version: str, config: Mapping[str, Any],
                   config_format: str = "json", form: str = "v1",
                   results: Mapping[str, Any] | None = None, name: str | None = None,
                   date: str | datetime.datetime | None = None, signal: str | None = None,
                   axes: Sequence[str] | None = None, units: Mapping[str, str] | None = None,
                   config_file_name: str | None = None, in_place: bool = False) -> str:
    """Append one processing step (an NXprocess group) to ``entry``.

    Everything is checked before the file is touched; a file is changed by writing a copy and
    renaming it over the original, unless ``in_place`` (or an open h5py File/Group is given).

    Args:
        file_or_group: an HDF5 file (created if missing) or an open h5py File/Group.
        entry: the NXentry to append to (created if missing).
        program, version: what did the processing.
        config: the configuration, written in ``config_format`` so that :func:`read_config`
            gives back exactly ``config``.
        config_format: ``json``, ``yaml``, ``ini``, or ``nxcollection`` (form v1 only).
        form: ``v1`` or ``v2``, the ESRF processing form to write.
        results: names to arrays (or nested mappings); with ``signal`` (and ``axes``) an
            NXdata, else an NXcollection.
        name: the group's name (default: from the program name).
        date: when it ran (default: now).
        signal, axes: the NXdata's signal and axes among ``results``.
        units: result names to units.
        config_file_name: the name of the configuration file it came from, when it did.
        in_place: change the file in place instead of through a copy.

    Returns:
        The path of the new step, ``/entry/name``.

    Raises:
        nxschema.errors.ArgumentError: a bad argument (a ValueError).
        nxschema.errors.ArgumentTypeError: an argument of the wrong type (a TypeError).
        OSError: the file cannot be read or written.
    """
    step = _Step.checked(program, version, config, config_format, form, results, name, date,
                         signal, axes, units, config_file_name)
    if isinstance(file_or_group, (h5py.File, h5py.Group)):
        return _append_in_place(file_or_group, entry, step)
    path = os.fspath(file_or_group)
    if not os.path.exists(path):
        with atomic_output(path) as temp, h5py.File(temp, "w", track_order=True) as f:
            f.attrs["NX_class"] = "NXroot"
            return _append_in_place(f, entry, step)
    if in_place:
        with h5py.File(path, "r+") as f:
            return _append_in_place(f, entry, step)
    with atomic_output(path, overwrite=True, copy_of=path) as temp, h5py.File(temp, "r+") as f:
        return _append_in_place(f, entry, step)


@dataclass
class _Step:
    program: str
    version: str
    config_text: str | None
    config: Any
    config_format: str
    form: str
    results: dict
    name: str | None
    date: str
    signal: str | None
    axes: list[str]
    units: dict
    config_file_name: str | None

    @classmethod
    def checked(cls, program, version, config, config_format, form, results, name, date,
                signal, axes, units, config_file_name) -> _Step:
        for label, value in (("program", program), ("version", version)):
            if not isinstance(value, str) or not value.strip():
                raise ArgumentError(f"{label} must be a non-empty string, not {value!r}")
        if form not in FORMS:
            raise ArgumentError(f"form must be one of {', '.join(FORMS)}, not {form!r}")
        if config_format not in CONFIG_FORMATS:
            raise ArgumentError(f"config_format must be one of {', '.join(CONFIG_FORMATS)}, not "
                             f"{config_format!r}")
        if not isinstance(config, Mapping):
            raise ArgumentTypeError(f"config must be a mapping (a dict), not {type(config).__name__}")
        text = None
        if config_format == "nxcollection":
            if form != "v1":
                raise ArgumentError("config_format 'nxcollection' exists in form v1 only")
            problem = collection_problem(config)
            if problem:
                raise ArgumentError(f"cannot write the configuration as an NXcollection: {problem}")
        else:
            text = dump_config(config, config_format)
        if name is not None and (not name or "/" in name or name in (".", "..")):
            raise ArgumentError(f"name {name!r} cannot be an HDF5 group name")
        data, axes_list = _checked_results(results, signal, axes)
        return cls(program, version, text, config, config_format, form, data, name,
                   _iso_date(date), signal, axes_list, dict(units or {}), config_file_name)


def _iso_date(date) -> str:
    if date is None:
        return datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    if isinstance(date, datetime.datetime):
        return (date if date.tzinfo else date.astimezone()).isoformat()
    if isinstance(date, str) and ISO8601.match(date.strip()):
        return date.strip()
    raise ArgumentError(f"date must be a datetime or ISO 8601 text, not {date!r}")


def _checked_results(results, signal, axes) -> tuple[dict, list[str]]:
    if results is None:
        if signal or axes:
            raise ArgumentError("signal and axes name results; results is None")
        return {}, []
    if not isinstance(results, Mapping):
        raise ArgumentTypeError(f"results must be a mapping of names to arrays, not "
                         f"{type(results).__name__}")
    data = {}
    for key, value in results.items():
        if not isinstance(key, str) or not key or "/" in key or key in (".", ".."):
            raise ArgumentError(f"results key {key!r} cannot be an HDF5 name")
        if isinstance(value, Mapping):
            data[key] = _checked_results(value, None, None)[0]
        elif isinstance(value, str):
            data[key] = value
        else:
            arr = np.asarray(value)
            if arr.dtype.kind not in "biufc":
                raise ArgumentError(f"results[{key!r}] is not numeric ({arr.dtype})")
            data[key] = arr
    axes_list = [axes] if isinstance(axes, str) else list(axes or ())
    if signal is None:
        if axes_list:
            raise ArgumentError("axes given without a signal")
        return data, []
    arrays = [k for k, v in data.items() if isinstance(v, np.ndarray)]
    if signal not in arrays:
        raise ArgumentError(f"signal {signal!r} is not one of the result arrays "
                         f"({', '.join(arrays) or 'none'})")
    shape = data[signal].shape
    if len(axes_list) > max(len(shape), 1):
        raise ArgumentError(f"{len(axes_list)} axes for a signal of rank {len(shape)}")
    for i, axis in enumerate(axes_list):
        if axis == ".":
            continue
        value = data.get(axis)
        if not isinstance(value, np.ndarray) or value.ndim != 1:
            raise ArgumentError(f"axis {axis!r} must be a 1-D result array")
        if shape and len(value) not in (shape[i], shape[i] + 1):
            raise ArgumentError(f"axis {axis!r} has length {len(value)}, signal {signal!r} has "
                             f"{shape[i]} along dimension {i}")
    return data, axes_list


def _append_in_place(root, entry: str, step: _Step) -> str:
    """Write the step into a hidden group of the entry, then rename it: all or nothing."""
    created_entry = entry not in root
    group_entry = root.require_group(entry)
    if created_entry:
        group_entry.attrs["NX_class"] = "NXentry"
    temp_name = PARTIAL_PREFIX + secrets.token_hex(4)
    try:
        sequence = next_sequence_index(group_entry)
        name = step.name or _free_name(group_entry, step.program, sequence)
        if name in group_entry:
            raise ArgumentError(f"{group_entry.name}/{name} exists already")
        temp = group_entry.create_group(temp_name, track_order=True)
        _write_step(temp, step, sequence)
        temp.attrs["NX_class"] = "NXprocess"  # last: a leftover partial group is no NXprocess
        group_entry.move(temp_name, name)
    except BaseException:
        with contextlib.suppress(Exception):
            if created_entry:
                del root[entry]
            elif temp_name in group_entry:
                del group_entry[temp_name]
        raise
    return f"{group_entry.name.rstrip('/')}/{name}"


def next_sequence_index(entry: h5py.Group) -> int:
    """One more than the highest sequence_index of the entry's NXprocess groups (1 if none)."""
    highest = 0
    for key in entry:
        group = entry.get(key)
        if isinstance(group, h5py.Group) and _nx_class(group) == "NXprocess":
            value = _scalar(group, "sequence_index")
            if isinstance(value, int) and not isinstance(value, bool):
                highest = max(highest, value)
    return highest + 1


def _free_name(entry: h5py.Group, program: str, sequence: int) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", program).strip("._") or "process"
    for candidate in (base, f"{base}_{sequence}"):
        if candidate not in entry:
            return candidate
    n = 2
    while f"{base}_{sequence}_{n}" in entry:
        n += 1
    return f"{base}_{sequence}_{n}"


def _write_step(group: h5py.Group, step: _Step, sequence: int) -> None:
    group.create_dataset("program", data=step.program, dtype=STR)
    group.create_dataset("version", data=step.version, dtype=STR)
    group.create_dataset("date", data=step.date, dtype=STR)
    group.create_dataset("sequence_index", data=np.int64(sequence))
    _write_configuration(group, step)
    _write_results(group, step)


def _write_configuration(group: h5py.Group, step: _Step) -> None:
    if step.config_format == "nxcollection":
        collection = group.create_group("configuration", track_order=True)
        collection.attrs["NX_class"] = "NXcollection"
        write_collection(collection, step.config)
    elif step.form == "v1":
        ds = group.create_dataset("configuration", data=step.config_text, dtype=STR)
        ds.attrs["format"] = step.config_format
    else:
        note = group.create_group("configuration", track_order=True)
        note.attrs["NX_class"] = "NXnote"
        file_name = step.config_file_name or f"{step.program}.{step.config_format}"
        note.create_dataset("file_name", data=file_name, dtype=STR)
        note.create_dataset("type", data=MIME_TYPES[step.config_format], dtype=STR)
        note.create_dataset("data", data=step.config_text, dtype=STR)


def _write_results(group: h5py.Group, step: _Step) -> None:
    results = group.create_group("results", track_order=True)
    results.attrs["NX_class"] = "NXdata" if step.signal else "NXcollection"
    _write_tree(results, step.results, step.units)
    if step.signal:
        results.attrs["signal"] = step.signal
        if step.axes:
            results.attrs["axes"] = step.axes if len(step.axes) > 1 else step.axes[0]
            for i, axis in enumerate(step.axes):
                if axis != ".":
                    results.attrs[f"{axis}_indices"] = np.int64(i)
        group.attrs["default"] = "results"


def _write_tree(group: h5py.Group, data: dict, units: dict) -> None:
    for key, value in data.items():
        if isinstance(value, dict):
            sub = group.create_group(key, track_order=True)
            sub.attrs["NX_class"] = "NXcollection"
            _write_tree(sub, value, {})
        elif isinstance(value, str):
            group.create_dataset(key, data=value, dtype=STR)
        else:
            ds = group.create_dataset(key, data=value)
            if key in units:
                ds.attrs["units"] = units[key]


# --- reading -------------------------------------------------------------------------------------

@contextlib.contextmanager
def _opened(file):
    if isinstance(file, (h5py.File, h5py.Group)):
        yield file
        return
    path = os.fspath(file)
    if not os.path.exists(path):
        raise NotFoundError(f"{path}: no such file")
    with h5py.File(path, "r", locking=False) as f:
        yield f


def read_processes(file: str | os.PathLike[str] | h5py.File | h5py.Group,
                   entry: str | None = None) -> list[ProcessRecord]:
    """The NXprocess steps of a file, in ``sequence_index`` order.

    Args:
        file: a path (opened read-only) or an open h5py File/Group.
        entry: the NXentry to read (None: every NXentry).

    Returns:
        One :class:`ProcessRecord` per step.

    Raises:
        nxschema.errors.NotFoundError: no such entry, or no such file (a KeyError).
        OSError: the file cannot be read.
    """
    with _opened(file) as root:
        if entry is None:
            entries = [g for g in (open_inside(root, k) for k in root)
                       if isinstance(g, h5py.Group) and _nx_class(g) == "NXentry"]
        else:
            group = open_inside(root, entry)
            if not isinstance(group, h5py.Group):
                raise NotFoundError(f"no entry {entry!r} in {_file_name(root)}")
            entries = [group]
        records = []
        for group in entries:
            steps = [_read_step(g) for g in (open_inside(group, k) for k in group
                                             if not k.startswith(PARTIAL_PREFIX))
                     if isinstance(g, h5py.Group) and _nx_class(g) == "NXprocess"]
            steps.sort(key=lambda r: (r.sequence_index is None, r.sequence_index or 0, r.name))
            records += steps
        return records


def read_config(file: str | os.PathLike[str] | h5py.File | h5py.Group, process: str) -> Any:
    """The configuration of one processing step, exactly as written: same keys, types, nesting.

    Args:
        file: a path (opened read-only) or an open h5py File/Group.
        process: the path of the NXprocess group, e.g. ``entry/normalisation``.

    Returns:
        The parsed configuration (a mapping, as :func:`record_process` was given it).

    Raises:
        nxschema.errors.NotFoundError: no such step (a KeyError).
        nxschema.errors.ArgumentError: its configuration is missing or does not parse (a
            ValueError).
    """
    with _opened(file) as root:
        group = open_inside(root, process)
        if not isinstance(group, h5py.Group):
            raise NotFoundError(f"no group {process!r} in {_file_name(root)}")
        record = _read_step(group)
    if record.config_problem:
        raise ArgumentError(f"{record.path}: {record.config_problem}")
    return record.config


def read_record(file, process: str) -> ProcessRecord:
    with _opened(file) as root:
        group = open_inside(root, process)
        if not isinstance(group, h5py.Group):
            raise NotFoundError(f"no group {process!r} in {_file_name(root)}")
        return _read_step(group)


def _read_step(group: h5py.Group) -> ProcessRecord:
    form, fmt, text, config, problem = _read_configuration(group)
    sequence = _scalar(group, "sequence_index")
    results = open_inside(group, "results")
    return ProcessRecord(
        path=group.name, name=group.name.rsplit("/", 1)[-1],
        sequence_index=sequence if isinstance(sequence, int) else None,
        program=_text(group, "program"), version=_text(group, "version"),
        date=_text(group, "date"), form=form, config_format=fmt, config_text=text,
        config=config, config_problem=problem,
        results=results.name if isinstance(results, h5py.Group) else None)


def _read_configuration(group: h5py.Group):
    """(form, format, text, config, problem) of a process group's configuration."""
    item = open_inside(group, "configuration")
    if item is None:
        notes = [g for g in (open_inside(group, k) for k in group)
                 if isinstance(g, h5py.Group) and _nx_class(g) == "NXnote" and "data" in g]
        if not notes:
            return None, None, None, None, "no configuration in this process"
        item = notes[0]
    if isinstance(item, h5py.Dataset):
        label = item.attrs.get("format", item.attrs.get("type"))
        return ("v1",) + _parse(read_text(item), _decoded(label), None)
    data = open_inside(item, "data")
    if data is None and "data" in item:  # there, but not to be read: never a collection
        return ("v2", None, None, None, "the configuration's data cannot be read (a dangling "
                "link, or data held by a file outside the external-file policy)")
    if isinstance(data, h5py.Dataset):
        label = _text(item, "type") or _text(item, "format")
        return ("v2",) + _parse(read_text(data), label, _text(item, "file_name"))
    try:
        return "v1", "nxcollection", None, read_collection(item), None
    except (OSError, KeyError, ValueError, RuntimeError) as exc:  # damaged objects: report
        return "v1", "nxcollection", None, None, f"cannot read the configuration tree: {exc}"


def _parse(text: str, label, file_name):
    fmt = guess_format(text, label, file_name)
    try:
        return fmt, text, load_config(text, fmt), None
    except ValueError as exc:
        return fmt, text, None, f"the configuration does not parse: {exc}"


def _nx_class(obj) -> str | None:
    return _decoded(obj.attrs.get("NX_class"))


def _decoded(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray):
        return _decoded(value.ravel()[0]) if value.size else None
    return value if value is None else str(value)


def _scalar(group: h5py.Group, name: str):
    ds = open_inside(group, name)
    if not isinstance(ds, h5py.Dataset) or ds.shape not in ((), (1,)):
        return None
    value = ds[()]
    value = value.ravel()[0] if isinstance(value, np.ndarray) else value
    return value.item() if isinstance(value, np.generic) else value


def _text(group: h5py.Group, name: str) -> str | None:
    ds = open_inside(group, name)
    return read_text(ds) if isinstance(ds, h5py.Dataset) and ds.shape is not None else None


def _file_name(root) -> str:
    return getattr(root.file, "filename", "the file")
