"""Process configurations that come back exactly as they were written.

A program records its configuration so that it can be fed back to it later. That only works if
reading gives back the same keys, the same types and the same nesting, so writing refuses what a
format cannot hold instead of silently changing it:

* **json** and **yaml** hold any JSON-compatible value: dicts with string keys, lists, strings,
  ints, finite floats, booleans and None. Tuples, numpy scalars other than float64, NaN and
  infinities, non-string keys are refused (they would come back as something else).
* **ini** holds sections of text values only: ``{section: {key: "value"}}``, one level of
  nesting, every value a string. Keys and section names cannot be empty, contain ``=`` or ``:``
  (keys), ``]`` (sections) or line breaks, start with ``#``, ``;`` or ``[`` (keys), or have
  leading or trailing spaces; values cannot contain line breaks or start or end with spaces
  (ini strips them). ``DEFAULT`` is not a usable section name (ini copies its keys into every
  section). Convert numbers yourself (``str(2)``) or use json or yaml.
* **nxcollection** (v1 form only) writes the configuration as an HDF5 tree: one dataset per
  value, one NXcollection per nested dict, so that it can be read without a parser. Values HDF5
  cannot hold exactly (None, empty or mixed lists, lists of dicts, huge ints, text containing a
  NUL) are stored as JSON text with ``@format = "json"`` and come back unchanged.

After serializing, the text is parsed back and compared (types included): a configuration that
does not survive the round trip is refused with the reason.
"""

from __future__ import annotations

import configparser
import io
import json
import math
from collections.abc import Mapping

import h5py
import numpy as np
import yaml

from nxschema._h5.policy import open_inside
from nxschema._process.formats import (
    FORMATS,
    MAX_CONFIG_DEPTH,
    ConfigError,
    normalize_format,
    parse_config,
)
from nxschema.errors import ArgumentError

TEXT_FORMATS = FORMATS
CONFIG_FORMATS = TEXT_FORMATS + ("nxcollection",)
MIME_TYPES = {"json": "application/json", "yaml": "application/yaml", "ini": "text/x-ini"}
STR = h5py.string_dtype("utf-8")
_INT64 = (-(2 ** 63), 2 ** 63 - 1)


# --- what a format can hold ----------------------------------------------------------------------

def json_problem(value, where: str = "config") -> str | None:
    """Why ``value`` would not come back from JSON/YAML unchanged, or None."""
    if value is None or type(value) in (bool, int, str) or isinstance(value, float):
        if isinstance(value, float) and not math.isfinite(value):
            return f"{where} is {value!r}: JSON has no NaN or infinity"
        if isinstance(value, str) and _bad_text(value):
            return f"{where} is not valid Unicode text (lone surrogate)"
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has the key {key!r} ({type(key).__name__}): keys must be strings"
            if _bad_text(key):
                return f"{where} has a key that is not valid Unicode text"
            problem = json_problem(item, f"{where}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(value, list):
        for i, item in enumerate(value):
            problem = json_problem(item, f"{where}[{i}]")
            if problem:
                return problem
        return None
    hint = {tuple: "use a list", np.ndarray: "use .tolist()"}.get(type(value),
                                                                   "convert it (e.g. .item())")
    return (f"{where} is a {type(value).__name__} ({value!r:.40}), which would come back as "
            f"something else; {hint}")


def _bad_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def ini_problem(config) -> str | None:
    """Why ``config`` cannot be written as ini and read back unchanged, or None."""
    if not isinstance(config, Mapping):
        return f"ini holds a mapping of sections, not a {type(config).__name__}"
    for section, body in config.items():
        where = f"config[{section!r}]"
        if not isinstance(section, str) or not _ini_name_ok(section, "]") or \
                section == configparser.DEFAULTSECT:
            return f"{section!r} cannot be an ini section name"
        if not isinstance(body, Mapping):
            return (f"ini holds sections of text values only: {where} is a "
                    f"{type(body).__name__}, not a section; use json or yaml")
        for key, value in body.items():
            if not isinstance(key, str) or not _ini_name_ok(key, "=:") or \
                    key.startswith(("#", ";", "[")):
                return f"{key!r} in {where} cannot be an ini key"
            if not isinstance(value, str):
                return (f"ini holds text values only: {where}[{key!r}] is "
                        f"{type(value).__name__} {value!r:.40}; write str(value) or use json "
                        "or yaml")
            if value != value.strip() or any(c in value for c in "\n\r\x00") or \
                    _bad_text(value):
                return f"{where}[{key!r}] = {value!r:.40} would not survive ini (spaces at " \
                       "the ends or line breaks)"
    return None


def _ini_name_ok(name: str, forbidden: str) -> bool:
    return bool(name) and name == name.strip() and not _bad_text(name) and \
        not any(c in name for c in forbidden + "\n\r\x00")


def same(a, b) -> bool:
    """Deep equality that also compares types: 1, 1.0 and True are three different values."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


# --- text formats --------------------------------------------------------------------------------

def dump_config(config, fmt: str) -> str:
    """``config`` as json, yaml or ini text that parses back to exactly ``config``.

    Raises ValueError naming the first value the format cannot hold.
    """
    if fmt not in TEXT_FORMATS:
        raise ArgumentError(f"unknown configuration format {fmt!r}; expected one of "
                         f"{', '.join(TEXT_FORMATS)}")
    problem = ini_problem(config) if fmt == "ini" else json_problem(config)
    if problem:
        raise ArgumentError(f"cannot write the configuration as {fmt}: {problem}")
    for text in _texts(config, fmt):
        try:
            if same(load_config(text, fmt), config):
                return text
        except ConfigError:
            continue
    raise ArgumentError(f"cannot write the configuration as {fmt}: it would not read back "
                     "unchanged (use json)")


def _texts(config, fmt: str):
    """Candidate texts, most readable first; the first that reads back unchanged wins."""
    if fmt == "json":
        yield json.dumps(config, ensure_ascii=False, indent=2) + "\n"
        yield json.dumps(config, indent=2) + "\n"
    elif fmt == "yaml":
        # Raw Unicode reads best, but YAML takes a few characters (NEL, LS, PS) as line
        # breaks: then everything outside ASCII is escaped instead.
        for allow_unicode in (True, False):
            yield yaml.safe_dump(config, sort_keys=False, allow_unicode=allow_unicode,
                                 default_flow_style=False)
    else:
        parser = configparser.ConfigParser(interpolation=None)
        parser.optionxform = str  # keep key case: the program reads its own keys back
        parser.read_dict(config)
        buffer = io.StringIO()
        parser.write(buffer)
        yield buffer.getvalue()


def load_config(text: str, fmt: str):
    """Parse configuration text; ValueError (ConfigError) if it does not parse."""
    if not text.strip():
        return {}  # an empty file is an empty configuration in every format
    return parse_config(text, fmt)


# --- the HDF5 tree form (v1 NXcollection) --------------------------------------------------------

def valid_h5_name(name) -> bool:
    return isinstance(name, str) and name not in ("", ".", "..") and "/" not in name and \
        "\x00" not in name and not _bad_text(name)


def collection_problem(config) -> str | None:
    if not isinstance(config, Mapping):
        return f"an NXcollection holds a mapping, not a {type(config).__name__}"
    bad = [k for k in config if not valid_h5_name(k)]
    if bad:
        return f"the key {bad[0]!r} cannot be an HDF5 name; use json or yaml"
    return json_problem(config)


def write_collection(group: h5py.Group, config: Mapping) -> None:
    """``config`` as datasets and NXcollection subgroups of ``group`` (in key order)."""
    for key, value in config.items():
        if isinstance(value, Mapping) and all(valid_h5_name(k) for k in value):
            sub = group.create_group(key, track_order=True)
            sub.attrs["NX_class"] = "NXcollection"
            write_collection(sub, value)
            continue
        native = _native(value)
        if native is None:
            ds = group.create_dataset(key, data=json.dumps(value, ensure_ascii=False), dtype=STR)
            ds.attrs["format"] = "json"
        elif isinstance(value, str) or (isinstance(value, list) and isinstance(value[0], str)):
            group.create_dataset(key, data=native, dtype=STR)
        else:
            group.create_dataset(key, data=native)


def _native(value):
    """``value`` as an array HDF5 holds exactly, or None (then it is stored as JSON text)."""
    scalar_types = (bool, int, float, str)
    if type(value) in scalar_types or isinstance(value, float):
        return _native_scalar(value)
    if isinstance(value, list) and value:
        kind = type(value[0]) if type(value[0]) in scalar_types else None
        if kind is None or any(type(v) is not kind for v in value):
            return None
        items = [_native_scalar(v) for v in value]
        if any(v is None for v in items):
            return None
        return np.array(items, dtype=object) if kind is str else np.array(items)
    return None


def _native_scalar(value):
    if isinstance(value, bool):
        return np.bool_(value)
    if isinstance(value, int):
        return np.int64(value) if _INT64[0] <= value <= _INT64[1] else None
    if isinstance(value, float):
        return np.float64(value)
    if isinstance(value, str):
        return None if "\x00" in value else value
    return None


def read_collection(group: h5py.Group, _depth: int = 1) -> dict:
    """An NXcollection (or any group) as a dict: datasets as values, subgroups as dicts.

    Bounded like text configurations: deeper than MAX_CONFIG_DEPTH (a hard-link cycle, say)
    raises ConfigError ``too-deep``. External links are not followed (their file is not the
    configuration's)."""
    if _depth > MAX_CONFIG_DEPTH:
        raise ConfigError(f"the configuration tree is nested deeper than {MAX_CONFIG_DEPTH} "
                          "levels (a link cycle?)", "too-deep")
    out = {}
    for key in group:
        item = open_inside(group, key)
        if item is None:
            continue  # a dangling link, or data in another file: nothing to give back
        if isinstance(item, h5py.Group):
            out[key] = read_collection(item, _depth + 1)
        else:
            out[key] = read_dataset_value(item)
    return out


def read_dataset_value(ds: h5py.Dataset):
    if ds.shape is None:
        return None
    value = ds[()]
    if _is_text(ds.dtype):
        if isinstance(value, np.ndarray):
            return [_decode(v) for v in value.tolist()]
        text = _decode(value)
        fmt = normalize_format(_decode(ds.attrs.get("format"))) if "format" in ds.attrs else None
        if fmt in TEXT_FORMATS:
            try:
                return load_config(text, fmt)
            except ValueError:
                return text
        return text
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value.item() if isinstance(value, np.generic) else value


def read_text(ds: h5py.Dataset) -> str:
    """A dataset holding text (a string, bytes, an array of lines or of uint8) as one str."""
    value = ds[()]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iu" and value.dtype.itemsize == 1:
            return value.astype(np.uint8).tobytes().decode("utf-8", errors="replace")
        return "\n".join(_decode(v) for v in value.ravel().tolist())
    return _decode(value)


def _is_text(dtype) -> bool:
    return dtype.kind in "SU" or h5py.check_string_dtype(dtype) is not None


def _decode(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray) and value.shape == ():
        return _decode(value[()])
    return "" if value is None else str(value)
