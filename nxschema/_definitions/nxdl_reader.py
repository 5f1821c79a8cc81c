"""NXDL (``*.nxdl.xml``) → model.

The XML is read into a light tree of positioned elements (:mod:`nxschema._definitions.nxdl_xml`:
expat, no DTD or entity, bounded depth), then turned into model objects while checking each
element and attribute against what nxdl.xsd allows; problems become findings, never exceptions.

Reading is lenient where the author's meaning is clear: ``required="true"`` on a field,
``optional="True"``, ``optional`` on a ``<link>`` and the other deviations in
``LENIENT_ATTRIBUTES`` are read as meant, with an ``nxdl-lenient`` warning; an attribute the xsd
does not have is ignored with an ``nxdl-attribute`` warning. ``LENIENT_CODES`` are what
``--strict-definitions`` turns into errors. A name HDF5 cannot hold leaves its element out.

What is kept and how (docs/nxdl.md has the full table):

* every NXDL attribute of every element, with booleans as bool, ``minOccurs``/``maxOccurs`` as
  int (or ``"unbounded"``), ``rank`` and ``dim@value`` as int when they are written as a plain
  integer and as text otherwise (``dataRank``, ``tof+1``, ``1 or 2``);
* docs with their indentation normalised (:func:`clean_doc`), so round trips are
  whitespace-insensitive; child elements inside a ``<doc>`` are kept as their XML text;
* the comment before the root element (the copyright header) as ``Definition.header``;
* our own keywords that NXDL cannot express, from the ``<!--nxschema {...}-->`` comment that
  :mod:`nxschema._definitions.nxdl_writer` puts as the first child of an element (see ``EXTRAS``).

Other comments and processing instructions are not part of the model and are dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from xml.parsers import expat

from nxschema import model as m
from nxschema._definitions.bounds import hdf5_name_problem, int_problem, is_integer_text, shown
from nxschema._definitions.nxdl_xml import Node, Refused, clean_doc, parse, split
from nxschema._process.formats import FORMATS as CONFIG_FORMATS
from nxschema._codes import LENIENT_CODES  # noqa: F401 - re-exported: the reader's codes
from nxschema._findings import Finding, error
from nxschema._vocabulary import DOMAINS, PLACEMENTS, REFERS_TO

NXDL_NS = "http://definition.nexusformat.org/nxdl/3.1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
EXTRAS_PREFIX = "nxschema "  # <!--nxschema {"domain": "acquisition"}-->

# What nxdl.xsd allows: the attributes and the child elements of each element.
ATTRIBUTES = {
    "definition": ("name", "type", "extends", "restricts", "svnid", "category",
                   "ignoreExtraGroups", "ignoreExtraFields", "ignoreExtraAttributes",
                   "deprecated"),
    "group": ("type", "name", "minOccurs", "maxOccurs", "optional", "recommended", "deprecated",
              "nameType"),
    "field": ("name", "type", "units", "minOccurs", "maxOccurs", "optional", "recommended",
              "deprecated", "nameType", "long_name", "signal", "axes", "axis", "primary",
              "stride", "data_offset", "interpretation"),
    "attribute": ("name", "type", "optional", "recommended", "deprecated", "nameType"),
    "link": ("name", "target", "napimount", "deprecated"),
    "choice": ("name",),
    "symbols": (),
    "symbol": ("name",),
    "doc": (),
    "dimensions": ("rank",),
    "dim": ("index", "value", "ref", "refindex", "incr", "required"),
    "enumeration": ("open",),
    "item": ("value",),
}
REQUIRED = {
    "definition": ("name", "type", "category"), "group": ("type",), "field": ("name",),
    "attribute": ("name",), "link": ("name", "target"), "choice": ("name",), "item": ("value",),
    "dim": ("index",),
}
_MEMBERS = ("doc", "attribute", "choice", "group", "field", "link")
CHILDREN = {
    "definition": ("symbols",) + _MEMBERS,
    "group": _MEMBERS,
    "field": ("doc", "dimensions", "attribute", "enumeration"),
    "attribute": ("doc", "enumeration", "dimensions"),
    "link": ("doc",),
    "choice": ("group",),
    "symbols": ("doc", "symbol"),
    "symbol": ("doc",),
    "dimensions": ("doc", "dim"),
    "dim": (),
    "enumeration": ("item",),
    "item": ("doc",),
}
_SINGLE = {"doc", "symbols", "dimensions", "enumeration"}  # at most one per parent
_MIXED = {"doc", "symbols"}  # text allowed directly inside

# Our keywords carried in an <!--nxschema {...}--> comment, by element kind.
EXTRAS = {
    "definition": ("category", "placement", "domain", "applies_when"),
    "group": ("domain", "personal", "config", "icat", "forbid_extra"),
    "field": ("domain", "personal", "config", "icat", "value", "refers_to"),
    "attribute": ("domain", "personal", "units", "value"),
    "link": ("optional", "recommended", "domain", "personal"),
    "choice": ("doc",),
    "dim": ("doc", "index"),
}

# Attributes nxdl.xsd does not have on an element, but whose meaning is clear; read as meant,
# each with an nxdl-lenient warning (docs/nxdl.md, "Lenient reading", has the table).
LENIENT_ATTRIBUTES = {
    "group": ("required",), "field": ("required",),
    "attribute": ("required", "units"),
    "link": ("optional", "recommended", "required"),
}

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
_DEFINITION_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME_TYPES = ("specified", "any", "partial")
_INTERPRETATIONS = ("scalar", "spectrum", "image", "rgb-image", "rgba-image", "hsl-image",
                    "hsla-image", "cmyk-image", "vertex")


def _int_or_text(text: str | None):
    """A plain integer as written (``3``, ``-1``) becomes int; anything else stays text."""
    if text is None:
        return None
    if is_integer_text(text) and str(int(text)) == text:
        return int(text)
    return text


class _Builder:
    """Turns the checked node tree into model objects; collects findings on the way."""

    def __init__(self, file: str):
        self.file = file
        self.findings: list[Finding] = []

    def problem(self, node: Node, code: str, message: str, severity: str = "error") -> None:
        self.findings.append(Finding(code, severity, message, file=self.file, line=node.line,
                                     col=node.col))

    def src(self, node: Node) -> m.Source:
        return m.Source(self.file, node.line, node.col)

    # --- checking against nxdl.xsd -------------------------------------------------------------

    def check(self, node: Node) -> dict:
        """The node's NXDL attributes, after reporting what the xsd does not allow.

        The lenient ones (``LENIENT_ATTRIBUTES``) are kept, for the element's builder to read
        and report; any other attribute the xsd lacks is reported and ignored.
        """
        allowed = ATTRIBUTES[node.tag]
        attrs = {}
        for key, value in node.attrs.items():
            if key in allowed:  # the common case: a plain NXDL attribute
                attrs[key] = value
                continue
            ns, local = split(key)
            if ns == XSI_NS:
                continue  # xsi:schemaLocation and friends are allowed everywhere
            if not ns and local in LENIENT_ATTRIBUTES.get(node.tag, ()):
                attrs[local] = value
                continue
            if ns or local not in allowed:
                self.problem(node, "nxdl-attribute", f"<{node.tag}> has no attribute "
                             f"{shown(local)} in nxdl.xsd; it is ignored (allowed: "
                             f"{', '.join(allowed) or 'none'})", severity="warning")
                continue
            attrs[local] = value
        for key in REQUIRED.get(node.tag, ()):
            if key not in attrs:
                self.problem(node, "nxdl-value", f"<{node.tag}> needs the attribute {key!r}")
        if node.text and node.tag not in _MIXED and "".join(node.text).strip():
            self.problem(node, "nxdl-lenient", f"<{node.tag}> holds text outside a <doc>; "
                         "nxdl.xsd allows text only in <doc>, and it is ignored",
                         severity="warning")
        return attrs

    def children(self, node: Node) -> list[Node]:
        """The child elements the xsd allows under ``node``, reporting the others."""
        allowed = CHILDREN[node.tag]
        out, seen = [], set()
        for child in node.children:
            if child.ns not in (NXDL_NS, "") or child.tag not in allowed:
                where = f"{{{child.ns}}}{child.tag}" if child.ns not in (NXDL_NS, "") else child.tag
                self.problem(child, "nxdl-element", f"<{where}> is not allowed in <{node.tag}>; "
                             f"allowed: {', '.join(allowed) or 'nothing'}")
                continue
            repeatable = child.tag == "doc" and node.tag in ("definition", "group")
            if child.tag in _SINGLE and child.tag in seen and not repeatable:
                self.problem(child, "nxdl-element", f"only one <{child.tag}> is allowed in "
                             f"<{node.tag}>; this one is ignored")
                continue
            seen.add(child.tag)
            out.append(child)
        return out

    def boolean(self, node, attrs, key) -> bool | None:
        text = attrs.get(key)
        if text is None:
            return None
        value = _BOOLEANS.get(text.strip())
        if value is None and text.strip().lower() in ("true", "false"):
            value = text.strip().lower() == "true"
            self.problem(node, "nxdl-lenient", f"{key}={shown(text)}: nxdl.xsd booleans are lower "
                         f"case; read as {key}=\"{str(value).lower()}\"", severity="warning")
        elif value is None:
            self.problem(node, "nxdl-value", f"{key}={shown(text)} is not a boolean (true or false)")
        return value

    def occurs(self, node, attrs, key):
        text = attrs.get(key)
        if text is None:
            return None
        text = text.strip()
        if text.isdigit() and text.isascii():
            problem = int_problem(text)
            if problem:
                self.problem(node, "too-large-integer", f"{key}: {problem}")
                return None
            return int(text)
        if text == "unbounded" and key == "maxOccurs":
            return text
        self.problem(node, "nxdl-value", f"{key}={shown(text)} must be a non-negative integer"
                     + (" or 'unbounded'" if key == "maxOccurs" else ""))
        return None

    def integer(self, node, attrs, key):
        """``key`` as int when written as a plain integer, else as text; None if too large."""
        return _int_or_text(self.bounded_text(node, attrs, key))

    def bounded_text(self, node, attrs, key):
        """``key`` as written (an index stays text), or None if it is an integer too large."""
        text = attrs.get(key)
        problem = None if text is None else int_problem(text)
        if problem:
            self.problem(node, "too-large-integer", f"{key}: {problem}")
            return None
        return text

    def requirement(self, node, attrs, optional: bool | None) -> bool | None:
        """``optional``, or what a lenient ``required`` (which nxdl.xsd has on <dim> only) says."""
        required = self.boolean(node, attrs, "required")
        if required is None:
            return optional
        if optional is not None and optional == required:
            self.problem(node, "nxdl-value", f'required="{attrs["required"]}" contradicts '
                         f'optional="{str(optional).lower()}"; optional is used')
            return optional
        self.problem(node, "nxdl-lenient", f"<{node.tag}> has no attribute 'required' in "
                     f'nxdl.xsd; read as optional="{str(not required).lower()}"',
                     severity="warning")
        return not required

    def choose(self, node, attrs, key, allowed):
        value = attrs.get(key)
        if value is not None and value not in allowed:
            self.problem(node, "nxdl-value",
                         f"{key}={shown(value)} is not one of {', '.join(allowed)}")
            return None
        return value

    def extras(self, node: Node) -> dict:
        """Our keywords from the element's ``<!--nxschema {...}-->`` comment, checked."""
        out: dict = {}
        for text, line, col in node.comments:
            if not text.startswith(EXTRAS_PREFIX):
                continue
            where = Node(node.ns, node.tag, {}, line, col)
            try:
                data = json.loads(text[len(EXTRAS_PREFIX):])
            except RecursionError:
                self.problem(where, "nxdl-extras", "the nxschema comment is nested too deeply")
                continue
            except ValueError as exc:
                self.problem(where, "nxdl-extras", f"the nxschema comment is not JSON: {exc}")
                continue
            if not isinstance(data, dict):
                self.problem(where, "nxdl-extras", "the nxschema comment must hold an object")
                continue
            allowed = EXTRAS.get(node.tag, ())
            for key, value in data.items():
                problem = _extra_problem(node.tag, key, value, allowed)
                if problem:
                    self.problem(where, "nxdl-extras", problem)
                else:
                    out[key] = value
        return out

    # --- pieces -------------------------------------------------------------------------------

    def doc(self, nodes) -> str | None:
        docs = [clean_doc("".join(n.text)) for n in nodes if n.tag == "doc"]
        if not docs:
            return None
        if len(docs) == 1:
            return docs[0]
        body = "\n\n".join(d.strip("\n") for d in docs)  # NXDL allows several in a group
        return body + "\n"

    def dimensions(self, node: Node) -> m.Dimensions:
        attrs = self.check(node)
        kids = self.children(node)
        dims = []
        for kid in kids:
            if kid.tag != "dim":
                continue
            a = self.check(kid)
            self.children(kid)
            extra = self.extras(kid)
            index = None if extra.get("index") is False else self.bounded_text(kid, a, "index")
            dims.append(m.Dim(value=self.integer(kid, a, "value"), index=index, ref=a.get("ref"),
                              refindex=self.bounded_text(kid, a, "refindex"),
                              incr=self.bounded_text(kid, a, "incr"),
                              required=self.boolean(kid, a, "required"), doc=extra.get("doc"),
                              source=self.src(kid)))
        return m.Dimensions(rank=self.integer(node, attrs, "rank"), dims=tuple(dims),
                            doc=self.doc(kids), source=self.src(node))

    def enumeration(self, node: Node) -> m.Enumeration:
        attrs = self.check(node)
        items = []
        for kid in self.children(node):
            a = self.check(kid)
            if "value" in a:
                items.append(m.EnumItem(a["value"], self.doc(self.children(kid)),
                                        self.src(kid)))
        return m.Enumeration(tuple(items), self.boolean(node, attrs, "open"), self.src(node))

    def _common(self, node, attrs) -> dict:
        out = {"optional": self.requirement(node, attrs, self.boolean(node, attrs, "optional")),
               "recommended": self.boolean(node, attrs, "recommended"),
               "deprecated": attrs.get("deprecated")}
        if "nameType" in attrs:
            out["name_type"] = self.choose(node, attrs, "nameType", _NAME_TYPES)
        return out

    @staticmethod
    def _only(kids, tag):
        for kid in kids:
            if kid.tag == tag:
                return kid
        return None

    def _value_and_enumeration(self, kids, extra):
        enum_node = self._only(kids, "enumeration")
        enumeration = self.enumeration(enum_node) if enum_node is not None else None
        value = extra.get("value")
        if value is not None and enumeration is not None and enumeration.open is None \
                and enumeration.values == (value,) and enumeration.items[0].doc is None:
            enumeration = None  # the writer's rendering of a fixed value
        return value, enumeration

    def attribute(self, node: Node) -> m.Attribute:
        attrs = self.check(node)
        kids = self.children(node)
        extra = self.extras(node)
        dims = self._only(kids, "dimensions")
        value, enumeration = self._value_and_enumeration(kids, extra)
        units = extra.get("units")
        if "units" in attrs:
            self.problem(node, "nxdl-lenient", "<attribute> has no attribute 'units' in "
                         f"nxdl.xsd; read as the attribute's units ({shown(attrs['units'])})",
                         severity="warning")
            units = units if units is not None else attrs["units"]
        return m.Attribute(
            attrs.get("name", ""), type=attrs.get("type"), units=units,
            doc=self.doc(kids), enumeration=enumeration,
            dimensions=self.dimensions(dims) if dims is not None else None, value=value,
            domain=extra.get("domain"), personal=extra.get("personal"), source=self.src(node),
            **self._common(node, attrs))

    def field(self, node: Node) -> m.Field:
        attrs = self.check(node)
        kids = self.children(node)
        extra = self.extras(node)
        dims = self._only(kids, "dimensions")
        value, enumeration = self._value_and_enumeration(kids, extra)
        interpretation = self.choose(node, attrs, "interpretation", _INTERPRETATIONS)
        return m.Field(
            attrs.get("name", ""), type=attrs.get("type"), units=attrs.get("units"),
            doc=self.doc(kids), dimensions=self.dimensions(dims) if dims is not None else None,
            enumeration=enumeration,
            attributes=self.attributes(kids),
            value=value, min_occurs=self.occurs(node, attrs, "minOccurs"),
            max_occurs=self.occurs(node, attrs, "maxOccurs"),
            long_name=attrs.get("long_name"), signal=attrs.get("signal"), axes=attrs.get("axes"),
            axis=attrs.get("axis"), primary=attrs.get("primary"), stride=attrs.get("stride"),
            data_offset=attrs.get("data_offset"), interpretation=interpretation,
            domain=extra.get("domain"), personal=extra.get("personal"),
            config=self.config(extra.get("config")), icat=self.icat(extra.get("icat")),
            refers_to=extra.get("refers_to"), source=self.src(node), **self._common(node, attrs))

    def group(self, node: Node) -> m.Group:
        attrs = self.check(node)
        kids = self.children(node)
        extra = self.extras(node)
        return m.Group(
            attrs.get("type", ""), attrs.get("name"), doc=self.doc(kids),
            members=self.members(kids),
            attributes=self.attributes(kids),
            min_occurs=self.occurs(node, attrs, "minOccurs"),
            max_occurs=self.occurs(node, attrs, "maxOccurs"),
            domain=extra.get("domain"), personal=extra.get("personal"),
            config=self.config(extra.get("config")), icat=self.icat(extra.get("icat")),
            forbid_extra=tuple(extra.get("forbid_extra", ())), source=self.src(node),
            **self._common(node, attrs))

    def link(self, node: Node) -> m.Link:
        attrs = self.check(node)
        kids = self.children(node)
        extra = self.extras(node)
        flags = {}
        for key in ("optional", "recommended"):
            flags[key] = extra.get(key)
            if key in attrs:
                value = self.boolean(node, attrs, key)
                if value is not None:
                    self.problem(node, "nxdl-lenient", f"<link> has no attribute {key!r} in "
                                 f'nxdl.xsd; read as {key}="{str(value).lower()}"',
                                 severity="warning")
                    flags[key] = value if flags[key] is None else flags[key]
        flags["optional"] = self.requirement(node, attrs, flags["optional"])
        return m.Link(attrs.get("name", ""), attrs.get("target", ""), doc=self.doc(kids),
                      napimount=attrs.get("napimount"), optional=flags["optional"],
                      recommended=flags["recommended"], deprecated=attrs.get("deprecated"),
                      domain=extra.get("domain"), personal=extra.get("personal"),
                      source=self.src(node))

    def choice(self, node: Node) -> m.Choice:
        attrs = self.check(node)
        kids = self.children(node)
        extra = self.extras(node)
        if len(kids) < 2:
            self.problem(node, "nxdl-element", "a <choice> needs at least two <group>s")
        return m.Choice(attrs.get("name", ""), tuple(self.group(k) for k in kids
                                                     if self.storable(k)),
                        extra.get("doc"), self.src(node))

    def members(self, kids) -> tuple[m.Member, ...]:
        build: dict[str, Callable[[Node], m.Member]] = {
            "group": self.group, "field": self.field, "link": self.link, "choice": self.choice}
        return tuple(build[k.tag](k) for k in kids if k.tag in build and self.storable(k))

    def attributes(self, kids) -> tuple[m.Attribute, ...]:
        return tuple(self.attribute(k) for k in kids if k.tag == "attribute" and self.storable(k))

    def storable(self, node: Node) -> bool:
        """False, after an error, if the element's name cannot be an HDF5 name: it is left out,
        so that nothing (skeletons, generated code, validation) ever meets it."""
        name = node.attrs.get("name")
        problem = None if name is None else hdf5_name_problem(name)
        if problem:
            self.problem(node, "unstorable-name", f"{shown(name)} cannot be an HDF5 name: {problem}")
        return problem is None

    def config(self, data) -> m.ConfigSpec | None:
        if data is None:
            return None
        schema = data.get("schema")
        return m.ConfigSpec(formats=tuple(data.get("formats", CONFIG_FORMATS)),
                            schema=None if schema is None else json.dumps(schema, sort_keys=True))

    @staticmethod
    def icat(data) -> m.IcatSpec | None:
        if data is None:
            return None
        if isinstance(data, str):
            return m.IcatSpec(key=data)
        return m.IcatSpec(**{k: data.get(k) for k in ("key", "record", "mandatory",
                                                      "description")})

    def symbols(self, node: Node | None):
        if node is None:
            return (), None
        self.check(node)
        kids = self.children(node)
        out = []
        for kid in kids:
            if kid.tag == "symbol":
                attrs = self.check(kid)
                out.append(m.Symbol(attrs.get("name", ""), self.doc(self.children(kid)),
                                    self.src(kid)))
        return tuple(out), self.doc(kids)

    def definition(self, root: Node, header: str | None) -> m.Definition | None:
        if root.ns not in (NXDL_NS, "") or root.tag != "definition":
            self.problem(root, "nxdl-element", f"the root element must be <definition> in "
                         f"namespace {NXDL_NS}, not <{root.tag}>")
            return None
        if root.ns == "":
            self.problem(root, "nxdl-namespace", f"<definition> should declare "
                         f'xmlns="{NXDL_NS}"', severity="warning")
        attrs = self.check(root)
        self.choose(root, attrs, "type", ("group", "definition"))
        kids = self.children(root)
        extra = self.extras(root)
        category = self.choose(root, attrs, "category", ("base", "application"))
        if "name" in attrs and not _DEFINITION_NAME.fullmatch(attrs["name"]):
            self.problem(root, "nxdl-value", f"name={shown(attrs['name'])} is not a definition name "
                         "(a letter or '_', then letters, digits and '_')")
            return None
        if "name" not in attrs or category is None:
            return None
        symbols, symbols_doc = self.symbols(self._only(kids, "symbols"))
        return m.Definition(
            name=attrs["name"], category=extra.get("category", category),
            extends=attrs.get("extends"), doc=self.doc(kids), symbols=symbols,
            symbols_doc=symbols_doc, members=self.members(kids),
            attributes=self.attributes(kids),
            ignore_extra_groups=self.boolean(root, attrs, "ignoreExtraGroups"),
            ignore_extra_fields=self.boolean(root, attrs, "ignoreExtraFields"),
            ignore_extra_attributes=self.boolean(root, attrs, "ignoreExtraAttributes"),
            deprecated=attrs.get("deprecated"), restricts=attrs.get("restricts"),
            svnid=attrs.get("svnid"), placement=extra.get("placement"),
            domain=extra.get("domain"), header=header, source=self.src(root),
            applies_when=None if "applies_when" not in extra else
            m.AppliesWhen.from_data(extra["applies_when"], self.src(root)))


_EXTRA_TYPES = {
    "domain": lambda v: v in DOMAINS, "personal": lambda v: isinstance(v, bool),
    "optional": lambda v: isinstance(v, bool), "recommended": lambda v: isinstance(v, bool),
    "applies_when": lambda v: isinstance(v, dict) and set(v) == {"root_attribute"}
    and isinstance(v["root_attribute"], dict) and bool(v["root_attribute"])
    and all(isinstance(x, str) or isinstance(x, list) and x and all(isinstance(y, str) for y in x)
            for x in v["root_attribute"].values()),
    "placement": lambda v: v in PLACEMENTS, "category": lambda v: v in ("layout", "process"),
    "units": lambda v: isinstance(v, str), "value": lambda v: isinstance(v, str),
    "doc": lambda v: isinstance(v, str), "index": lambda v: v is False,
    "refers_to": lambda v: v in REFERS_TO,
    "forbid_extra": lambda v: isinstance(v, list) and set(v) <= {"groups", "fields",
                                                                  "attributes"},
    "config": lambda v: isinstance(v, dict) and set(v) <= {"formats", "schema"}
    and set(v.get("formats", CONFIG_FORMATS)) <= set(CONFIG_FORMATS),
    "icat": lambda v: isinstance(v, str) or isinstance(v, dict)
    and set(v) <= {"key", "record", "mandatory", "description"},
}


def _extra_problem(tag: str, key: str, value, allowed) -> str | None:
    if key not in allowed:
        return (f"the nxschema comment of <{tag}> has no keyword {shown(key)}; allowed: "
                f"{', '.join(allowed) or 'none'}")
    if not _EXTRA_TYPES[key](value):
        return f"the nxschema comment has a bad value for {shown(key)}: {shown(value)}"
    return None


def read_nxdl(text: str, file: str) -> tuple[m.Definition | None, list[Finding]]:
    """Parse one NXDL definition.

    Args:
        text: the NXDL XML text.
        file: the name findings give as its place (``file:line:col``).

    Returns:
        ``(definition, findings)``. The definition is returned even when some elements had
        problems (they are left out and reported), so that ``nxschema check`` can go on to lint
        the rest; it is None when the XML cannot be parsed or has no ``<definition>``.

    Never raises for bad input: every problem is a finding.
    """
    try:
        root, before_root = parse(text)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) if exc.code else str(exc)
        return None, [error("nxdl-syntax", f"the XML cannot be parsed: {message}", file=file,
                            line=exc.lineno, col=exc.offset + 1)]
    except Refused as exc:
        return None, [error("nxdl-syntax", str(exc), file=file, line=exc.line, col=exc.col)]
    except RecursionError:  # not expected below MAX_DEPTH; kept so that no input can raise
        return None, [error("nxdl-syntax", "the XML is nested too deeply", file=file, line=1,
                            col=1)]
    if root is None:
        return None, [error("nxdl-syntax", "the file holds no XML element", file=file, line=1,
                            col=1)]
    # The header is kept as '#' comment lines (as the official files write it), which is also
    # how the YAML form carries it: the same text both ways.
    lines = "\n\n".join(h for h in (clean_doc(c).strip("\n") for c in before_root) if h)
    header = "\n".join(x if x.startswith("#") else f"# {x}".rstrip()
                       for x in lines.split("\n")) if lines else None
    builder = _Builder(file)
    try:
        definition = builder.definition(root, header)
    except RecursionError:  # not expected below MAX_DEPTH; kept so that no input can raise
        return None, [error("nxdl-syntax", "the XML is nested too deeply", file=file, line=1,
                            col=1)]
    return definition, builder.findings
