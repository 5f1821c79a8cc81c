"""The site model: what every page shows, computed once from the catalog for all output formats.

Templates only lay this out. A :class:`Page` per definition holds its inheritance chain, its
layout as a tree of :class:`Node` (one per group, field, attribute, link and choice, with the
table columns already worked out), the symbols, the NX classes it uses, its personal-data members
and an example skeleton. :class:`Site` holds the pages, the index grouping and the link resolver
that doc text uses for ``:ref:`` targets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from nxschema import model as m
from nxschema._docs import markup
from nxschema._docs.example import skeleton
from nxschema._validate.plan import planned_definition, requirement_of
from nxschema.errors import LayoutError

CATEGORIES = (
    ("base", "Base classes"),
    ("application", "Application definitions"),
    ("layout", "Raw-data layouts"),
    ("process", "Processing forms"),
)
CATEGORY_TITLES = dict(CATEGORIES)
CATEGORY_SINGULAR = {"base": "base class", "application": "application definition",
                     "layout": "raw-data layout", "process": "processing form"}
AREA_TITLES = {"definition": "Definition files (nxschema check)",
               "file": "HDF5 files (nxschema validate)"}
RESERVED_STEMS = ("index", "findings")
DEFAULT_TYPE = "NX_CHAR"  # NXDL's type of a field that names none
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class Node:
    """One element of a definition's layout, with its table columns worked out."""

    kind: str  # group, field, attribute, link, choice
    element: object
    label: str  # as written among its siblings: "energy", "(NXentry)", "data(NXdata)", "@units"
    path: str  # display path from the definition's root, e.g. "(NXentry)/data(NXdata)/x"
    anchor: str  # NXDL-style id, e.g. "/ENTRY/data/x-field", so :ref: targets resolve
    depth: int
    requirement: str  # required, recommended, optional
    doc: str | None = None
    nx_class: str | None = None
    class_href: str | None = None  # page of the base class, when it is in the site
    type: str | None = None
    type_is_default: bool = False
    units: str | None = None
    dims: str | None = None  # "[nP, 3]", "rank 2"
    dim_symbols: list[tuple[str, str]] = field(default_factory=list)  # (symbol, its doc)
    occurs: str = ""
    enumeration: list[tuple[str, str | None]] = field(default_factory=list)
    enumeration_open: bool = False
    value: str | None = None
    target: str | None = None  # links
    domain: str | None = None
    domain_inherited: bool = False
    personal: bool = False
    deprecated: str | None = None
    inherited_from: str | None = None  # the definition in the chain that declares it
    inherited_href: str | None = None
    children: list[Node] = field(default_factory=list)


@dataclass
class Page:
    key: str
    stem: str  # file name without extension
    href: str
    definition: m.Definition  # resolved: inherited members merged in
    category_title: str
    category_singular: str
    chain: list[tuple[str, str | None]]  # (key, href) nearest first, the page itself first
    summary: str
    search_text: str
    source_name: str
    nodes: list[Node] = field(default_factory=list)
    rows: list[Node] = field(default_factory=list)  # the tree flattened, in document order
    symbols: list[tuple[str, str | None]] = field(default_factory=list)
    classes: list[tuple[str, str | None]] = field(default_factory=list)  # (NX class, href)
    personal: list[Node] = field(default_factory=list)
    skeleton: str = ""

    @property
    def anchors(self) -> set[str]:
        return {row.anchor for row in self.rows}


@dataclass
class Category:
    category: str
    title: str
    pages: list[Page]

    @property
    def count_text(self) -> str:
        """``3 application definitions``, ``1 raw-data layout``."""
        n = len(self.pages)
        return f"{n} {CATEGORY_SINGULAR.get(self.category, self.category) if n == 1 else self.title.lower()}"


def safe_stems(keys) -> dict[str, str]:
    """A file-name stem per key: only [A-Za-z0-9_.-], unique even on case-insensitive disks."""
    taken = {stem.lower() for stem in RESERVED_STEMS}
    stems = {}
    for key in sorted(keys):
        base = re.sub(r"[^A-Za-z0-9_.-]", "-", key).lstrip(".-") or "definition"
        stem, n = base, 1
        while stem.lower() in taken:
            n += 1
            stem = f"{base}-{n}"
        taken.add(stem.lower())
        stems[key] = stem
    return stems


class Site:
    """Every page of one documentation build, for one output format (``ext``)."""

    def __init__(self, catalog, ext: str, title: str = "Definitions reference"):
        self.catalog = catalog
        self.ext = ext
        self.title = title
        keys = list(catalog)
        self.stems = safe_stems(keys)
        self.pages: list[Page] = []
        self.by_key: dict[str, Page] = {}
        for key in keys:
            page = _PageBuilder(self, key).build()
            self.pages.append(page)
            self.by_key[key] = page
        self.anchors = {page.key: page.anchors for page in self.pages}
        self.categories = [
            Category(cat, title, [p for p in self.pages if p.definition.category == cat])
            for cat, title in CATEGORIES]
        self.categories = [c for c in self.categories if c.pages]
        others = sorted({p.definition.category for p in self.pages} - set(CATEGORY_TITLES))
        self.categories += [Category(c, c, [p for p in self.pages if p.definition.category == c])
                            for c in others]

    # --- links ---------------------------------------------------------------------------------

    def href(self, key: str, anchor: str | None = None) -> str | None:
        stem = self.stems.get(key)
        if stem is None:
            return None
        return f"{stem}{self.ext}" + (f"#{quote(anchor, safe='/@:-_.~')}" if anchor else "")

    def class_href(self, nx_class: str) -> str | None:
        """The page of a base class, when the site has it."""
        base = self.catalog.base_class(nx_class)
        return self.href(nx_class) if base is not None else None

    def resolve(self, target: str) -> str | None:
        """An href for a ``:ref:`` target or a relative URL naming a definition, or None.

        Understands the NXDL documentation's targets: ``NXdata``, ``/NXdata/DATA-field``,
        ``/NXdata@axes-attribute``; and relative URLs such as ``NXentry.md`` or
        ``NXentry.html#x`` written in our own doc text.
        """
        target = target.strip()
        if "://" not in target and re.search(r"\.(md|html|yaml|nxdl\.xml)(#|$)", target):
            parts = urlsplit(target)
            name = Path(parts.path).name
            for suffix in (".nxdl.xml", ".md", ".html", ".yaml"):
                if name.endswith(suffix):
                    name = name[: -len(suffix)]
                    break
            key = self._key_for(name)
            return self.href(key) if key else None
        first, _, rest = target.lstrip("/").partition("/")
        key = self._key_for(first)
        anchor = "/" + rest if rest else None
        if key is None and "@" in first:
            name, _, attribute = first.partition("@")
            key = self._key_for(name)
            anchor = "@" + attribute + (("/" + rest) if rest else "")
        if key is None:
            return None
        if anchor and (anchor not in self.anchors.get(key, ()) or self.ext != ".html"):
            # The page exists but the member does not (renamed, or a typo); or the format
            # has no member anchors (Markdown pages only have their headings).
            anchor = None
        return self.href(key, anchor)

    def _key_for(self, name: str) -> str | None:
        if name in self.stems:
            return name
        if f"{name}@subentry" in self.stems:
            return f"{name}@subentry"
        return None


def _dims_text(dimensions: m.Dimensions | None) -> str | None:
    if dimensions is None:
        return None
    if not dimensions.dims:
        return f"rank {dimensions.rank}" if dimensions.rank is not None else None

    def order(pair):
        position, dim = pair
        index = str(dim.index or "")
        return (int(index), 0) if index.isdigit() else (position + 1, 1)

    texts = []
    for _, dim in sorted(enumerate(dimensions.dims), key=order):
        if dim.value is not None:
            texts.append(str(dim.value))
        elif dim.ref:
            texts.append(f"len({dim.ref})")
        else:
            texts.append("?")
    return "[" + ", ".join(texts) + "]"


def _occurs(element) -> str:
    """The occurrence range as written (``0..unbounded``, ``min 1``), or ''."""
    low, high = getattr(element, "min_occurs", None), getattr(element, "max_occurs", None)
    if low is not None and high is not None:
        return f"{low}..{high}"
    if low is not None:
        return f"min {low}"
    if high is not None:
        return f"max {high}"
    return ""


class _PageBuilder:
    def __init__(self, site: Site, key: str):
        self.site = site
        self.key = key
        self.catalog = site.catalog
        self.definition = self.catalog[key]
        self.symbols = {s.name: s.doc or "" for s in self.definition.symbols}
        self.classes: set[str] = set()
        self.anchors: set[str] = set()
        self.rows: list[Node] = []
        # What the validator enforces: a member outside the planned definition came through
        # 'extends', and is optional here whatever its own page says (tests/test_docs.py).
        planned = planned_definition(self.catalog, self.definition)
        self.planned = {m.member_key(x) for x in planned.members} | {
            "@" + a.name for a in planned.attributes}
        self.inherited = False  # True while building the nodes of an inherited member

    def build(self) -> Page:
        d = self.definition
        chain = [(k, self.site.href(k)) for k in self.catalog.chain(self.key)]
        inherited = self._inherited_origin()
        source = d.source.file if d.source else ""
        page = Page(
            key=self.key, stem=self.site.stems[self.key],
            href=f"{self.site.stems[self.key]}{self.site.ext}",
            definition=d, category_title=CATEGORY_TITLES.get(d.category, d.category),
            category_singular=CATEGORY_SINGULAR.get(d.category, d.category), chain=chain,
            summary=markup.summary(d.doc), search_text="", source_name=Path(source).name)
        for attribute in d.attributes:
            self.inherited = "@" + attribute.name not in self.planned
            node = self._attribute(attribute, "", "", 0, d.domain)
            node.inherited_from = inherited.get("@" + attribute.name)
            page.nodes.append(node)
        for member in d.members:
            self.inherited = m.member_key(member) not in self.planned
            node = self._member(member, "", "", 0, d.domain)
            node.inherited_from = inherited.get(m.member_key(member))
            page.nodes.append(node)
        self.inherited = False
        for node in page.nodes:
            node.inherited_href = self.site.href(node.inherited_from) \
                if node.inherited_from else None
        page.rows = self.rows
        page.symbols = [(s.name, s.doc) for s in d.symbols]
        page.classes = [(c, self.site.class_href(c)) for c in sorted(self.classes)]
        page.personal = [row for row in self.rows if row.personal]
        try:
            page.skeleton = skeleton(d, self.catalog, self.key)
        except LayoutError as exc:  # a definition no writer can lay out: say so on its page
            page.skeleton = f"# no example: {exc}\n"
        words = [self.key, d.name, markup.to_plain(d.doc)[:4000]]
        words += sorted({row.label for row in self.rows})
        page.search_text = " ".join(words).lower()
        return page

    def _inherited_origin(self) -> dict[str, str]:
        """Top-level member key → the definition up the chain it comes from (not this one)."""
        origin: dict[str, str] = {}
        chain = self.catalog.chain(self.key)
        own = self.catalog.raw(self.key)
        seen = {m.member_key(x) for x in own.members} | {"@" + a.name for a in own.attributes}
        for parent in chain[1:]:
            raw = self.catalog.raw(parent)
            for name in [m.member_key(x) for x in raw.members] + ["@" + a.name
                                                                  for a in raw.attributes]:
                if name not in seen:
                    seen.add(name)
                    origin[name] = parent
        return origin

    def _unique_anchor(self, anchor: str) -> str:
        candidate, n = anchor, 1
        while candidate in self.anchors:
            n += 1
            candidate = f"{anchor}~{n}"
        self.anchors.add(candidate)
        return candidate

    def _node(self, kind, element, label, path, anchor, depth, domain) -> Node:
        own_domain = getattr(element, "domain", None)
        node = Node(
            kind=kind, element=element, label=label, path=path,
            anchor=self._unique_anchor(anchor), depth=depth,
            requirement=requirement_of(element, self.definition.category, self.inherited),
            doc=getattr(element, "doc", None), occurs=_occurs(element),
            domain=own_domain or domain, domain_inherited=own_domain is None and domain is not None,
            personal=bool(getattr(element, "personal", None)),
            deprecated=getattr(element, "deprecated", None))
        self.rows.append(node)
        return node

    def _typed(self, node: Node, element, is_field: bool) -> None:
        node.type = element.type or (DEFAULT_TYPE if is_field else None)
        node.type_is_default = element.type is None and is_field
        node.units = element.units
        node.dims = _dims_text(element.dimensions)
        node.value = element.value
        if element.dimensions is not None:
            used = []
            for dim in element.dimensions.dims:
                used += _IDENTIFIER.findall(str(dim.value)) if dim.value is not None else []
            if isinstance(element.dimensions.rank, str):
                used += _IDENTIFIER.findall(element.dimensions.rank)
            node.dim_symbols = [(s, self.symbols[s]) for s in dict.fromkeys(used)
                                if s in self.symbols]
        if element.enumeration is not None:
            node.enumeration = [(item.value, item.doc) for item in element.enumeration.items]
            node.enumeration_open = bool(element.enumeration.open)

    def _attribute(self, attribute: m.Attribute, parent_path, parent_anchor, depth, domain):
        node = self._node("attribute", attribute, "@" + attribute.name,
                          f"{parent_path}@{attribute.name}",
                          f"{parent_anchor}@{attribute.name}-attribute", depth, domain)
        self._typed(node, attribute, is_field=False)
        return node

    def _member(self, member, parent_path, parent_anchor, depth, domain) -> Node:
        label = m.member_key(member)
        path = f"{parent_path}/{label}" if parent_path else label
        if isinstance(member, m.Group):
            segment = member.name or member.nx_class[2:].upper()
            return self._group(member, label, path, f"{parent_anchor}/{segment}", depth, domain)
        anchor = f"{parent_anchor}/{member.name}"
        if isinstance(member, m.Choice):
            node = self._node("choice", member, label, path, anchor + "-choice", depth, domain)
            for group in member.groups:
                node.children.append(self._group(
                    group, f"{label}({group.nx_class})", path, f"{anchor}:{group.nx_class}",
                    depth + 1, domain))
            return node
        if isinstance(member, m.Link):
            node = self._node("link", member, label, path, anchor + "-link", depth, domain)
            node.target = member.target
            return node
        node = self._node("field", member, label, path, anchor + "-field", depth, domain)
        self._typed(node, member, is_field=True)
        for attribute in member.attributes:
            node.children.append(self._attribute(attribute, path, anchor, depth + 1, node.domain))
        return node

    def _group(self, group: m.Group, label, path, anchor, depth, domain) -> Node:
        node = self._node("group", group, label, path, anchor + "-group", depth, domain)
        node.nx_class = group.nx_class
        node.class_href = self.site.class_href(group.nx_class)
        self.classes.add(group.nx_class)
        for attribute in group.attributes:
            node.children.append(self._attribute(attribute, path, anchor, depth + 1, node.domain))
        for member in group.members:
            node.children.append(self._member(member, path, anchor, depth + 1, node.domain))
        return node


def code_groups(codes) -> list[tuple[str, list]]:
    """The finding codes by area (definition files first), sorted by code within an area."""
    areas: dict[str, list] = {}
    for code in codes.values():
        areas.setdefault(code.area, []).append(code)
    order = list(AREA_TITLES) + sorted(set(areas) - set(AREA_TITLES))
    return [(AREA_TITLES.get(a, a), sorted(areas[a], key=lambda c: c.code))
            for a in order if a in areas]
