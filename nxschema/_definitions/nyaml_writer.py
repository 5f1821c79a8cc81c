"""Model → nyaml (the 1.x dialect: every keyword written with a backslash).

The text is what the ``nyaml`` tool (``nyaml2nxdl``) turns into the NXDL that
:mod:`nxschema._definitions.nxdl_writer` writes for the same model; tests run the tool on the
official definitions to hold that. No ``# ++++ SHA HASH ++++`` trailer is written: with one, the
tool would copy the NXDL from the trailer instead of converting the YAML.

What nyaml cannot say is left out and reported by :func:`nyaml_problems` (our own keywords such
as domain, personal, icat, config; a link's deprecation; svnid), as is what the tool reshapes on
its way to NXDL (a one-line doc longer than 80 characters is wrapped).
"""

from __future__ import annotations

import json
import re

from nxschema import model as m
from nxschema._findings import Finding, warning

_PLAIN_KEY = re.compile(r"^[\\@A-Za-z0-9_()]+$")
_PLAIN_VALUE = re.compile(r"^[A-Za-z_/][A-Za-z0-9_./:+-]*$")
_SHORT = re.compile(r"^[A-Za-z0-9_]+$")
_INDENT = "  "
_OURS = ("domain", "personal", "config", "icat", "value")


def _key(text: str) -> str:
    return text if _PLAIN_KEY.match(text) else json.dumps(text)


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN_VALUE.match(text) and text.lower() not in ("true", "false", "null", "yes", "no",
                                                          "on", "off", "~"):
        return text
    return json.dumps(text, ensure_ascii=False)


class _Out:
    def __init__(self):
        self.lines: list[str] = []

    def put(self, depth: int, key: str, value=None, *, quoted: bool = False) -> None:
        lead = _INDENT * depth + (json.dumps(key) if quoted else _key(key)) + ":"
        self.lines.append(lead if value is None else f"{lead} {value}")

    def text(self, depth: int, key: str, text: str) -> None:
        block = "\n" in text.strip("\n") and all(
            line == line.rstrip() and "\t" not in line for line in text.split("\n")) \
            and not text.startswith((" ", "\n"))
        if block:
            self.put(depth, key, "|")
            pad = _INDENT * (depth + 1)
            self.lines += [pad + line if line else "" for line in text.rstrip("\n").split("\n")]
        else:
            self.put(depth, key, json.dumps(text, ensure_ascii=False))


def _exists(out: _Out, depth: int, element, *, occurs: bool = True) -> None:
    lo, hi = getattr(element, "min_occurs", None), getattr(element, "max_occurs", None)
    if occurs and (lo is not None or hi is not None):
        parts = ([f"min, {lo}"] if lo is not None else []) + \
                ([f"max, {hi}"] if hi is not None else [])
        out.put(depth, "\\exists", f"[{', '.join(parts)}]")
    elif element.recommended:
        out.put(depth, "\\exists", "recommended")
    elif element.optional is True:
        out.put(depth, "\\exists", "optional")
    elif element.optional is False:
        out.put(depth, "\\exists", "required")


def _doc(out: _Out, depth: int, doc) -> None:
    if doc is not None:
        out.text(depth, "\\doc", doc)


def _dims(out: _Out, depth: int, dims: m.Dimensions, *, mapping: bool = False) -> None:
    """``mapping``: always the mapping form (the tool takes no ``\\dim: (...)`` on an
    attribute, only a mapping it hands on)."""
    values = [d.value for d in dims.dims]
    short = (dims.dims and dims.doc is None and dims.rank == len(dims.dims)
             and [d.index for d in dims.dims] == [str(i) for i in range(1, len(dims.dims) + 1)]
             and all(_SHORT.match(str(v)) for v in values if v is not None)
             and all(d.ref is None and d.refindex is None and d.incr is None
                     and d.required is None and d.value is not None for d in dims.dims))
    if short and not mapping:
        out.put(depth, "\\dim", f"({', '.join(str(v) for v in values)})")
        return
    if short:
        out.put(depth, "\\dimensions")
        out.put(depth + 1, "\\rank", _scalar(dims.rank))
        out.put(depth + 1, "\\dim", f"({', '.join(str(v) for v in values)})")
        return
    out.put(depth, "\\dimensions")
    if dims.rank is not None:
        out.put(depth + 1, "\\rank", _scalar(dims.rank))
    if dims.doc is not None:
        out.text(depth + 1, "\\doc", dims.doc)
    for position, dim in enumerate(dims.dims, start=1):
        # quoted index keys: with bare integer keys and a rank the tool drops every <dim>
        out.put(depth + 1, dim.index or str(position), quoted=True)
        for word in ("value", "ref", "refindex", "incr", "required"):
            value = getattr(dim, word)
            if value is not None:
                out.put(depth + 2, word, _scalar(value if word != "value" else str(value)))


def _enumeration(out: _Out, depth: int, enum: m.Enumeration) -> None:
    documented = any(item.doc is not None for item in enum.items)
    if not documented and enum.open is None:
        out.put(depth, "\\enumeration",
                "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in enum.values) + "]")
        return
    out.put(depth, "\\enumeration")
    if enum.open is not None:
        out.put(depth + 1, "\\open", _scalar(enum.open))
    if not documented:
        out.put(depth + 1, "\\items",
                "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in enum.values) + "]")
        return
    for item in enum.items:
        out.put(depth + 1, item.value)
        _doc(out, depth + 2, item.doc)


def _attribute(out: _Out, depth: int, attr: m.Attribute) -> None:
    out.put(depth, f"\\@{attr.name}" + (f"({attr.type})" if attr.type else ""))
    _exists(out, depth + 1, attr, occurs=False)
    if attr.name_type:
        out.put(depth + 1, "\\nameType", attr.name_type)
    if attr.deprecated:
        out.text(depth + 1, "\\deprecated", attr.deprecated)
    _doc(out, depth + 1, attr.doc)
    if attr.dimensions is not None:
        _dims(out, depth + 1, attr.dimensions, mapping=True)
    if attr.enumeration is not None:
        _enumeration(out, depth + 1, attr.enumeration)


def _field(out: _Out, depth: int, field: m.Field) -> None:
    out.put(depth, field.name + (f"({field.type})" if field.type else ""))
    if field.units:
        out.put(depth + 1, "\\unit", _scalar(field.units))
    _exists(out, depth + 1, field)
    if field.name_type:
        out.put(depth + 1, "\\nameType", field.name_type)
    if field.deprecated:
        out.text(depth + 1, "\\deprecated", field.deprecated)
    for word in ("axes", "axis", "signal", "primary", "long_name", "stride", "data_offset",
                 "interpretation"):
        value = getattr(field, word)
        if value:
            out.put(depth + 1, word, json.dumps(value, ensure_ascii=False))
    _doc(out, depth + 1, field.doc)
    if field.dimensions is not None:
        _dims(out, depth + 1, field.dimensions)
    if field.enumeration is not None:
        _enumeration(out, depth + 1, field.enumeration)
    for attr in field.attributes:
        _attribute(out, depth + 1, attr)


def _group(out: _Out, depth: int, group: m.Group) -> None:
    out.put(depth, f"{group.name or ''}({group.nx_class})")
    _exists(out, depth + 1, group)
    if group.name_type:
        out.put(depth + 1, "\\nameType", group.name_type)
    if group.deprecated:
        out.text(depth + 1, "\\deprecated", group.deprecated)
    _doc(out, depth + 1, group.doc)
    _body(out, depth + 1, group.attributes, group.members)


def _body(out: _Out, depth: int, attributes, members) -> None:
    for attr in attributes:
        _attribute(out, depth, attr)
    for member in members:
        if isinstance(member, m.Field):
            _field(out, depth, member)
        elif isinstance(member, m.Group):
            _group(out, depth, member)
        elif isinstance(member, m.Link):
            out.put(depth, f"{member.name}(link)")
            out.put(depth + 1, "\\target", _scalar(member.target))
            if member.napimount:
                out.put(depth + 1, "\\napimount", _scalar(member.napimount))
            _doc(out, depth + 1, member.doc)
        elif isinstance(member, m.Choice):
            out.put(depth, f"{member.name}(choice)")
            _doc(out, depth + 1, member.doc)
            for group in member.groups:
                _group(out, depth + 1, group)


def write_nyaml(definition: m.Definition) -> str:
    """The nyaml text of ``definition``, which the ``nyaml`` tool turns into our NXDL of it.

    Args:
        definition: the model, as :func:`read_yaml`, :func:`read_nxdl` or :func:`read_nyaml`
            gives it.

    Returns:
        The nyaml text (keywords with a backslash, no hash trailer). What nyaml cannot say
        (our own keywords such as domain, personal, icat, config) is left out;
        ``nyaml_problems(definition)`` lists it. Raises nothing for a valid model.
    """
    out = _Out()
    if definition.header:
        out.lines += [line if line.startswith("#") else f"# {line}"
                      for line in definition.header.split("\n")]
    category = definition.category if definition.category in ("base", "application") \
        else "application"
    out.put(0, "\\category", category)
    _doc(out, 0, definition.doc if definition.doc is not None else definition.name)
    if definition.symbols or definition.symbols_doc:
        out.put(0, "\\symbols")
        if definition.symbols_doc is not None:
            out.text(1, "\\doc", definition.symbols_doc)
        for symbol in definition.symbols:
            out.text(1, symbol.name, symbol.doc or "")
    out.put(0, "\\type", "group")
    for word, value in (("ignoreExtraGroups", definition.ignore_extra_groups),
                        ("ignoreExtraFields", definition.ignore_extra_fields),
                        ("ignoreExtraAttributes", definition.ignore_extra_attributes),
                        ("restricts", definition.restricts)):
        if value is not None:
            out.put(0, f"\\{word}", _scalar(value))
    if definition.deprecated:
        out.text(0, "\\deprecated", definition.deprecated)
    out.put(0, definition.name + (f"({definition.extends})" if definition.extends else ""))
    _body(out, 1, definition.attributes, definition.members)
    return "\n".join(out.lines) + "\n"


def nyaml_problems(definition: m.Definition) -> list[Finding]:
    """What :func:`write_nyaml` leaves out or the nyaml tool reshapes, as warnings."""
    found: list[Finding] = []

    def note(element, message):
        src = element.source or definition.source or m.Source("")
        found.append(warning("nyaml-lossy", message, file=src.file, line=src.line, col=src.col))

    if definition.category not in ("base", "application"):
        note(definition, f"nyaml has base and application only: {definition.category} is "
             "written as application")
    if definition.svnid or definition.domain or definition.placement:
        note(definition, "nyaml has no place for svnid, domain or placement; left out")
    if definition.doc is None:
        note(definition, "the nyaml tool needs a doc at the root; the name is written as doc")
    if definition.symbols_doc and len(definition.symbols_doc) > 70:
        note(definition, "the nyaml tool refills the symbols doc at 70 columns")
    if definition.extends is None:
        note(definition, "without extends the nyaml tool writes extends=\"NXobject\"")
    for element, _ in m.walk(definition.members):
        ours = [w for w in _OURS if getattr(element, w, None) not in (None, False)]
        if ours:
            note(element, f"nyaml has no place for {', '.join(ours)}; left out")
        if isinstance(element, m.Link) and (element.deprecated or element.optional is not None
                                            or element.recommended):
            note(element, "the nyaml tool takes only target, napimount and doc on a link")
        if isinstance(element, m.Attribute) and element.units:
            note(element, "units on an attribute are not NXDL; left out")
        if isinstance(element, (m.Field, m.Group)) and (
                element.min_occurs is not None or element.max_occurs is not None) \
                and (element.optional is not None or element.recommended):
            note(element, "nyaml's exists holds either optional/recommended/required or "
                 "min/max, not both: min/max is written")
        docs = [getattr(element, "doc", None)]
        enumeration = getattr(element, "enumeration", None)
        docs += [item.doc for item in enumeration.items] if enumeration else []
        if any(_reshaped(doc) for doc in docs):
            note(element, _RESHAPED)
    if any(_reshaped(doc) for doc in [definition.doc] + [s.doc for s in definition.symbols]):
        note(definition, _RESHAPED)
    return found


_RESHAPED = ("the nyaml tool reshapes this doc (it wraps a one-line doc longer than 80 "
             "characters, turns four spaces into a tab, drops one-character end lines)")


def _reshaped(doc) -> bool:
    if not isinstance(doc, str):
        return False
    from nxschema._definitions.nyaml_doc import shaped_doc

    return shaped_doc(doc, v1=True) != doc
