"""The ESRF ``hdf5_cfg.xml`` mapping format: export from definitions, import into definitions.

The format nests ``<group groupName=".." NX_class="..">`` elements under a root element (the
NXentry group itself, or any element wrapping it); every other element is a leaf named after a
field, whose text is the placeholder ``${IcatKey}`` and whose attributes are ``NAPItype``,
``units``, ``record`` (initial|final), ``ESRF_mandatory`` and ``ESRF_description``.

Import writes the plain rule's keys implicitly and ``icat:`` only where the rule would not give
back the key; it infers a group's renamed CamelCase part (``primary_slit`` → ``SlitPrimary``)
from the keys of its fields. The file's own mistakes (duplicated elements, placeholders copied
from a neighbour, keys reused on unrelated paths) are reported with file:line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

from nxschema import model as m
from nxschema._findings import Finding, error, warning
from nxschema._icat.keys import (
    DEFAULT_RECORD,
    GROUP_PART_GRAMMAR,
    SKIPPED_CLASSES,
    SKIPPED_NAMES,
    TECHNIQUE,
    IcatKey,
    Step,
    camel,
    is_positioner_group,
    technique_of,
)
from nxschema._icat.lint import row_findings
from nxschema.errors import NxschemaError

PLACEHOLDER = re.compile(r"^\$\{([^}]*)\}$")
MANDATORY_WORDS = {"mandatory", "true", "yes", "1"}


@dataclass
class Node:
    tag: str
    attrs: dict
    line: int
    col: int
    text: str = ""
    children: list[Node] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return self.tag == "group"


class _Refused(NxschemaError):
    pass


def parse(text: str, file: str) -> tuple[Node | None, list[Finding]]:
    """The element tree with 1-based positions; DOCTYPEs and entities are refused."""
    parser = expat.ParserCreate()
    stack: list[Node] = []
    root: list[Node] = []

    def start(tag, attrs):
        node = Node(tag, dict(attrs), parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(_tag):
        stack.pop()

    def chars(data):
        if stack:
            stack[-1].text += data

    def refuse(*_args):
        raise _Refused("DOCTYPE and entity declarations are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        return None, [error("icat-xml", f"not well-formed XML: {expat.ErrorString(exc.code)}",
                            file=file, line=exc.lineno, col=exc.offset + 1)]
    except _Refused as exc:
        return None, [error("icat-xml", str(exc), file=file, line=parser.CurrentLineNumber)]
    return root[0], []


def _entry_node(root: Node, file: str, findings: list) -> Node:
    if root.is_group and root.attrs.get("NX_class") == "NXentry":
        return root
    entries = [c for c in root.children if c.is_group and c.attrs.get("NX_class") == "NXentry"]
    if len(entries) > 1:
        findings.append(warning("icat-xml", f"{len(entries)} NXentry groups; only the first is "
                                "read", file=file, line=entries[1].line, col=entries[1].col))
    return entries[0] if entries else root


# --- rows of an XML file ----------------------------------------------------------------------

def _mandatory(node: Node) -> bool:
    return node.attrs.get("ESRF_mandatory", "").strip().lower() in MANDATORY_WORDS


def _placeholder(node: Node) -> str | None:
    match = PLACEHOLDER.match(node.text.strip())
    return match.group(1) if match else None


def _leaf_row(node: Node, steps, file: str) -> IcatKey | None:
    key = _placeholder(node)
    if key is None:
        return None
    steps = steps + (Step(node.tag),)
    return IcatKey(
        key=key, path="/".join(s.name for s in steps),
        nx_type=node.attrs.get("NAPItype") or "NX_CHAR", units=node.attrs.get("units") or None,
        record=node.attrs.get("record") or DEFAULT_RECORD, mandatory=_mandatory(node),
        description=node.attrs.get("ESRF_description") or None, explicit=True, steps=steps,
        source=m.Source(file, node.line, node.col))


def _signature(node: Node):
    return (node.tag, tuple(sorted(node.attrs.items())), node.text.strip(),
            tuple(_signature(c) for c in node.children))


def _unique_children(node: Node, file: str, findings: list) -> list[Node]:
    """Children with duplicated elements dropped (and reported): YAML cannot hold two members
    of one name, and the catalogue reads one of them anyway."""
    seen: dict[tuple, Node] = {}
    out = []
    for child in node.children:
        name = ("g", child.attrs.get("groupName", "")) if child.is_group else ("f", child.tag)
        first = seen.get(name)
        if first is None:
            seen[name] = child
            out.append(child)
            continue
        same = _signature(first) == _signature(child)
        what = "a duplicate of" if same else "a second, different element with the name of"
        findings.append(error("icat-duplicate", f"<{child.tag}> {name[1]!r} is {what} the "
                              f"one at line {first.line}; only the first is kept",
                              file=file, line=child.line, col=child.col))
    return out


def _as_links(rows: list[IcatKey]) -> list[IcatKey]:
    """A key met again on an element of the same name elsewhere is the same data reached through
    a link (the NeXus file links it); with another name it is a mistake, left for the lint."""
    first: dict[str, IcatKey] = {}
    out = []
    for row in rows:
        seen = first.setdefault(row.key, row)
        if seen is not row and seen.path != row.path and seen.element == row.element:
            row = m.replace(row, kind="link", target=seen.path)
        out.append(row)
    return out


def xml_rows(text: str, file: str = "<xml>") -> tuple[list[IcatKey], list[Finding]]:
    """Every (path, key, type, units, ...) row of an hdf5_cfg.xml, and its own mistakes."""
    root, findings = parse(text, file)
    if root is None:
        return [], findings
    rows: list[IcatKey] = []

    def walk(node: Node, steps):
        for child in _unique_children(node, file, findings):
            if child.is_group:
                name = child.attrs.get("groupName", "")
                nx_class = child.attrs.get("NX_class", "")
                if not name or not nx_class:
                    findings.append(error("icat-xml", "a <group> needs groupName and NX_class",
                                          file=file, line=child.line, col=child.col))
                    continue
                walk(child, steps + (Step(name, nx_class),))
            else:
                row = _leaf_row(child, steps, file)
                if row is not None:
                    rows.append(row)

    walk(_entry_node(root, file, findings), ())
    rows = _as_links(rows)
    return rows, findings + row_findings(rows)


# --- import -----------------------------------------------------------------------------------

class _Importer:
    """Builds model members from the XML tree, mirroring the walk of ``_icat.mapping`` so that
    the definitions give back every row: ``prefix`` None marks a region where the plain rule
    gives no key (the entry level, NXdata, measurement, ...), so keys there are written out."""

    def __init__(self, file: str, links: dict[str, str]):
        self.file = file
        self.links = links  # "path" of a link row -> path of the data it links to
        self.fields: dict[str, tuple[str, str]] = {}  # data path -> (owner, link target)

    def members(self, node: Node, steps, prefix: str | None, owner: str, root: str):
        """(members, any mandatory) for the children of ``node``."""
        out: list = []
        mandatory = False
        for child in _unique_children(node, self.file, []):
            if child.is_group:
                made = self.group(child, steps, prefix, owner, root)
            else:
                made = self.leaf(child, steps, prefix, owner, root)
            if made is not None:
                out.append(made[0])
                mandatory |= made[1]
        return tuple(out), mandatory

    def group(self, node: Node, steps, prefix: str | None, owner: str, root: str):
        name, nx_class = node.attrs.get("groupName", ""), node.attrs.get("NX_class", "")
        if not name or not nx_class:
            return None  # reported by xml_rows
        here = steps + ((name, nx_class),)
        spec, inner = None, None
        if not steps and nx_class == "NXsubentry":
            inner = technique_of(m.Group(nx_class, name))
            if inner is None:
                guess = self._inferred(node, "")
                if guess and TECHNIQUE.match(guess):
                    spec, inner = m.IcatSpec(key=guess), guess
        elif prefix is not None and prefix.startswith("positioners:"):
            inner = None  # below a positioner group only written keys count
        elif ((prefix is not None or not steps) and nx_class not in SKIPPED_CLASSES
              and name not in SKIPPED_NAMES):
            part = self._inferred(node, prefix or "")
            part = camel(name) if part is None else part
            spec = m.IcatSpec(key=part) if part != camel(name) else None
            inner = (prefix or "") + part or None
        if inner is not None and is_positioner_group(nx_class, name):
            inner = "positioners:" + inner
        members, mandatory = self.members(node, here, inner, owner, root)
        return m.Group(nx_class, name, doc=node.attrs.get("ESRF_description") or None,
                       members=members, optional=None if mandatory else True, icat=spec,
                       source=m.Source(self.file, node.line, node.col)), mandatory

    @staticmethod
    def _inferred(node: Node, prefix: str) -> str | None:
        """The group's CamelCase part most of its own fields' keys agree on, if any."""
        votes: Counter = Counter()
        for child in node.children:
            key = None if child.is_group else _placeholder(child)
            if key and key.endswith("_" + child.tag):
                full = key[: -len(child.tag) - 1]
                if full.startswith(prefix) and GROUP_PART_GRAMMAR.match(full[len(prefix):]):
                    votes[full[len(prefix):]] += 1
        return votes.most_common(1)[0][0] if votes else None

    def leaf(self, node: Node, steps, prefix: str | None, owner: str, root: str):
        key = _placeholder(node)
        mandatory = _mandatory(node)
        record = node.attrs.get("record")
        src = m.Source(self.file, node.line, node.col)
        path = "/".join([n for n, _ in steps] + [node.tag])
        plain = None
        if prefix is not None and prefix.startswith("positioners:"):
            if node.tag in ("name", "value"):
                plain = f"{prefix.split(':', 1)[1]}_{node.tag}"
        elif prefix is not None:
            plain = f"{prefix}_{node.tag}"
        target = self.links.get(path)
        if target is not None and target in self.fields and self.fields[target][0] == owner:
            return m.Link(node.tag, self.fields[target][1], source=src), False
        self.fields.setdefault(path, (owner, root + "/".join(
            [f"{n}:{c}" for n, c in steps] + [node.tag])))
        spec = None
        if key is not None and (key != plain or record == "initial"):
            spec = m.IcatSpec(key=key if key != plain else None,
                              record="initial" if record == "initial" else None)
        text = node.text.strip()
        return m.Field(
            node.tag, type=node.attrs.get("NAPItype") or None,
            units=node.attrs.get("units") or None,
            doc=node.attrs.get("ESRF_description") or None,
            value=text if key is None and text else None,
            optional=None if mandatory else True, icat=spec, source=src), mandatory


def import_xml(text: str, file: str, name: str = "NXesrf_catalogue"):
    """(definitions, findings) for an hdf5_cfg.xml: a layout for the entry, and one subentry
    application definition per technique group (``<name>_<technique in lower case>``)."""
    rows, findings = xml_rows(text, file)
    root, _ = parse(text, file)
    if root is None:
        return [], findings
    importer = _Importer(file, {r.path: r.target for r in rows if r.kind == "link"})
    entry = _entry_node(root, file, [])
    techniques = [c for c in _unique_children(entry, file, []) if c.is_group
                  and c.attrs.get("NX_class") == "NXsubentry"
                  and technique_of(m.Group("NXsubentry", c.attrs.get("groupName") or None))]
    entry.children = [c for c in entry.children if not any(c is t for t in techniques)]
    members, _ = importer.members(entry, (), None, name, "/NXentry/")
    header = (f"Imported by nxschema icat import from {file}: the ICAT mapping of the ESRF "
              "catalogue, as a raw-data layout (see docs/icat.md).")
    definitions = [m.Definition(name=name, category="layout", doc=header, members=(
        m.Group("NXentry", doc="One dataset (scan).", members=members),))]
    for node in techniques:
        owner = f"{name}_{node.attrs['groupName'].lower()}"
        group, _ = importer.group(node, (), None, owner, "/")
        definitions.append(m.Definition(
            name=owner, category="application", placement="subentry",
            doc=f"The {node.attrs['groupName']} technique subentry of the ESRF catalogue, "
                f"imported from {file}.", members=(group,)))
    return definitions, findings


# --- export -----------------------------------------------------------------------------------

def _attr_text(row: IcatKey) -> str:
    attrs = [("NAPItype", row.nx_type)]
    if row.units:
        attrs.append(("units", row.units))
    attrs.append(("record", row.record))
    if row.mandatory:
        attrs.append(("ESRF_mandatory", "Mandatory"))
    if row.description:
        attrs.append(("ESRF_description", row.description))
    return "".join(f" {name}={quoteattr(value)}" for name, value in attrs)


def export_xml(rows: list[IcatKey], *, entry_name: str = "entry", comment: str = "") -> str:
    """hdf5_cfg.xml text for ``rows`` (duplicate path/key rows written once)."""
    tree: dict = {"groups": {}, "leaves": []}
    seen = set()
    for row in rows:
        if (row.path, row.key) in seen:
            continue
        seen.add((row.path, row.key))
        node = tree
        for step in row.steps[:-1]:
            node = node["groups"].setdefault((step.name, step.nx_class or "NXcollection"),
                                             {"groups": {}, "leaves": []})
        node["leaves"].append(row)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    if comment:
        lines.append(f"<!-- {escape(comment.replace('--', '-'))} -->")

    def write(node, name, nx_class, depth):
        pad = "  " * depth
        lines.append(f"{pad}<group groupName={quoteattr(name)} NX_class={quoteattr(nx_class)}>")
        for row in node["leaves"]:
            tag = row.steps[-1].name
            lines.append(f"{pad}  <{tag}{_attr_text(row)}>${{{escape(row.key)}}}</{tag}>")
        for (child, child_class), sub in node["groups"].items():
            write(sub, child, child_class, depth + 1)
        lines.append(f"{pad}</group>")

    write(tree, entry_name, "NXentry", 0)
    return "\n".join(lines) + "\n"
