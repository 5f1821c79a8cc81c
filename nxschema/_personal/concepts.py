"""Which concept each object of a file stands for, as far as personal data is concerned.

A context is the tuple of concepts an object is bound to: the member of its parent's concepts
that it fits, plus, for a group, the base class of its NX_class. A concept marks personal data
with ``personal: true``, or by its domain, which members inherit from the group or definition
they are in (NXuser is ``administrative`` as a whole).
"""

from __future__ import annotations

from dataclasses import dataclass

import h5py

from nxschema import model as m


@dataclass(frozen=True, slots=True)
class Bound:
    element: object  # a model Group, Field, Link, Attribute or Definition
    definition: str  # the definition's key
    concept: str  # class path for messages, e.g. NXuser/email
    domain: str | None


@dataclass(frozen=True, slots=True)
class Mark:
    reason: str  # "personal" or "domain administrative"
    concept: str
    definition: str
    source: str
    domain: str


def _source(element) -> str:
    src = getattr(element, "source", None)
    return f"{src.file}:{src.line}" if src and src.file else ""


def _mark(bound: tuple[Bound, ...], domains) -> Mark | None:
    for b in bound:
        if getattr(b.element, "personal", None):
            return Mark("personal", b.concept, b.definition, _source(b.element), b.domain or "")
    for b in bound:
        if b.domain in domains:
            return Mark(f"domain {b.domain}", b.concept, b.definition, _source(b.element),
                        b.domain)
    return None


def _nx_class(obj) -> str:
    try:
        value = obj.attrs.get("NX_class")
    except Exception:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


class Concepts:
    """The definitions a scan binds objects with (a Catalog)."""

    def __init__(self, catalog, layout: str | None = None):
        self.catalog = catalog
        self.layout = layout  # a layout forced on every file (else the root's @layout)

    @classmethod
    def of(cls, definitions, layout: str | None = None) -> "Concepts":
        from nxschema._definitions.catalog import Catalog, load
        if isinstance(definitions, Catalog):
            catalog = definitions
        else:
            paths = [] if definitions is None else (
                [definitions] if isinstance(definitions, (str, bytes)) or hasattr(
                    definitions, "__fspath__") else list(definitions))
            catalog = load(*paths)
        if layout is not None and (layout not in catalog or
                                   catalog[layout].category != "layout"):
            from nxschema.errors import ArgumentError
            layouts = sorted(k for k in catalog if catalog[k].category == "layout")
            raise ArgumentError(f"{layout!r} is not a loaded layout (layouts: "
                                f"{', '.join(layouts) or 'none'})")
        return cls(catalog, layout)

    def root(self) -> tuple[Bound, ...]:
        return ()  # the root's own concepts: layouts are bound per file, in child()

    def child(self, context: tuple[Bound, ...], parent, child, name: str) -> tuple[Bound, ...]:
        is_group = isinstance(child, h5py.Group)
        nx_class = _nx_class(child) if is_group else ""
        if not context and isinstance(parent, h5py.File):
            context = self._layouts_for(parent)
        bound: list[Bound] = []
        for b in context:
            for member in getattr(b.element, "members", ()):
                if _fits(member, name, is_group, nx_class):
                    label = m.member_key(member)
                    bound.append(Bound(member, b.definition, f"{b.concept}/{label}",
                                       member.domain or b.domain))
        if is_group and nx_class:
            base = self.catalog.base_class(nx_class)
            if base is not None:
                bound.append(Bound(base, base.name, nx_class, base.domain))
        return tuple(bound)

    def _layouts_for(self, root) -> tuple[Bound, ...]:
        layout = self.layout or root.attrs.get("layout")
        if isinstance(layout, bytes):
            layout = layout.decode("utf-8", "replace")
        if isinstance(layout, str) and layout in self.catalog:
            d = self.catalog[layout]
            return (Bound(d, layout, layout, d.domain),)
        return ()

    def dataset_mark(self, context, domains) -> Mark | None:
        return _mark(context, domains)

    def attribute_mark(self, context, name: str, domains) -> Mark | None:
        bound = []
        for b in context:
            for attr in getattr(b.element, "attributes", ()):
                if attr.name == name:
                    bound.append(Bound(attr, b.definition, f"{b.concept}@{name}",
                                       attr.domain or b.domain))
        # An attribute of a personal dataset is described by the dataset's mark, not its own.
        return _mark(tuple(bound), domains) if bound else None


def _fits(member, name: str, is_group: bool, nx_class: str) -> bool:
    if isinstance(member, m.Group):
        if not is_group or member.nx_class != nx_class:
            return False
        return member.name in (None, name) or member.name_type == "any"
    if isinstance(member, (m.Field, m.Link)):
        if is_group and isinstance(member, m.Field):
            return False
        return member.name == name or getattr(member, "name_type", None) == "any"
    return False
