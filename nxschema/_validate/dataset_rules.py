"""Rules for one dataset bound to a field concept, and for the attributes a concept names.

Registered in the rule table (:mod:`nxschema._validate.table`) in the order they run; each
looks at one :class:`Frame` and yields messages. Units go through
:func:`nxschema._validate.values.units_problem` only, so that its engine can be replaced
without touching a rule.
"""

from __future__ import annotations

import json

from nxschema._h5.access import NotUTF8, attr_or_none
from nxschema._h5.access import first_text as _text
from nxschema._process.formats import ConfigError, guess_format, normalize_format, parse_config
from nxschema._validate.table import Frame, Message, rule, rules_for
from nxschema._validate.values import (
    enumeration_miss,
    type_problem,
    units_problem,
    value_problem,
)

PLACEHOLDER = b"nxschema_placeholder"  # written by the skeleton writer on placeholder values
NO_UNITS_NEEDED = frozenset({"NX_UNITLESS", "NX_DIMENSIONLESS"})
_READ_TYPES = frozenset({"NX_DATE_TIME", "ISO8601", "NX_POSINT", "NX_BOOLEAN"})
MISSING = object()


class Lazy:
    """A dataset's short value, read when a rule first asks for it (once for all rules)."""

    __slots__ = ("_error", "_value", "io", "obj")

    def __init__(self, io, obj):
        self.io, self.obj = io, obj
        self._value = self._error = MISSING

    def get(self):
        if self._value is MISSING and self._error is MISSING:
            try:
                self._value = self.io.read_value(self.obj)
            except Exception as exc:  # damaged data: the rule reports it
                self._error = exc
        if self._error is not MISSING:
            raise self._error
        return self._value


def applies(entry, spec) -> bool:
    """Whether a dataset rule has anything to check for the field concept ``spec`` (so that
    the walker calls only those: a base-class field needs two or three of them)."""
    need = entry.needs
    if not need:
        return True
    if need == "value":
        return needs_value(spec)
    if need == "config":
        return spec.config is not None
    if need == "dimensions":
        return spec.rank is not None or bool(spec.dims)
    if need == "units":
        return bool(spec.units)
    if need == "sibling":
        return spec.name.startswith(_SIBLING) and len(spec.name) > len(_SIBLING)
    return bool(spec.attrs)  # "attributes"


def needs_value(spec) -> bool:
    return bool(spec.enum or spec.value is not None or spec.nx_type in _READ_TYPES
                or spec.config)


def _scalar(value):
    return value[0] if isinstance(value, list) and len(value) == 1 else value


# --- the dataset ---------------------------------------------------------------------------------

@rule(("dataset", None), codes=("wrong-type", "unreadable-object"))
def nx_type(frame: Frame):
    """The HDF5 type can hold the concept's NX type."""
    try:
        kind, size = frame.io.type_kind(frame.obj)
    except Exception as exc:  # a damaged header: report, go on
        yield Message("unreadable-object", f"cannot read type: {exc}", "error", sourced=False,
                      final=True)
        return
    problem = type_problem(frame.concept.nx_type, kind, size)
    if problem:
        yield Message("wrong-type", problem[1], problem[0], advice=True,
                      final=problem[0] == "error")


@rule(("dataset", None), codes=("not-utf8", "bad-value", "bad-date", "wrong-value",
                                "not-in-enumeration"), needs="value")
def value(frame: Frame):
    """The value: valid text, a valid date or number, the fixed value, in the enumeration."""
    spec = frame.concept
    if not needs_value(spec):
        return
    try:
        data = frame.value.get()
    except Exception as exc:
        yield Message("unreadable-object", f"cannot read: {exc}", "error", sourced=False,
                      final=True)
        return
    if isinstance(data, NotUTF8):
        yield Message("not-utf8", f"the text is not valid UTF-8; read as {data!r}", "warning")
    problem = value_problem(spec.nx_type, data)
    if problem:
        code = "bad-date" if spec.nx_type in ("NX_DATE_TIME", "ISO8601") else "bad-value"
        yield Message(code, problem, "error", advice=True)
    scalar = _scalar(data)
    if spec.value is not None and str(scalar) != spec.value:
        yield Message("wrong-value", f"value {scalar!r}, {spec.value!r} expected", "error",
                      advice=True)
    if spec.enum and isinstance(scalar, (str, int, float)) and str(scalar) not in spec.enum:
        allowed = ", ".join(sorted(map(repr, spec.enum)))
        severity = _open_enum_severity(spec.enum_open,
                                       attr_or_none(frame.io, frame.obj, "custom"))
        if severity:
            hint = " (an open enumeration: mark it @custom=True)" if spec.enum_open else ""
            # An open enumeration's warning is the same in a base class and an application:
            # advice already, so not made milder again.
            yield Message("not-in-enumeration", f"value {scalar!r} is not one of "
                          f"{allowed}{hint}", severity, advice=not spec.enum_open)


def _open_enum_severity(is_open: bool, custom) -> str | None:
    """How bad a value outside an enumeration is. A closed one: an error. An open one allows
    other values (nxdl.xsd, enumerationType/@open), and the writer should say so with
    @custom=True: without it (or with @custom false) a warning, advice that leaves the file
    valid, in a base class as in an application definition."""
    if not is_open:
        return "error"
    return None if _scalar(custom) in (True, 1, "true", "True") else "warning"


@rule(("dataset", None), codes=("bad-config", "config-schema", "unknown-config-format"),
      needs="config")
def config_payload(frame: Frame):
    """A process configuration parses in its declared format and fits its JSON Schema."""
    spec = frame.concept
    if spec.config is None:
        return
    try:
        text = _scalar(frame.value.get())
    except Exception:  # reported by the value rule
        return
    if not isinstance(text, str):
        return
    label = attr_or_none(frame.io, frame.obj, "format")
    if label is None:
        label = _sibling_text(frame, ("type", "format"))
    if label is not None and normalize_format(label) is None:
        yield Message("unknown-config-format", f"the configuration's format {label!r} is not "
                      "json, yaml or ini; not parsed", "warning")
        return
    # The same decision the reader makes: the label, else the file name, else the text itself.
    fmt = guess_format(text, label, _sibling_text(frame, ("file_name",)))
    if fmt not in spec.config.formats:
        yield Message("unknown-config-format", f"format {fmt!r} is not among the allowed "
                      f"{', '.join(spec.config.formats)}", "warning")
    try:
        parsed = parse_config(text, fmt)
    except ConfigError as exc:  # bad-config, or too-large / too-deep over the bounds
        text = f"the configuration does not parse as {fmt}: {exc}"
        if exc.code == "too-large":
            yield Message("too-large", text, "error")
        elif exc.code == "too-deep":
            yield Message("too-deep", text, "error")
        else:
            yield Message("bad-config", text, "error")
        return
    if spec.config.schema:
        import jsonschema  # only here: most runs never need it, and it is slow to import

        validator = jsonschema.Draft202012Validator(json.loads(spec.config.schema))
        for err in validator.iter_errors(parsed):
            where = "/".join(str(p) for p in err.absolute_path) or "the configuration"
            yield Message("config-schema", f"{where}: {err.message}", "error")


def _sibling_text(frame: Frame, names):
    """The short text value of the first sibling dataset named in ``names``."""
    for name in names:
        child = frame.siblings.get(name)
        if child is not None and child.is_dataset:
            value = frame.io.read_value(child.oid)
            if isinstance(value, str):
                return value
    return None


@rule(("dataset", None), codes=("placeholder",))
def placeholder(frame: Frame):
    """A value the skeleton writer left for the user to fill."""
    if frame.io.has_attr(frame.obj, PLACEHOLDER):
        yield Message("placeholder", "the value is a placeholder written by `nxschema "
                      "skeleton`; replace it with real data", "warning")


@rule(("dataset", None), codes=("wrong-rank", "wrong-shape", "dimension-mismatch"),
      needs="dimensions")
def shape(frame: Frame):
    """Rank and axis lengths; symbols agree across one application of a definition.

    A base class's dimensions illustrate (NXdetector/data: "merely illustrative";
    NXpositioner/value may be scanned on a grid): information. Application definitions,
    layouts and forms fix ranks and shapes: errors.
    """
    spec = frame.concept
    if spec.rank is None and not spec.dims:
        return
    have = frame.io.shape(frame.obj)
    if have is None:
        return
    severity = "info" if spec.category == "base" else "error"
    if spec.category == "base" and spec.rank is not None and len(have) < spec.rank and \
            any(not isinstance(d, int) for d in spec.dims):
        # A base class names every axis a field may have (NXdetector/data: np, i, j, tof);
        # a writer keeps those it has: a 2-D image, a scalar distance. Fewer is fine.
        return
    if spec.rank is not None and len(have) != spec.rank and not (spec.rank == 1 and have == ()):
        yield Message("wrong-rank", f"rank {len(have)} (shape {have}), rank {spec.rank} "
                      "expected", severity)
        return
    instance = frame.instance
    for axis, (want, length) in enumerate(zip(spec.dims, have)):
        if isinstance(want, int):
            if length != want:
                yield Message("wrong-shape", f"axis {axis} has length {length}, {want} "
                              "expected", severity)
        elif instance is not None and want is not None:
            symbol, offset = want if isinstance(want, tuple) else (want, 0)
            length -= offset
            bound = instance.symbols.get(symbol)
            if bound is None:
                instance.symbols[symbol] = (length, frame.path)
            elif bound[0] != length and not (spec.bin_edges and length == bound[0] + 1):
                yield Message("dimension-mismatch", f"length {length} disagrees with "
                              f"{bound[1]} (length {bound[0]}): both are {symbol!r} in "
                              f"{instance.definition}", "error")


# NXobject: "the placeholders (FIELDNAME or GROUPNAME) can be replaced by the name of any
# object that exists within the same group": FIELDNAME_errors are the errors *of a field*.
_SIBLING = "FIELDNAME"


@rule(("dataset", None), codes=("placeholder-sibling",), needs="sibling")
def placeholder_sibling(frame: Frame):
    """A dataset bound to FIELDNAME_errors (_set, _weights, _mask) has its field beside it."""
    suffix = frame.concept.name[len(_SIBLING):]
    stem = frame.name[:-len(suffix)] if frame.name.endswith(suffix) else ""
    if stem and stem not in frame.siblings:
        yield Message("placeholder-sibling", f"{frame.name!r} is the {suffix.lstrip('_')} of a "
                      f"field {stem!r}, which this group does not hold", "warning")


@rule(("dataset", None), codes=("missing-units", "implausible-units"), needs="units")
def units(frame: Frame):
    """@units is there where the concept names a units category, and fits it by dimension."""
    spec = frame.concept
    if not spec.units:
        return
    have = attr_or_none(frame.io, frame.obj, "units")
    if have is None:
        if spec.units not in NO_UNITS_NEEDED:  # NX_UNITLESS: leaving @units out is right
            wanted = "units of any kind" if spec.units == "NX_ANY" else spec.units
            yield Message("missing-units", f"no @units attribute ({wanted} expected)",
                          "warning", advice=True)
    elif isinstance(have, str):
        # NX_TRANSFORMATION is a length or an angle as @transformation_type says
        kind = _text(attr_or_none(frame.io, frame.obj, "transformation_type")) \
            if spec.units == "NX_TRANSFORMATION" else None
        problem = units_problem(spec.units, have, transformation_type=kind)
        if problem:
            yield Message("implausible-units", problem, "warning")
        elif spec.units == "NX_TRANSFORMATION" and kind is None and \
                units_problem("NX_UNITLESS", have):
            # nxdlTypes allows a length, an angle or no unit; NXtransformations says an axis
            # without @transformation_type (a direction, a basis vector) is NX_UNITLESS.
            yield Message("implausible-units", f"units {have!r} on an axis without "
                          "@transformation_type, which NXtransformations makes NX_UNITLESS "
                          "(a direction); say translation or rotation if it moves", "info")


@rule(("dataset", None), codes=(), needs="attributes")
def attributes(frame: Frame):
    """The attributes the field concept names, each through the attribute rules."""
    for attr in frame.concept.attrs.values():
        yield from attribute_messages(frame, attr, attr_or_none(frame.io, frame.obj, attr.name))


# --- attributes ----------------------------------------------------------------------------------

def attribute_messages(owner: Frame, attr, value):
    """The messages of the attribute rules for the attribute concept ``attr`` of the object
    of ``owner`` (``value`` is MISSING or None when the attribute is absent)."""
    if (value is MISSING or value is None) and attr.requirement == "optional":
        return  # the common case, and nothing to say
    frame = Frame(owner.obj, attr.name, owner.path, owner.io, concept=attr,
                  definition=owner.definition, category=owner.category, how=owner.how,
                  value=value)
    for entry in rules_for(("attribute", None)):
        yield from entry.fn(frame)


@rule(("attribute", None), codes=("missing-required", "missing-recommended"))
def attribute_presence(frame: Frame):
    """A required (or recommended) attribute is there."""
    attr = frame.concept
    if frame.value is MISSING or frame.value is None:
        if attr.requirement == "required":
            yield Message("missing-required", f"required attribute @{attr.name} is missing",
                          "error", at="@" + attr.name, advice=True)
        elif attr.requirement == "recommended":
            yield Message("missing-recommended", f"recommended attribute @{attr.name} is "
                          "missing", "warning", at="@" + attr.name, advice=True)


@rule(("attribute", None), codes=("not-in-enumeration", "wrong-value"))
def attribute_value(frame: Frame):
    """An attribute's value is in its enumeration (every item of an array-valued one) and
    equals its fixed value."""
    attr, value = frame.concept, frame.value
    if value is MISSING or value is None:
        return
    scalar = _scalar(value)
    miss = enumeration_miss(value, attr.enum, units=attr.name == "units") \
        if attr.enum else None
    # An open attribute enumeration's @custom flag is the sibling attribute <name>_custom.
    severity = None if miss is None else _open_enum_severity(
        attr.enum_open, attr_or_none(frame.io, frame.obj, attr.name + "_custom")
        if attr.enum_open else None)
    if severity:
        yield Message("not-in-enumeration", f"@{attr.name} {'is' if miss is scalar else 'holds'} "
                      f"{miss!r}, not one of {', '.join(sorted(map(repr, attr.enum)))}",
                      severity, at="@" + attr.name, advice=not attr.enum_open)
    if attr.value is not None and str(scalar) != attr.value:
        yield Message("wrong-value", f"@{attr.name} is {scalar!r}, {attr.value!r} expected",
                      "error", at="@" + attr.name, advice=True)
