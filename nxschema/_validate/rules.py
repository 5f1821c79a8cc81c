"""Rules that look at a group as a whole: NXdata, the @default chain, NXprocess.

Each rule is registered in the rule table (:mod:`nxschema._validate.table`) and looks at one
group's :class:`Frame` (its attributes and already-listed members); none of them reads a dataset
payload beyond short strings and scalars.
"""

from __future__ import annotations

from nxschema._binding.discover import fitting_forms  # noqa: F401  (its old home)
from nxschema._h5.access import attr_or_none
from nxschema._validate.table import Frame, Message, rule
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

@rule(("class", "NXdata"), codes=("bad-signal", "bad-axes", "axis-length", "errors-shape",
                                  "legacy-signal", "missing-signal"))
def nxdata(frame: Frame):
    """@signal, @axes, AXISNAME_indices, FIELD_errors and @auxiliary_signals fit the data."""
    attrs, by_name = frame.attrs, frame.members
    signal = attrs.get("signal")
    if isinstance(signal, list):
        signal = signal[0] if signal else None
    if signal is None:
        yield from _legacy_signal(frame.io, by_name)
        return
    child = by_name.get(str(signal))
    if child is None or not child.is_dataset:
        what = "does not exist" if child is None else "is not a readable dataset"
        yield Message("bad-signal", f"@signal names {signal!r}, which {what} in this group",
                      "error", at="@signal")
        return
    shape = _shape(child) or ()
    axes = _names(attrs.get("axes"))
    if axes and len(axes) != max(len(shape), 1):
        yield Message("bad-axes", f"@axes has {len(axes)} entries but the signal {signal!r} has "
                      f"rank {len(shape)}", "error", at="@axes")
    for position, axis in enumerate(axes):
        if axis == ".":
            continue
        axis_child = by_name.get(axis)
        if axis_child is None or axis_child.kind is None:
            yield Message("bad-axes", f"axis {axis!r} named in @axes does not exist",
                          "error", at="@axes")
            continue
        indices = attrs.get(f"{axis}_indices", position)
        indices = [indices] if isinstance(indices, (int, float)) else list(indices)
        axis_shape = _shape(axis_child) or ()
        if not axis_shape and shape:
            yield Message("axis-length", f"axis {axis!r} is a single value, the signal's "
                          f"dimension {indices[0]} has "
                          f"{shape[min(int(indices[0]), len(shape) - 1)]} points",
                          "error", at=f"/{axis}")
            continue
        for axis_dim, signal_dim in zip(range(len(axis_shape)), indices):
            signal_dim = int(signal_dim)
            if signal_dim >= len(shape):
                yield Message("bad-axes", f"@{axis}_indices points at dimension {signal_dim} of a "
                              f"rank-{len(shape)} signal", "error", at=f"@{axis}_indices")
                continue
            n, length = shape[signal_dim], axis_shape[axis_dim]
            if length not in (n, n + 1):
                yield Message("axis-length", f"axis {axis!r} has length {length}, the signal's "
                              f"dimension {signal_dim} is {n} (n, or n+1 for bin edges)",
                              "error", at=f"/{axis}")
    for name, child in by_name.items():
        if name.endswith("_errors") and child.is_dataset:
            field = name[: -len("_errors")]
            if field in by_name and _shape(by_name[field]) not in (None, _shape(child)):
                yield Message("errors-shape", f"{name} has shape {_shape(child)}, {field} has "
                              f"{_shape(by_name[field])}", "error", at=f"/{name}")
    for aux in _names(attrs.get("auxiliary_signals")):
        if aux not in by_name:
            yield Message("bad-signal", f"@auxiliary_signals names {aux!r}, which does not exist",
                          "error", at="@auxiliary_signals")
        elif _shape(by_name[aux]) != shape:
            yield Message("errors-shape", f"auxiliary signal {aux!r} has shape "
                          f"{_shape(by_name[aux])}, the signal has {shape}",
                          "warning", at=f"/{aux}")


def _legacy_signal(io, by_name):
    for name, child in by_name.items():
        if child.is_dataset and io.has_attr(child.oid, b"signal"):
            yield Message("legacy-signal", "the signal is marked the old way (@signal on dataset "
                          f"{name!r}); put @signal (and @axes) on the NXdata group",
                          "warning", at=f"/{name}")
            return
    yield Message("missing-signal", "NXdata has no @signal: a plotting program cannot tell what "
                  "to plot", "warning", at="@signal")


# --- placeholders --------------------------------------------------------------------------------

@rule(("group", None), codes=("placeholder",), needs="nxschema_placeholder_attributes")
def placeholder_attributes(frame: Frame):
    """Attributes the skeleton writer left for the user to fill."""
    names = frame.attrs.get("nxschema_placeholder_attributes")
    if names is None:
        return
    names = [names] if isinstance(names, str) else list(names)
    yield Message("placeholder", f"attributes {', '.join('@' + n for n in names)} hold "
                  "placeholders written by `nxschema skeleton`; replace them with real values",
                  "warning", sourced=False)


# --- @default ------------------------------------------------------------------------------------

@rule(("group", None), codes=("dangling-default", "default-not-nxdata"), needs="default")
def default(frame: Frame):
    """@default leads to an NXdata, or to a group with a @default of its own."""
    if "default" not in frame.attrs:
        return
    value = frame.attrs["default"]
    if isinstance(value, list):
        value = value[0] if value else ""
    target = str(value).strip()
    oid = frame.io.open(frame.obj, target.encode()) if target else None
    if oid is None:
        yield Message("dangling-default", f"@default names {target!r}, which does not exist here",
                      "error", at="@default")
        return
    try:
        names = frame.io.attr_names(oid)
        nx_class = attr_or_none(frame.io, oid, "NX_class")  # any type: the decoding layer
    except Exception:
        return
    if nx_class != "NXdata" and "default" not in names:
        yield Message("default-not-nxdata", f"@default leads to {target!r} "
                      f"({nx_class or 'no NX_class'}), which is not an NXdata and has no @default "
                      "of its own", "warning", at="@default")


# --- NXprocess -----------------------------------------------------------------------------------

@rule(("class", "NXprocess"), codes=("duplicate-sequence-index", "bad-date"))
def process_checks(frame: Frame):
    """Within one entry, each NXprocess has its own sequence_index; its date is ISO 8601."""
    by_name, entry_state = frame.members, frame.state
    child = by_name.get("sequence_index")
    if child is not None and child.is_dataset:
        value = frame.io.read_value(child.oid)
        if isinstance(value, int):
            seen = entry_state.setdefault("sequence", {})
            if value in seen:
                yield Message("duplicate-sequence-index", f"sequence_index {value} is also used "
                              f"by {seen[value]}", "error", at="/sequence_index")
            else:
                seen[value] = frame.path
    date = by_name.get("date")
    if date is not None and date.is_dataset:
        value = frame.io.read_value(date.oid)
        if isinstance(value, str) and not ISO8601.match(value.strip()):
            yield Message("bad-date", f"{value!r} is not an ISO 8601 date", "error", at="/date")

