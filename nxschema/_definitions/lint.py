"""Meaning checks on definitions that passed the meta-schema: a table of small rules.

Each rule takes (definition, catalog) and yields findings. ``lint`` runs them all; rules never
stop at the first problem.
"""

from __future__ import annotations

import json
import re

import jsonschema

from nxschema import model as m
from nxschema._definitions.bounds import nexus_name_problem, shown
from nxschema._findings import Finding
from nxschema._vocabulary import NX_TYPES, OFFICIAL_BASE_CLASSES, UNITS_CATEGORIES, did_you_mean

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _at(element, code: str, message: str, severity: str = "error") -> Finding:
    src = getattr(element, "source", None) or m.Source("")
    return Finding(code, severity, message, file=src.file, line=src.line, col=src.col)


def _elements(definition: m.Definition):
    for attribute in definition.attributes:
        yield attribute, ()
    yield from m.walk(definition.members)


def known_classes(catalog) -> set[str]:
    return OFFICIAL_BASE_CLASSES | {d.name for d in catalog.of_category("base")}


def rule_classes(definition, catalog):
    classes = known_classes(catalog)
    for element, _ in _elements(definition):
        if isinstance(element, m.Group) and element.nx_class not in classes:
            yield _at(element, "unknown-class", f"unknown NX class {element.nx_class!r}"
                      f"{did_you_mean(element.nx_class, classes)}")


def rule_types_and_units(definition, catalog):
    for element, _ in _elements(definition):
        nx_type = getattr(element, "type", None)
        if nx_type is not None and nx_type not in NX_TYPES:
            yield _at(element, "unknown-type",
                      f"unknown NX type {nx_type!r}{did_you_mean(nx_type, NX_TYPES)}")
        units = getattr(element, "units", None)
        if units and units.startswith("NX_") and units not in UNITS_CATEGORIES:
            yield _at(element, "unknown-units", f"unknown units category {units!r}"
                      f"{did_you_mean(units, UNITS_CATEGORIES)}")


def rule_symbols(definition, catalog):
    declared = {s.name for s in definition.symbols}
    for key in catalog.chain(definition.key)[1:] if definition.key in catalog else ():
        declared |= {s.name for s in catalog.raw(key).symbols}
    for element, _ in _elements(definition):
        dims = getattr(element, "dimensions", None)
        for dim in dims.dims if dims else ():
            value = dim.value
            if isinstance(value, str) and IDENTIFIER.match(value) and value not in declared:
                yield _at(dim if dim.source else element, "undeclared-symbol",
                          f"dimension {value!r} of {element.name!r} is not a declared symbol"
                          f"{did_you_mean(value, declared)}; declare it under 'symbols'",
                          severity="warning")


def rule_extends(definition, catalog):
    if definition.extends is None:
        return
    cycle = catalog.extends_cycle(definition.key) if definition.key in catalog else None
    if cycle:
        yield _at(definition, "extends-cycle", "'extends' goes round in a cycle: "
                  + " → ".join(cycle))
    elif definition.extends not in catalog and definition.extends not in OFFICIAL_BASE_CLASSES:
        yield _at(definition, "unknown-extends", f"extends unknown definition "
                  f"{definition.extends!r}{did_you_mean(definition.extends, set(catalog))}")


def rule_duplicates(definition, catalog):
    for members in _member_lists(definition):
        seen = {}
        for member in members:
            name = m.member_key(member)
            # A field and a group of one name are alternatives, not a duplicate: NXDL base
            # classes offer a value or its NXlog that way (NXsample: magnetic_field).
            kind = isinstance(member, (m.Group, m.Choice))
            first = seen.get((kind, name))
            if first is not None:
                yield _at(member, "duplicate-member", f"{name!r} is defined twice in one group "
                          f"(first at line {first.source.line if first.source else '?'})")
            else:
                seen[kind, name] = member


def _member_lists(definition):
    yield definition.members
    for element, _ in _elements(definition):
        if isinstance(element, m.Group):
            yield element.members


def rule_links(definition, catalog):
    for element, parents in _elements(definition):
        if isinstance(element, m.Link) and not resolve_target(element.target, definition, catalog):
            # Only the last name is unknown: base classes are open (a file may hold members they
            # do not list), so this is likely a typo but not an impossible path. The official
            # NXxnb links /NXentry/NXinstrument/NXdetector/tilt while naming tilt_angle.
            parent = element.target.rstrip("/").rpartition("/")[0]
            if parent.strip("/") and resolve_target(parent, definition, catalog):
                yield _at(element, "undeclared-link-target",
                          f"link target {element.target!r} ends in a name that neither "
                          f"{definition.name} nor the base classes on its way declare",
                          severity="warning")
                continue
            yield _at(element, "unresolved-link",
                      f"link target {element.target!r} names nothing in {definition.name} "
                      "or in the base classes of the groups on its way")


def rule_config(definition, catalog):
    for element, _ in _elements(definition):
        spec = getattr(element, "config", None)
        if spec and spec.schema:
            try:
                jsonschema.Draft202012Validator.check_schema(json.loads(spec.schema))
            except jsonschema.SchemaError as exc:
                yield _at(spec, "bad-config-schema", f"the configuration schema is not a valid "
                          f"JSON Schema: {exc.message}")


def rule_names(definition, catalog):
    """Names HDF5 can hold but the NeXus naming rule does not allow (``x-ray``, ``a b``).

    Names HDF5 cannot hold at all never get here: the readers refuse them (unstorable-name).
    """
    for element, _ in _elements(definition):
        name = getattr(element, "name", None)
        if not name:
            continue
        problem = nexus_name_problem(name, getattr(element, "name_type", None))
        if problem:
            yield _at(element, "nonstandard-name", f"{shown(name)} breaks the NeXus naming rule: "
                      f"{problem}", severity="warning")


def rule_refers_to(definition, catalog):
    for element, _ in _elements(definition):
        if getattr(element, "refers_to", None) == "files" and element.type not in (
                None, "NX_CHAR"):
            yield _at(element, "refers-to-not-text", f"{element.name} lists files "
                      f"(refers_to: files) but has type {element.type}: file names are text, "
                      "NX_CHAR", "warning")


def _segments(target: str):
    for part in target.strip("/").split("/"):
        name, _, nx_class = part.partition(":")
        if not nx_class and name.startswith("NX"):
            name, nx_class = "", name
        yield name, nx_class


def resolve_target(target: str, definition: m.Definition, catalog) -> bool:
    """True if every step of ``target`` names a member of the definition or of a base class.

    A step naming a class (``NXinstrument`` or ``monochromator:NXmonochromator``) that the
    definition does not spell out is accepted: base classes allow any group of a known class.
    """
    candidates = [definition.members]
    steps = list(_segments(target))
    for number, (name, nx_class) in enumerate(steps, start=1):
        found = []
        for members in candidates:
            for member in members:
                if _step_matches(member, name, nx_class):
                    found.append(member)
        if number == len(steps) and name and not nx_class:
            # The target itself, written as a bare name: it must be named somewhere. An unnamed
            # group fits any name on the way (HDF5-path style targets), but would make every
            # misspelt dataset name resolve as "some group of any class".
            found = [x for x in found if not (isinstance(x, m.Group) and x.name is None)]
        if not found and nx_class:
            found = [m.Group(nx_class, name or None)]  # a group of a known class may be anywhere
        if not found:
            return False
        candidates = [_children(x, catalog) for x in found]
    return True


def _step_matches(member, name, nx_class) -> bool:
    if isinstance(member, m.Group):
        if nx_class and member.nx_class != nx_class:
            return False
        return not name or member.name is None or _name_fits(member, name)
    return not nx_class and _name_fits(member, name)


def _name_fits(member, name: str) -> bool:
    """``name`` is the member's name or fits its placeholder: any name for ``name_type: any``,
    the UPPERCASE parts replaced for ``partial`` (``GROUPNAME_log`` fits ``slit_log`` only)."""
    name_type = getattr(member, "name_type", None)
    if name_type == "any":
        return True
    if name_type == "partial":
        parts = re.split(r"([A-Z][A-Z0-9]*)", member.name)
        pattern = "".join(r"[A-Za-z0-9_.]+" if i % 2 else re.escape(part)
                          for i, part in enumerate(parts))
        return re.fullmatch(pattern, name) is not None
    return member.name == name


def _children(member, catalog):
    if isinstance(member, m.Group):
        base = catalog.base_class(member.nx_class)
        return member.members + (base.members if base else ())
    return ()


# Member names that hold personal data wherever they stand; ``name`` only in an NXuser.
PERSONAL_NAMES = {"email", "e_mail", "telephone_number", "phone", "fax_number", "orcid",
                  "address", "facility_user_id"}


def rule_personal_marks(definition, catalog):
    """A member named like personal data must say so (``personal: true``), or say it is not
    (``personal: false``): tools that list and redact personal data go by the mark. Only YAML
    definitions are checked: NXDL has no such mark (the official NXuser would always warn)."""
    if definition.source is None or definition.source.file.endswith(".nxdl.xml"):
        return
    nyaml = None  # asked once, at the first name that needs it
    for element, parents in _elements(definition):
        if not isinstance(element, (m.Field, m.Attribute, m.Link)) or element.personal is not None:
            continue
        name = (element.name or "").lower()
        in_user = (parents and isinstance(parents[-1], m.Group) and
                   parents[-1].nx_class == "NXuser") or (not parents and
                                                          definition.name == "NXuser")
        if name in PERSONAL_NAMES or (name == "name" and in_user):
            if nyaml is None:
                nyaml = _is_nyaml(definition.source.file)
            if nyaml:
                return  # nyaml, like NXDL, has no such mark
            yield _at(element, "personal-unmarked", f"{element.name!r} is named like personal "
                      "data but not marked: add 'personal: true' (or 'personal: false' if it "
                      "is not)", severity="warning")


def _is_nyaml(file: str) -> bool:
    from nxschema._definitions.nyaml_reader import looks_like_nyaml

    try:
        with open(file, encoding="utf-8") as handle:
            return looks_like_nyaml(handle.read())
    except (OSError, UnicodeDecodeError):
        return False


RULES = (rule_classes, rule_types_and_units, rule_symbols, rule_extends, rule_duplicates,
         rule_links, rule_config, rule_personal_marks, rule_names, rule_refers_to)


def lint(definition: m.Definition, catalog, rules=RULES) -> list[Finding]:
    """Every meaning problem of ``definition`` (as written) in the context of ``catalog``.

    ``rules`` are functions ``(definition, catalog) -> findings``; faces add their own (the ICAT
    mapping rules, see :mod:`nxschema._check`) without this package knowing of them.
    """
    return [finding for rule in rules for finding in rule(definition, catalog)]
