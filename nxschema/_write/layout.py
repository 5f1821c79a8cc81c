"""A definition laid out as a concrete HDF5 tree: what a writer has to write, and where.

The skeleton writer and the code generator both start here. A definition says "an NXentry holding
an NXinstrument holding a monochromator whose energy is NX_FLOAT[nP], linked from NXdata"; the
layout answers with paths: ``/entry/instrument/monochromator/energy`` (float64, shape (nP,),
units keV) and a soft link ``/entry/data/energy`` pointing at it. Unnamed groups get a name
derived from their class (``(NXinstrument)`` → ``instrument``), links get their target resolved
to a path in the same tree (creating the target if the definition left it optional), NXdata groups
get ``@signal``/``@axes`` when the definition does not spell them out.

Which members are laid out is a choice of requirement levels: required ones always; recommended
and optional ones on request. Members with a fixed ``value:`` are always laid out (they cost
nothing and, like ``definition = NXxas``, are how a file declares what it follows).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from nxschema import model as m
from nxschema._definitions.catalog import Catalog, load, read_file
from nxschema._validate.plan import planned_definition
from nxschema._write.layout_plot import plot_attributes
from nxschema._write.nodes import (  # noqa: F401  (re-exported for the writers)
    EXAMPLE_UNITS, NO_UNITS, NUMPY_DTYPES, TEXT_TYPES, AttrNode, FieldNode, GroupNode, LinkNode,
    _join, _unique, example_unit,
)
from nxschema.errors import ArgumentError, LayoutError

LEVELS = ("required", "recommended", "optional")
DEFAULT_DIM = 5  # length of a symbolic dimension nobody gave a size for

def derived_name(nx_class: str) -> str:
    """The name an unnamed group gets: its class without NX (``NXinstrument`` → instrument)."""
    return nx_class[2:] if nx_class.startswith("NX") and len(nx_class) > 2 else nx_class


def concrete_name(name: str) -> str:
    """A real name for a placeholder name: ``DATA`` → data, ``DATA_errors`` → data_errors."""
    return re.sub(r"[A-Z][A-Z0-9]*", lambda match: match.group().lower(), name)


# --- finding the definition ----------------------------------------------------------------------

def resolve_definition(definition, definitions=None) -> tuple[m.Definition, Catalog]:
    """(definition, catalog) for a catalog key, a definition file path or a Definition.

    ``definitions`` is a Catalog, or paths of extra definition files/folders (loaded over the
    bundled ones). Problems raise :class:`LayoutError` with a one-line message.
    """
    if isinstance(definitions, Catalog):
        catalog = definitions
    else:
        paths = [definitions] if isinstance(definitions, (str, os.PathLike)) else \
            list(definitions or ())
        catalog = load(*paths, strict=False)
    if isinstance(definition, m.Definition):
        return definition, catalog
    key = os.fspath(definition)
    if key in catalog:
        return catalog[key], catalog
    path = Path(key)
    if path.is_file():
        found, findings = read_file(path)
        errors = [f for f in findings if f.severity == "error"]
        if found is None or errors:
            first = errors[0] if errors else None
            raise LayoutError(f"{first}" if first else f"{path}: not a definition")
        catalog.add(found, layer=99, is_yaml=not path.name.endswith(".nxdl.xml"))
        return catalog[found.key], catalog
    from nxschema._vocabulary import did_you_mean

    problems = [f for f in catalog.findings if f.severity == "error"]
    hint = f"; loading the definitions also failed: {problems[0]}" if problems else ""
    raise LayoutError(f"no definition named {key!r}{did_you_mean(key, set(catalog))} "
                      "(a catalog key such as NXxas or NXxas@subentry, or a definition file)"
                      f"{hint}")


# --- building ------------------------------------------------------------------------------------

class _Builder:
    def __init__(self, definition: m.Definition, catalog: Catalog, levels):
        self.definition = definition
        self.catalog = catalog
        self.category = definition.category
        self.levels = set(levels)
        self.links: list[tuple[LinkNode, GroupNode]] = []
        self.reserved: dict[str, set[str]] = {}  # group path -> names its members spell out

    def wanted(self, element) -> bool:
        level = m.requirement(element, self.category)
        if getattr(element, "max_occurs", None) == 0:
            return False  # maxOccurs 0: the definition forbids it
        if getattr(element, "deprecated", None) and level != "required":
            return False  # never lay out what the definition asks to stop writing
        if getattr(element, "name_type", None) == "partial" and level != "required":
            return False  # FIELDNAME_errors, GROUPNAME_log: named after siblings we do not know
        return level in self.levels

    # --- elements -----------------------------------------------------------------------------

    def attribute(self, a: m.Attribute) -> AttrNode:
        node = AttrNode(a.name, a.type, m.requirement(a, self.category), a.doc)
        if a.enumeration is not None:
            node.enum = a.enumeration.values
            node.enum_open = bool(a.enumeration.open)
        if a.value is not None:
            node.value, node.fixed = typed_value(a.value, a.type), True
        elif len(node.enum) == 1 and not node.enum_open:
            node.value, node.fixed = typed_value(node.enum[0], a.type), True
        if a.dimensions is not None:
            node.rank = len(a.dimensions.dims) or (a.dimensions.rank if isinstance(
                a.dimensions.rank, int) else 1)
        return node

    def base_field(self, nx_class: str, name: str) -> m.Field | None:
        """The field ``name`` of base class ``nx_class`` (exact names only), if the application
        definition being laid out is not itself that base class."""
        if self.category == "base":
            return None
        base = self.catalog.base_class(nx_class)
        if base is None:
            return None
        return next((x for x in base.members if isinstance(x, m.Field) and x.name == name
                     and x.name_type in (None, "specified")), None)

    def attributes(self, attributes) -> list[AttrNode]:
        return [self.attribute(a) for a in attributes if a.value is not None or self.wanted(a)]

    def field(self, f: m.Field, parent: GroupNode) -> FieldNode:
        name = f.name
        if f.name_type in ("any", "partial"):
            name = _unique(parent, concrete_name(f.name), self.reserved.get(parent.path, ()))
        node = FieldNode(name, _join(parent.path, name), f.type or "NX_CHAR",
                         m.requirement(f, self.category), dims=field_dims(f.dimensions),
                         units=f.units, doc=f.doc, config=f.config,
                         any_name=f.name_type == "any")
        enumeration, units = f.enumeration, f.units
        if (enumeration is None or units is None) and parent.nx_class:
            # As the validator does: where an application names a field, the base class's
            # enumeration and units category hold if the application says nothing of them
            # (NIAC NXxas energy is NX_ENERGY, source/type one of NXsource's types).
            base = self.base_field(parent.nx_class, f.name)
            if base is not None:
                enumeration = enumeration if enumeration is not None else base.enumeration
                units = units if units is not None else base.units
                node.units = units
        if enumeration is not None:
            node.enum, node.enum_open = enumeration.values, bool(enumeration.open)
        if f.value is not None:
            node.value, node.fixed = typed_value(f.value, node.nx_type), True
        elif len(node.enum) == 1 and not node.enum_open:
            node.value, node.fixed = typed_value(node.enum[0], node.nx_type), True
        node.attrs = self.attributes(f.attributes)
        node.specs = {a.name: self.attribute(a) for a in f.attributes}
        node.legacy = {k: getattr(f, k) for k in ("axis", "primary", "signal", "axes")
                       if getattr(f, k) is not None}
        return node

    def group(self, g: m.Group, parent: GroupNode | None, name: str | None = None) -> GroupNode:
        if not name:
            explicit = g.name if g.name and g.name_type not in ("any", "partial") else None
            name = explicit or (concrete_name(g.name) if g.name else derived_name(g.nx_class))
            if parent is not None and not explicit:  # a made-up name gives way to real ones
                name = _unique(parent, name, self.reserved.get(parent.path, ()))
        path = _join(parent.path, name) if parent is not None else "/"
        node = GroupNode(name, path, g.nx_class, m.requirement(g, self.category), g.doc,
                         self.attributes(g.attributes))
        node.specs = {a.name: self.attribute(a) for a in g.attributes}
        self.members(g.members, node)
        return node

    def members(self, members, node: GroupNode) -> None:
        self.reserved[node.path] = self.reserved.get(node.path, set()) | {
            x.name for x in members if _explicit_name(x) and (
                self.wanted(x.groups[0] if isinstance(x, m.Choice) else x)
                or getattr(x, "value", None) is not None)}
        for member in members:
            if _explicit_name(member) and node.child(member.name) is not None:
                continue  # a field and a group of one name cannot both be written
            if isinstance(member, m.Choice):
                option = member.groups[0]
                if self.wanted(option):
                    node.children.append(self.group(option, node, name=member.name))
            elif isinstance(member, m.Link):
                if self.wanted(member):
                    link = LinkNode(member.name, _join(node.path, member.name),
                                    m.requirement(member, self.category), spec=member.target,
                                    doc=member.doc)
                    node.children.append(link)
                    self.links.append((link, node))
            elif isinstance(member, m.Group):
                if self.wanted(member):
                    for i in range(max(1, member.min_occurs or 1)):
                        node.children.append(self.group(member, node))
            elif member.value is not None or self.wanted(member):
                if member.name == "definition" and node.nx_class in ("NXentry", "NXsubentry") \
                        and m.requirement(member, self.category) != "required" and \
                        member.value is None and \
                        not (member.enumeration and len(member.enumeration.items) == 1):
                    continue  # a made-up definition name sends validators looking for it
                node.children.append(self.field(member, node))

    # --- links --------------------------------------------------------------------------------

    def resolve_links(self, root: GroupNode) -> None:
        for link, parent in self.links:
            link.target = self.target_path(link.spec, root, parent)

    def target_path(self, spec: str, root: GroupNode, parent: GroupNode) -> str:
        """The path of the link target ``spec`` in the tree, laying it out if it is missing."""
        here = root if spec.startswith("/") else parent
        members = self.definition.members if spec.startswith("/") else ()
        steps = [s for s in spec.strip("/").split("/") if s]
        for i, step in enumerate(steps):
            name, _, nx_class = step.partition(":")
            if not nx_class and name.startswith("NX") and i < len(steps) - 1:
                name, nx_class = "", name
            member = _find_member(members, name, nx_class)
            members = member.members if isinstance(member, m.Group) else ()
            found = next((c for c in here.children if _matches(c, name, nx_class)), None)
            last = i == len(steps) - 1
            if found is None:
                if last and not nx_class and not isinstance(member, m.Group):
                    model = member if isinstance(member, m.Field) else m.Field(
                        name, type="NX_NUMBER", dimensions=m.Dimensions(rank=1))
                    found = self.field(m.replace(model, optional=None), here)
                    found.requirement = "required"
                else:
                    model = member if isinstance(member, m.Group) else m.Group(
                        nx_class or "NXcollection", name or None)
                    found = self.group(m.replace(model, members=()), here, name=name or None)
                here.children.append(found)
            if not isinstance(found, GroupNode):
                return found.path
            here = found
        return here.path


def _find_member(members, name, nx_class):
    for member in members:
        if isinstance(member, m.Group) and nx_class and member.nx_class == nx_class and \
                (not name or member.name in (None, name)):
            return member
        if not nx_class and getattr(member, "name", None) == name:
            return member
    return None


def _matches(node, name: str, nx_class: str) -> bool:
    if nx_class:
        return isinstance(node, GroupNode) and node.nx_class == nx_class and \
            (not name or node.name == name)
    return node.name == name


def _explicit_name(member) -> bool:
    return bool(member.name) and getattr(member, "name_type", None) not in ("any", "partial")


def field_dims(dimensions: m.Dimensions | None) -> tuple:
    if dimensions is None:
        return ()
    if dimensions.dims:
        return dimensions.terms
    if isinstance(dimensions.rank, int):
        return (None,) * dimensions.rank
    return (None,)  # a symbolic rank (dataRank): one axis is the simplest honest shape


def typed_value(text: str, nx_type: str | None):
    """A fixed value as written in the definition, converted to the field's NX type."""
    dtype = NUMPY_DTYPES.get(nx_type or "NX_CHAR")
    if dtype is None or dtype == "uint8":
        return text
    try:
        if dtype == "bool":
            return text.strip().lower() in ("true", "1", "yes")
        if dtype.startswith(("int", "uint")):
            return int(text)
        if dtype.startswith("complex"):
            return complex(text)
        return float(text)
    except ValueError:
        return text


def shape_of(dims: tuple, sizes: dict) -> tuple[int, ...]:
    """Concrete lengths for ``dims``: symbols take ``sizes`` (else DEFAULT_DIM)."""
    out = []
    for d in dims:
        if isinstance(d, int):
            out.append(d)
        elif isinstance(d, str):
            out.append(sizes.get(d, DEFAULT_DIM))
        elif isinstance(d, tuple):
            out.append(max(0, sizes.get(d[0], DEFAULT_DIM) + d[1]))
        else:
            out.append(DEFAULT_DIM)
    return tuple(out)


# --- entry points ----------------------------------------------------------------------------------

def build_layout(definition: m.Definition, catalog: Catalog, levels=("required",),
                 plot_placeholders: bool = True) -> GroupNode:
    """The tree a writer of ``definition`` writes, rooted at ``/`` (an NXroot group).

    ``plot_placeholders``: give NXdata groups with nothing to plot a placeholder ``data`` field
    (a skeleton wants a valid plot group; a generated writer leaves such a group to the user).
    """
    unknown = set(levels) - set(LEVELS)
    if unknown:
        raise ArgumentError(f"unknown requirement levels {sorted(unknown)}")
    if definition.key in catalog and catalog.raw(definition.key).members:
        # What the validator enforces: an application definition merged with those it extends;
        # members a form inherits from its base class stay optional (NXprocess's own members
        # are not required by every process form).
        definition = planned_definition(catalog, definition)
    b = _Builder(definition, catalog, levels)
    root = GroupNode("", "/", "NXroot", "required")
    category = definition.category
    if category == "application" and definition.effective_placement == "subentry":
        _subentry_form(b, root)
    elif category in ("application", "layout"):
        root.attrs = b.attributes(definition.attributes)
        b.members(definition.members, root)
    elif category == "process":
        entry = _entry(root)
        process = m.Group("NXprocess", "process", members=definition.members,
                          attributes=definition.attributes)
        entry.children.append(b.group(process, entry))
    else:  # a base class: one group of that class, in an entry unless it is one
        group = m.Group(definition.name, None, members=definition.members,
                        attributes=definition.attributes)
        if definition.name == "NXroot":
            root.attrs = b.attributes(definition.attributes)
            b.members(definition.members, root)
        elif definition.name == "NXentry":
            root.children.append(b.group(group, root))
        else:
            entry = _entry(root)
            entry.children.append(b.group(group, entry))
    b.resolve_links(root)

    plot_attributes(root, plot_placeholders)
    return root


def _entry(root: GroupNode) -> GroupNode:
    entry = GroupNode("entry", "/entry", "NXentry", "required")
    root.children.append(entry)
    return entry


def _subentry_form(b: _Builder, root: GroupNode) -> None:
    """The ESRF way: the data in ``entry/measurement``, the subentry linking to it."""
    entry = _entry(root)
    measurement = GroupNode("measurement", "/entry/measurement", "NXcollection", "required")
    entry.children.append(measurement)
    base_name = b.definition.name[2:].lower() if b.definition.name.startswith("NX") else \
        b.definition.name.lower()
    for member in b.definition.members:
        if isinstance(member, m.Group) and member.nx_class == "NXsubentry":
            sub = b.group(member, entry, name=member.name or base_name)
            entry.children.append(sub)
            for i, child in enumerate(sub.children):
                if isinstance(child, FieldNode) and is_measured(child):
                    child.path = _join(measurement.path, child.name)
                    measurement.children.append(child)
                    sub.children[i] = LinkNode(child.name, _join(sub.path, child.name),
                                               child.requirement, child.path,
                                               doc=child.doc)
        elif isinstance(member, m.Group):
            root.children.append(b.group(member, root))


def is_measured(node: FieldNode) -> bool:
    """A channel recorded by the acquisition (kept in measurement), not a constant or a label."""
    return not node.fixed and not node.is_text and not node.any_name and node.rank >= 1
