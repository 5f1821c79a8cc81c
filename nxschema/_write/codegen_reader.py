"""Generating a typed reader module for a definition: classes over the runtime views.

``nxschema codegen --reader NXxas -o xas_reader.py`` writes a module with one class per group
concept (``NXxasView``, ``NXxas_InstrumentView``, ...), whose properties are the concepts'
members typed as ``Field[np.floating[Any]]`` and so on, and ``read(path) -> list[NXxasView]``.
The classes are thin: every property is a view lookup (:mod:`nxschema._views`), so the reader
binds, resolves links and reports missing members exactly as ``nxschema.open`` does; what the
module adds is names an editor can complete and types ``mypy --strict`` can check.

The classes come from the same compiled concepts (plans) the views and the validator use.
Names from the definition never become code unchecked: a property is generated only for a
member whose name is a safe Python identifier (the rest stay reachable with ``members()``), and
every text goes into the module through ``repr``.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

from nxschema import __version__
from nxschema._binding.concepts import GroupPlan, compile_plan
from nxschema._write.layout import resolve_definition
from nxschema.errors import CodegenError

TEMPLATE = "reader.py.j2"
# What np.asarray(field) holds for each NX type, as the numpy scalar type of Field[...].
ELEMENT_TYPES = {
    "NX_FLOAT": "np.floating[Any]", "NX_NUMBER": "np.number[Any]",
    "NX_INT": "np.signedinteger[Any]", "NX_POSINT": "np.integer[Any]",
    "NX_UINT": "np.unsignedinteger[Any]", "NX_BOOLEAN": "np.bool_",
    "NX_COMPLEX": "np.complexfloating[Any, Any]", "NX_CHAR": "np.object_",
    "NX_DATE_TIME": "np.object_", "ISO8601": "np.object_",
}
_SAFE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
RESERVED = {"view", "path", "file", "definition", "findings", "members", "group", "via"}


def safe_identifier(name: str | None) -> str | None:
    """``name`` if it can be a Python attribute as it is (ASCII, not a keyword, not a dunder,
    not one of the class's own names), else None."""
    if not name or not _SAFE.match(name) or keyword.iskeyword(name) or name.startswith("__") \
            or name in RESERVED:
        return None
    return name


@dataclass
class Member:
    attribute: str  # the Python property name
    concept: str  # the concept key the view knows it by (energy, (NXinstrument))
    annotation: str  # the property's return type
    required: bool
    doc: str


@dataclass
class ReaderClass:
    name: str
    concept: str  # the concept path in the definition, for the docstring
    members: list[Member] = field(default_factory=list)


def _class_name(key: str, steps: tuple[str, ...]) -> str:
    base = re.sub(r"[^A-Za-z0-9_]", "_", key)
    parts = [re.sub(r"[^A-Za-z0-9]", "", s.strip("()").removeprefix("NX")).capitalize()
             for s in steps]
    return "_".join([base] + [p for p in parts if p]) + "View"


def _group_key(plan: GroupPlan) -> str:
    return plan.name or f"({plan.nx_class})"


def _build(plan: GroupPlan, key: str, steps: tuple[str, ...], classes: list[ReaderClass],
           depth: int = 0) -> str:
    cls = ReaderClass(_class_name(key, steps), plan.concept or "/")
    classes.append(cls)
    taken: set[str] = set()
    members = list(plan.named.items())
    for nx_class, plans in plan.by_class.items():
        for p in plans:
            members.append((_group_key(p), p))
    for concept, spec in members:
        if concept.startswith("(NX"):
            attribute = safe_identifier(concept[3:-1])
        else:
            attribute = safe_identifier(concept)
        if attribute is None or attribute in taken:
            continue  # reachable as view.members(concept)
        taken.add(attribute)
        required = getattr(spec, "requirement", "optional") == "required"
        if isinstance(spec, GroupPlan):
            if depth >= 8:
                continue
            annotation = _build(spec, key, steps + (concept,), classes, depth + 1)
        else:
            nx_type = spec.nx_type or "NX_CHAR"  # NeXus's default type
            annotation = f"Field[{ELEMENT_TYPES.get(nx_type, 'np.generic')}]"
        if not required:
            annotation += " | None"
        what = getattr(spec, "nx_class", None) or getattr(spec, "nx_type", None) or "NX_CHAR"
        doc = f"{spec.requirement.capitalize()}: {what}."  # our words only: never definition text
        cls.members.append(Member(attribute, concept, annotation, required, doc))
    return cls.name


def reader_model(definition, definitions=None) -> dict:
    """The template context of the reader of ``definition`` (a key or a definition file)."""
    d, catalog = resolve_definition(definition, definitions)
    if d.category != "application":
        raise CodegenError(f"{d.key} is a {d.category}, not an application definition: views "
                           "(and readers) exist for application definitions")
    plans = compile_plan(catalog)
    container = "NXsubentry" if d.effective_placement == "subentry" else "NXentry"
    plan = plans.application(d.name, container)
    if plan is None:
        raise CodegenError(f"{d.key} has no {container} to read")
    classes: list[ReaderClass] = []
    root = _build(plan, d.name, (), classes)
    return {"key": d.key, "name": d.name, "root": root, "classes": classes,
            "version": __version__, "source": d.source.file if d.source else d.key,
            "function": re.sub(r"[^a-z0-9_]", "_", d.key.lower())}


def generate_reader(definition, *, definitions=None, templates=None) -> str:
    """The source of a typed reader module for ``definition`` (see module docs)."""
    from nxschema._write.codegen import render_module
    model = reader_model(definition, definitions)
    return render_module(TEMPLATE, model, f"{model['function']}_reader.py", templates)
