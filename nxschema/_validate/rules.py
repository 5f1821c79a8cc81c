"""Rules that look at a group as a whole: NXdata, the @default chain, NXprocess.

Each rule is a small generator taking the walker (for its ``finding`` factory) and the group's
already-listed children; none of them reads a dataset payload beyond short strings and scalars.
"""

from __future__ import annotations

import json

from nxschema._codes import Code, register
from nxschema._process.formats import ConfigError, guess_format, normalize_format, parse_config
from nxschema._binding.discover import fitting_forms  # noqa: F401  (its old home)
from nxschema._validate.values import ISO8601


def _names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.replace(",", ":").split(":")] if ":" in value \
            or "," in value else [value]
    return [str(v) for v in value]


def _shape(child):
    try:
        return child.io.shape(child.oid) if child is not None and child.is_dataset else None
    except Exception:
        return None


# --- NXdata --------------------------------------------------------------------------------------

def nxdata(walker, gid, node, attrs, by_name):
    signal = attrs.get("signal")
    if isinstance(signal, list):
        signal = signal[0] if signal else None
    if signal is None:
        yield from _legacy_signal(walker, node, by_name)
        return
    child = by_name.get(str(signal))
    if child is None or not child.is_dataset:
        what = "does not exist" if child is None else "is not a readable dataset"
        yield walker.finding("bad-signal", "error", node, f"@signal names {signal!r}, which "
                             f"{what} in this group", path=f"{node.path}@signal")
        return
    shape = _shape(child) or ()
    axes = _names(attrs.get("axes"))
    if axes and len(axes) != max(len(shape), 1):
        yield walker.finding("bad-axes", "error", node, f"@axes has {len(axes)} entries but "
                             f"the signal {signal!r} has rank {len(shape)}",
                             path=f"{node.path}@axes")
    for position, axis in enumerate(axes):
        if axis == ".":
            continue
        axis_child = by_name.get(axis)
        if axis_child is None or axis_child.kind is None:
            yield walker.finding("bad-axes", "error", node, f"axis {axis!r} named in @axes "
                                 "does not exist", path=f"{node.path}@axes")
            continue
        indices = attrs.get(f"{axis}_indices", position)
        indices = [indices] if isinstance(indices, (int, float)) else list(indices)
        axis_shape = _shape(axis_child) or ()
        if not axis_shape and shape:
            yield walker.finding("axis-length", "error", node, f"axis {axis!r} is a single "
                                 f"value, the signal's dimension {indices[0]} has "
                                 f"{shape[min(int(indices[0]), len(shape) - 1)]} points",
                                 path=f"{node.path}/{axis}")
            continue
        for axis_dim, signal_dim in zip(range(len(axis_shape)), indices):
            signal_dim = int(signal_dim)
            if signal_dim >= len(shape):
                yield walker.finding("bad-axes", "error", node, f"@{axis}_indices points at "
                                     f"dimension {signal_dim} of a rank-{len(shape)} signal",
                                     path=f"{node.path}@{axis}_indices")
                continue
            n, length = shape[signal_dim], axis_shape[axis_dim]
            if length not in (n, n + 1):
                yield walker.finding("axis-length", "error", node,
                                     f"axis {axis!r} has length {length}, the signal's "
                                     f"dimension {signal_dim} is {n} (n, or n+1 for bin edges)",
                                     path=f"{node.path}/{axis}")
    for name, child in by_name.items():
        if name.endswith("_errors") and child.is_dataset:
            field = name[: -len("_errors")]
            if field in by_name and _shape(by_name[field]) not in (None, _shape(child)):
                yield walker.finding("errors-shape", "error", node, f"{name} has shape "
                                     f"{_shape(child)}, {field} has {_shape(by_name[field])}",
                                     path=f"{node.path}/{name}")
    for aux in _names(attrs.get("auxiliary_signals")):
        if aux not in by_name:
            yield walker.finding("bad-signal", "error", node, f"@auxiliary_signals names "
                                 f"{aux!r}, which does not exist",
                                 path=f"{node.path}@auxiliary_signals")
        elif _shape(by_name[aux]) != shape:
            yield walker.finding("errors-shape", "warning", node, f"auxiliary signal {aux!r} "
                                 f"has shape {_shape(by_name[aux])}, the signal has {shape}",
                                 path=f"{node.path}/{aux}")


def _legacy_signal(walker, node, by_name):
    for name, child in by_name.items():
        if child.is_dataset and walker.io.has_attr(child.oid, b"signal"):
            yield walker.finding("legacy-signal", "warning", node, f"the signal is marked the "
                                 f"old way (@signal on dataset {name!r}); put @signal (and "
                                 "@axes) on the NXdata group", path=f"{node.path}/{name}")
            return
    yield walker.finding("missing-signal", "warning", node, "NXdata has no @signal: a plotting "
                         "program cannot tell what to plot", path=f"{node.path}@signal")


# --- @default ------------------------------------------------------------------------------------

def default(walker, gid, node, value):
    if isinstance(value, list):
        value = value[0] if value else ""
    target = str(value).strip()
    where = f"{node.path}@default"
    oid = walker.io.open(gid, target.encode()) if target else None
    if oid is None:
        yield walker.finding("dangling-default", "error", node, f"@default names {target!r}, "
                             "which does not exist here", path=where)
        return
    try:
        names = walker.io.attr_names(oid)
        nx_class = walker.io.read_attr(oid, b"NX_class") if "NX_class" in names else None
    except Exception:
        return
    if nx_class != "NXdata" and "default" not in names:
        yield walker.finding("default-not-nxdata", "warning", node, f"@default leads to "
                             f"{target!r} ({nx_class or 'no NX_class'}), which is not an "
                             "NXdata and has no @default of its own", path=where)


# --- NXprocess -----------------------------------------------------------------------------------

def process_checks(walker, gid, node, by_name, entry_state):
    child = by_name.get("sequence_index")
    if child is not None and child.is_dataset:
        value = walker.io.read_value(child.oid)
        if isinstance(value, int):
            seen = entry_state.setdefault("sequence", {})
            if value in seen:
                yield walker.finding("duplicate-sequence-index", "error", node,
                                     f"sequence_index {value} is also used by {seen[value]}",
                                     path=f"{node.path}/sequence_index")
            else:
                seen[value] = node.path
    date = by_name.get("date")
    if date is not None and date.is_dataset:
        value = walker.io.read_value(date.oid)
        if isinstance(value, str) and not ISO8601.match(value.strip()):
            yield walker.finding("bad-date", "error", node, f"{value!r} is not an ISO 8601 date",
                                 path=f"{node.path}/date")


def config_payload(walker, did, node, spec, text: str):
    """Parse a configuration in its declared format; check it against the schema if any."""
    label = walker.attr(did, "format")
    if label is None:
        label = walker.sibling_value(node, ("type", "format"))
    if label is not None and normalize_format(label) is None:
        yield walker.finding("unknown-config-format", "warning", node, f"the configuration's "
                             f"format {label!r} is not json, yaml or ini; not parsed", spec)
        return
    # The same decision the reader makes: the label, else the file name, else the text itself.
    fmt = guess_format(text, label, walker.sibling_value(node, ("file_name",)))
    if fmt not in spec.config.formats:
        yield walker.finding("unknown-config-format", "warning", node, f"format {fmt!r} is not "
                             f"among the allowed {', '.join(spec.config.formats)}", spec)
    try:
        parsed = parse_config(text, fmt)
    except ConfigError as exc:
        yield walker.finding("bad-config", "error", node, f"the configuration does not parse "
                             f"as {fmt}: {exc}", spec)
        return
    if spec.config.schema:
        import jsonschema  # only here: most runs never need it, and it is slow to import

        validator = jsonschema.Draft202012Validator(json.loads(spec.config.schema))
        for err in validator.iter_errors(parsed):
            where = "/".join(str(p) for p in err.absolute_path) or "the configuration"
            yield walker.finding("config-schema", "error", node, f"{where}: {err.message}", spec)


register(
    Code("bad-signal", "error", "file", "@signal or @auxiliary_signals names a missing dataset.",
         "@signal='counts' with no counts dataset"),
    Code("missing-signal", "warning", "file", "An NXdata without @signal.", "NXdata with only "
         "datasets"),
    Code("legacy-signal", "warning", "file", "The old @signal=1 on a dataset is used.",
         "data.attrs['signal'] = 1"),
    Code("bad-axes", "error", "file", "@axes does not fit the signal's rank or names a missing "
         "axis.", "@axes=['x', 'y'] for a 1-D signal"),
    Code("axis-length", "error", "file", "An axis is neither n nor n+1 (bin edges) long.",
         "signal of 100 points, axis of 98"),
    Code("errors-shape", "error", "file", "FIELD_errors (or an auxiliary signal) has another "
         "shape than FIELD.", "data (100,), data_errors (99,)"),
    Code("dangling-default", "error", "file", "@default names nothing.", "root @default='2.1' "
         "with no entry 2.1"),
    Code("default-not-nxdata", "warning", "file", "@default leads to a group that is not NXdata "
         "and has no @default.", "entry @default='instrument'"),
    Code("duplicate-sequence-index", "error", "file", "Two NXprocess groups of one entry share "
         "sequence_index.", "two steps with sequence_index 1"),
    Code("bad-config", "error", "file", "A process configuration does not parse in its format.",
         "type='application/json', data='{\"a\": '"),
    Code("config-schema", "error", "file", "A parsed configuration fails the definition's JSON "
         "Schema.", "a missing required key"),
    Code("unknown-config-format", "warning", "file", "A configuration's format label is not "
         "json, yaml or ini.", "type='application/toml'"),
)
