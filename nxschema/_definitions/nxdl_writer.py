"""Model → NXDL XML that passes nxdl.xsd (the inverse of ``_nxdl_reader``).

Everything NXDL can say is written as NXDL. Our keywords that it cannot say (``domain``,
``personal``, ``placement``, ``config``, ``icat``, ``refers_to``, ``forbid_extra``, the categories ``layout``
and ``process``, and a few element properties the xsd has no place for: ``optional`` on a link,
``units`` on an attribute, a choice's ``doc``, a dim's ``doc``) go into one comment, the first
child of the element they belong to::

    <field name="title" type="NX_CHAR">
        <!--nxschema {"domain": "user", "icat": "Sample_name"}-->

XML Schema validation ignores comments, so the file stays valid NXDL that every NeXus tool
reads as before, and reading it back with nxschema gives the same model. A fixed ``value`` is
also written as a one-item closed enumeration, which is what NXDL says for it.
"""

from __future__ import annotations

import json
import re

from nxschema import model as m
from nxschema._findings import Finding, warning
from nxschema._definitions.nxdl_reader import EXTRAS_PREFIX, NXDL_NS, XSI_NS

INDENT = "    "
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
# nxdl.xsd's validItemName and validTargetName.
_NXDL_NAME = re.compile(r"[a-zA-Z0-9_]([a-zA-Z0-9_.]*[a-zA-Z0-9_])?")
_NXDL_TARGET = re.compile(r"(/[a-zA-Z_]\w*(:[a-zA-Z_]\w*)?)+")
NXDL_CATEGORY = {"base": "base", "application": "application", "layout": "application",
                 "process": "base"}


def _legal(text: str) -> str:
    """XML 1.0 cannot hold most control characters at all: they become U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text) if _XML_ILLEGAL.search(text) else text


def _attr(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _legal(str(value)).translate(_ATTR_ESCAPES)


def _text(value: str) -> str:
    return _legal(value).translate(_TEXT_ESCAPES)


class _Out:
    """An indented line buffer."""

    def __init__(self):
        self.lines: list[str] = []

    def open(self, depth: int, tag: str, attrs, *, empty: bool = False) -> None:
        pairs = "".join(f' {key}="{_attr(value)}"' for key, value in attrs if value is not None)
        self.lines.append(f"{INDENT * depth}<{tag}{pairs}{'/' if empty else ''}>")

    def close(self, depth: int, tag: str) -> None:
        self.lines.append(f"{INDENT * depth}</{tag}>")

    @staticmethod
    def comment(data: dict) -> str:
        """``<!--nxschema {...}-->`` for the keywords in ``data`` that are set, or ''."""
        data = {k: v for k, v in data.items() if v is not None and v != ()}
        if not data:
            return ""
        # "--" may not appear in a comment; outside JSON strings it never does, inside them
        # the escape \u002d reads back as the same hyphen.
        body = json.dumps(data, ensure_ascii=False).replace("--", "-\\u002d")
        return f"<!--{EXTRAS_PREFIX}{_legal(body)}-->"

    def extras(self, depth: int, data: dict) -> None:
        comment = self.comment(data)
        if comment:
            self.lines.append(INDENT * depth + comment)

    def doc(self, depth: int, doc: str | None) -> None:
        if doc is None:
            return
        body = doc.strip("\n")
        if "\n" not in body:
            self.lines.append(f"{INDENT * depth}<doc>{_text(body)}</doc>")
            return
        pad = INDENT * (depth + 1)
        self.lines.append(f"{INDENT * depth}<doc>")
        self.lines += [pad + _text(line) if line.strip() else "" for line in body.split("\n")]
        self.lines.append(f"{INDENT * depth}</doc>")


def _element(out: _Out, depth: int, tag: str, attrs, extras: dict, body) -> None:
    """Write ``<tag attrs>``, its extras comment and ``body(depth + 1)``; empty if nothing."""
    start = len(out.lines)
    out.extras(depth + 1, extras)
    body(depth + 1)
    if len(out.lines) == start:
        out.open(depth, tag, attrs, empty=True)
    else:
        inner = out.lines[start:]
        del out.lines[start:]
        out.open(depth, tag, attrs)
        out.lines += inner
        out.close(depth, tag)


def _requirement(element) -> list:
    return [("optional", element.optional), ("recommended", element.recommended)]


def _occurs(element) -> list:
    return [("minOccurs", element.min_occurs), ("maxOccurs", element.max_occurs)]


def _config(spec: m.ConfigSpec | None):
    if spec is None:
        return None
    out: dict = {"formats": list(spec.formats)}
    if spec.schema is not None:
        out["schema"] = json.loads(spec.schema)
    return out


def _icat(spec: m.IcatSpec | None):
    if spec is None:
        return None
    if spec.record is None and spec.mandatory is None and spec.description is None:
        return spec.key
    return {k: getattr(spec, k) for k in ("key", "record", "mandatory", "description")
            if getattr(spec, k) is not None}


def _dimensions(out: _Out, depth: int, dims: m.Dimensions | None) -> None:
    if dims is None:
        return

    def body(d):
        out.doc(d, dims.doc)
        for position, dim in enumerate(dims.dims, start=1):
            attrs = [("index", dim.index if dim.index is not None else str(position)),
                     ("value", dim.value), ("ref", dim.ref), ("refindex", dim.refindex),
                     ("incr", dim.incr), ("required", dim.required)]
            extras = {"doc": dim.doc, "index": False if dim.index is None else None}
            # A dim's content is empty: its extras comment must sit without any whitespace.
            out.open(d, "dim", attrs, empty=not (dim.doc or dim.index is None))
            if dim.doc or dim.index is None:
                out.lines[-1] += f"{out.comment(extras)}</dim>"

    _element(out, depth, "dimensions", [("rank", dims.rank)], {}, body)


def _enumeration(out: _Out, depth: int, enum: m.Enumeration | None, value: str | None) -> None:
    if enum is None and value is not None:
        enum = m.Enumeration((m.EnumItem(value),))
    if enum is None or not enum.items:
        return  # NXDL needs at least one item

    def body(d):
        for item in enum.items:
            _element(out, d, "item", [("value", item.value)], {},
                     lambda dd, item=item: out.doc(dd, item.doc))

    _element(out, depth, "enumeration", [("open", enum.open)], {}, body)


def _attribute(out: _Out, depth: int, attr: m.Attribute) -> None:
    attrs = [("name", attr.name), ("type", attr.type), *_requirement(attr),
             ("deprecated", attr.deprecated), ("nameType", attr.name_type)]
    extras = {"units": attr.units, "value": attr.value, "domain": attr.domain,
              "personal": attr.personal}

    def body(d):
        out.doc(d, attr.doc)
        _enumeration(out, d, attr.enumeration, attr.value)
        _dimensions(out, d, attr.dimensions)

    _element(out, depth, "attribute", attrs, extras, body)


def _field(out: _Out, depth: int, field: m.Field) -> None:
    attrs = [("name", field.name), ("type", field.type), ("units", field.units),
             *_requirement(field), *_occurs(field), ("deprecated", field.deprecated),
             ("nameType", field.name_type), ("long_name", field.long_name),
             ("signal", field.signal), ("axes", field.axes), ("axis", field.axis),
             ("primary", field.primary), ("stride", field.stride),
             ("data_offset", field.data_offset), ("interpretation", field.interpretation)]
    extras = {"value": field.value, "domain": field.domain, "personal": field.personal,
              "config": _config(field.config), "icat": _icat(field.icat),
              "refers_to": field.refers_to}

    def body(d):
        out.doc(d, field.doc)
        _dimensions(out, d, field.dimensions)
        for attribute in field.attributes:
            _attribute(out, d, attribute)
        _enumeration(out, d, field.enumeration, field.value)

    _element(out, depth, "field", attrs, extras, body)


def _group(out: _Out, depth: int, group: m.Group) -> None:
    attrs = [("type", group.nx_class), ("name", group.name), *_requirement(group),
             *_occurs(group), ("deprecated", group.deprecated), ("nameType", group.name_type)]
    extras = {"domain": group.domain, "personal": group.personal,
              "config": _config(group.config), "icat": _icat(group.icat),
              "forbid_extra": list(group.forbid_extra) or None}

    def body(d):
        out.doc(d, group.doc)
        for attribute in group.attributes:
            _attribute(out, d, attribute)
        _members(out, d, group.members)

    _element(out, depth, "group", attrs, extras, body)


def _link(out: _Out, depth: int, link: m.Link) -> None:
    attrs = [("name", link.name), ("target", link.target), ("napimount", link.napimount),
             ("deprecated", link.deprecated)]
    extras = {"optional": link.optional, "recommended": link.recommended,
              "domain": link.domain, "personal": link.personal}
    _element(out, depth, "link", attrs, extras, lambda d: out.doc(d, link.doc))


def _choice(out: _Out, depth: int, choice: m.Choice) -> None:
    def body(d):
        for group in choice.groups:
            _group(out, d, group)

    _element(out, depth, "choice", [("name", choice.name)], {"doc": choice.doc}, body)


def _members(out: _Out, depth: int, members) -> None:
    for member in members:
        if isinstance(member, m.Group):
            _group(out, depth, member)
        elif isinstance(member, m.Link):
            _link(out, depth, member)
        elif isinstance(member, m.Choice):
            _choice(out, depth, member)
        else:
            _field(out, depth, member)


def _header(header: str | None) -> list[str]:
    if not header:
        return []
    body = _legal(header.strip("\n"))
    while "--" in body:
        body = body.replace("--", "- -")
    return ["<!--", body, "-->"]


def write_nxdl(definition: m.Definition) -> str:
    """NXDL text for ``definition``; it passes nxdl.xsd and reads back as an equal model.

    Names and link targets are written as they are: one that NXDL does not allow (a ``-`` in a
    name, say) stays so, and the xsd will say so.

    Args:
        definition: the model, as :func:`read_yaml` or :func:`read_nxdl` gives it.

    Returns:
        The XML text. Raises nothing for a valid model.
    """
    d = definition
    out = _Out()
    out.lines += ['<?xml version="1.0" encoding="UTF-8"?>',
                  '<?xml-stylesheet type="text/xsl" href="nxdlformat.xsl"?>']
    out.lines += _header(d.header)
    ignore = [(f"ignoreExtra{kind.capitalize()}", getattr(d, f"ignore_extra_{kind}"))
              for kind in ("groups", "fields", "attributes")]
    root = [("xmlns", NXDL_NS), ("xmlns:xsi", XSI_NS),
            ("xsi:schemaLocation", f"{NXDL_NS} ../nxdl.xsd"),
            ("name", d.name), ("type", "group"), ("extends", d.extends),
            ("restricts", d.restricts), ("svnid", d.svnid),
            ("category", NXDL_CATEGORY.get(d.category, d.category)), *ignore,
            ("deprecated", d.deprecated)]
    extras = {"category": d.category if d.category in ("layout", "process") else None,
              "placement": d.placement, "domain": d.domain,
              "applies_when": d.applies_when.as_data() if d.applies_when else None}

    def body(depth):
        if d.symbols or d.symbols_doc is not None:
            def symbols(dd):
                out.doc(dd, d.symbols_doc)
                for symbol in d.symbols:
                    _element(out, dd, "symbol", [("name", symbol.name)], {},
                             lambda ddd, symbol=symbol: out.doc(ddd, symbol.doc))
            _element(out, depth, "symbols", [], {}, symbols)
        out.doc(depth, d.doc)
        for attribute in d.attributes:
            _attribute(out, depth, attribute)
        _members(out, depth, d.members)

    first = len(out.lines)
    _element(out, 0, "definition", root, extras, body)
    # One attribute a line on the root, as the official files do: it reads better in a diff.
    out.lines[first] = "<definition" + "".join(
        f'\n{INDENT}{key}="{_attr(value)}"' for key, value in root if value is not None) + (
        "/>" if out.lines[first].endswith("/>") else ">")
    return "\n".join(out.lines) + "\n"


def nxdl_problems(definition: m.Definition) -> list[Finding]:
    """What ``write_nxdl`` writes as given but nxdl.xsd refuses: names and link targets."""
    found = []

    def check(element, what, text, pattern, limit=63):
        if text is None or (pattern.fullmatch(text) and len(text) <= limit):
            return
        src = getattr(element, "source", None) or definition.source or m.Source("")
        found.append(warning("nxdl-invalid", f"{what} {text!r} is not allowed in NXDL; the "
                             "written file will not pass nxdl.xsd", file=src.file,
                             line=src.line, col=src.col))

    def walk(members, attributes):
        for attribute in attributes:
            check(attribute, "the attribute name", attribute.name, _NXDL_NAME)
        for member in members:
            if isinstance(member, m.Choice):
                check(member, "the choice name", member.name, _NXDL_NAME)
                walk(member.groups, ())
                continue
            check(member, "the name", member.name, _NXDL_NAME)
            if isinstance(member, m.Group):
                check(member, "the class name", member.nx_class, _NXDL_NAME)
                walk(member.members, member.attributes)
            elif isinstance(member, m.Link):
                check(member, "the link target", member.target, _NXDL_TARGET, limit=10**6)
            else:
                walk((), member.attributes)

    check(definition, "the definition name", definition.name, _NXDL_NAME)
    walk(definition.members, definition.attributes)
    return found
