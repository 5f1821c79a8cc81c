"""Which definitions apply where: discovery, shared by the binding of a whole file and the walk.

* At the root: the definition asked for (``--definition``), else the layout the root names in
  ``@layout``, else (with discovery on) every layout or application definition whose
  ``applies_when`` the root attributes satisfy (NXesrf_raw: ``@publisher='bliss'``).
* In an NXentry or NXsubentry: the application definition its ``definition`` field names.
* In an NXprocess: the processing forms it fits (:func:`fitting_forms`).
"""

from __future__ import annotations

from nxschema._binding.concepts import GroupPlan
from nxschema._h5.access import attr_or_none


def root_keys(catalog, attrs: dict, forced: str | None, layout: str | None,
              discovery: bool = True) -> tuple[list[str], str | None]:
    """The definitions that apply to the whole file, and a key named but not loaded (or None).
    """
    key = forced or layout or attrs.get("layout")
    if isinstance(key, list):
        key = key[0] if key else None
    if key:
        return ([key], None) if key in catalog else ([], str(key))
    if not discovery:
        return [], None
    keys = []
    for name in catalog:
        d = catalog.raw(name)
        if d.applies_when is not None and d.category in ("layout", "application") and \
                d.applies_when.matches(attrs):
            keys.append(name)
    return keys, None


def entry_application(plans, nx_class: str, value) -> tuple[GroupPlan | None, str | None]:
    """The entry-level plan an NXentry/NXsubentry's ``definition`` value names: (plan, name);
    (None, name) when no such application definition is loaded; (None, None) without one."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, str):
        return None, None
    return plans.application(value, nx_class), value


def fitting_forms(forms, by_name, base=None) -> list[GroupPlan]:
    """The processing forms an NXprocess group follows.

    Every form whose required members are all there (right kind, right class) applies, so a
    group is checked by each form it fits (a community form with a configuration schema on top
    of the ESRF one, say). If none fits, the closest form applies among those whose own
    members (required ones the NXprocess base class does not define, like ``configuration``)
    the group holds at least one of, so that its findings say what is missing. A group holding
    none (a NIAC NXprocess of NXtomoproc, say) follows no form and is left to its base class
    and to the application definition around it.
    """
    vocabulary = set(base.named) if base is not None else set()
    fitting, best, best_score = [], None, -1.0
    for form in forms:
        score, total, claims = 0, 0, False
        for spec in form.expected():
            if spec.requirement != "required" or not spec.name:
                continue
            total += 1
            child = by_name.get(spec.name)
            if child is None or child.kind is None:
                continue
            claims |= spec.name not in vocabulary
            if isinstance(spec, GroupPlan):
                score += child.is_group and _class(child) == spec.nx_class
            else:
                score += spec.is_link or child.is_dataset
        for name, options in form.choices:
            if options[0].requirement == "required":
                total += 1
                child = by_name.get(name)
                score += child is not None and child.is_group and \
                    _class(child) in {o.nx_class for o in options}
        fraction = score / total if total else 1.0
        if fraction == 1.0:
            fitting.append(form)
        elif claims and fraction > best_score:
            best, best_score = form, fraction
    return fitting or ([best] if best is not None else [])


def _class(child):
    return attr_or_none(child.io, child.oid, "NX_class")
