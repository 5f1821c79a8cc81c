"""Model → YAML definition text (the inverse of ``_yaml_reader``).

Shorthands are used wherever they say the same thing (``dimensions: [nP]``, ``enumeration: [a,
b]``, ``title: NX_CHAR``), so that converted NXDL reads like hand-written YAML.
"""

from __future__ import annotations

import json

import yaml

from nxschema import model as m


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value: str):
    style = "|" if "\n" in value.strip() else None
    if style:
        value = value.strip("\n") + "\n"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _put(out: dict, key, value, skip=None):
    if value is not skip and value is not None:
        out[key] = value


def _requirement(element, out: dict) -> None:
    optional = getattr(element, "optional", None)
    if optional is not None:
        out["optional"] = optional
    _put(out, "recommended", getattr(element, "recommended", None))
    for key in ("min_occurs", "max_occurs"):
        _put(out, key, getattr(element, key, None))


def _common(element, out: dict) -> None:
    _put(out, "doc", element.doc)
    _requirement(element, out)
    for key in ("deprecated", "name_type", "domain", "personal"):
        _put(out, key, getattr(element, key, None))


def _dimensions(dims: m.Dimensions):
    plain = all(d.value is not None and d.index == str(i + 1) and d.ref is None
                and d.refindex is None and d.incr is None and d.required is None and d.doc is None
                for i, d in enumerate(dims.dims))
    if plain and dims.doc is None and dims.rank == len(dims.dims) and dims.dims:
        return [d.value for d in dims.dims]
    out: dict = {}
    _put(out, "rank", dims.rank)
    _put(out, "doc", dims.doc)
    items = []
    for d in dims.dims:
        item: dict = {}
        for key in ("index", "value", "ref", "refindex", "incr", "required", "doc"):
            _put(item, key, getattr(d, key))
        items.append(item)
    if items or dims.rank is None:
        out["dim"] = items
    return out


def _enumeration(enum: m.Enumeration):
    if enum.open is None and all(i.doc is None for i in enum.items):
        return list(enum.values)
    out: dict = {}
    _put(out, "open", enum.open)
    out["items"] = [{"value": i.value, "doc": i.doc} if i.doc is not None else i.value
                    for i in enum.items]
    return out


def _config(spec: m.ConfigSpec) -> dict:
    out: dict = {"formats": list(spec.formats)}
    if spec.schema is not None:
        out["schema"] = json.loads(spec.schema)
    return out


def _icat(spec: m.IcatSpec):
    if spec.record is None and spec.mandatory is None and spec.description is None:
        return spec.key
    out: dict = {}
    for key in ("key", "record", "mandatory", "description"):
        _put(out, key, getattr(spec, key))
    return out


def _attributes(attributes) -> dict:
    out = {}
    for attr in attributes:
        spec: dict = {}
        _put(spec, "type", attr.type)
        _put(spec, "units", attr.units)
        _common(attr, spec)
        if attr.dimensions:
            spec["dimensions"] = _dimensions(attr.dimensions)
        if attr.enumeration:
            spec["enumeration"] = _enumeration(attr.enumeration)
        _put(spec, "value", attr.value)
        out[attr.name] = spec if set(spec) != {"type"} else spec["type"]
        if not spec:
            out[attr.name] = None
    return out


def _group_body(group: m.Group) -> dict:
    out: dict = {}
    _common(group, out)
    if group.config:
        out["config"] = _config(group.config)
    if group.icat:
        out["icat"] = _icat(group.icat)
    if group.forbid_extra:
        out["forbid_extra"] = list(group.forbid_extra)
    if group.attributes:
        out["attributes"] = _attributes(group.attributes)
    if group.members:
        out["members"] = _members(group.members)
    return out


def _field_body(field: m.Field):
    out: dict = {}
    _put(out, "type", field.type)
    _put(out, "units", field.units)
    _common(field, out)
    if field.dimensions:
        out["dimensions"] = _dimensions(field.dimensions)
    if field.enumeration:
        out["enumeration"] = _enumeration(field.enumeration)
    _put(out, "value", field.value)
    for key in ("long_name", "signal", "axes", "axis", "primary", "stride", "data_offset",
                "interpretation"):
        _put(out, key, getattr(field, key))
    if field.config:
        out["config"] = _config(field.config)
    if field.icat:
        out["icat"] = _icat(field.icat)
    _put(out, "refers_to", field.refers_to)
    if field.attributes:
        out["attributes"] = _attributes(field.attributes)
    if not out:
        return None
    return out["type"] if set(out) == {"type"} else out


def group_key(group: m.Group) -> str:
    return f"{group.name or ''}({group.nx_class})"


def _members(members) -> dict:
    out = {}
    for member in members:
        if isinstance(member, m.Group):
            out[group_key(member)] = _group_body(member) or None
        elif isinstance(member, m.Link):
            spec = {"link": member.target}
            _common(member, spec)
            _put(spec, "napimount", member.napimount)
            out[member.name] = spec
        elif isinstance(member, m.Choice):
            spec = {"choice": {group_key(g): _group_body(g) or None for g in member.groups}}
            _put(spec, "doc", member.doc)
            out[member.name] = spec
        else:
            out[member.name] = _field_body(member)
    return out


def definition_data(definition: m.Definition) -> dict:
    """The plain data of the YAML form of ``definition`` (keyword order as in the docs)."""
    out: dict = {"name": definition.name, "category": definition.category}
    for key in ("extends", "restricts", "svnid", "placement", "domain", "deprecated", "doc",
                "symbols_doc"):
        _put(out, key, getattr(definition, key))
        if key == "domain" and definition.applies_when is not None:
            out["applies_when"] = definition.applies_when.as_data()
    if definition.symbols:
        out["symbols"] = {s.name: s.doc for s in definition.symbols}
    ignore = {k: getattr(definition, f"ignore_extra_{k}") for k in ("groups", "fields",
                                                                      "attributes")}
    ignore = {k: v for k, v in ignore.items() if v is not None}
    if ignore:
        out["ignore_extra"] = ignore
    if definition.attributes:
        out["attributes"] = _attributes(definition.attributes)
    if definition.members:
        out["members"] = _members(definition.members)
    return out


def write_yaml(definition: m.Definition) -> str:
    """YAML text for ``definition``; reading it back gives an equal model.

    Args:
        definition: the model, as :func:`read_yaml` or :func:`read_nxdl` gives it.

    Returns:
        The YAML text. Raises nothing for a valid model.
    """
    data = definition_data(definition)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=None)
    if text.startswith("{"):  # only scalars at the top: flow style would put it on one line
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                         default_flow_style=False)
    if definition.header:  # e.g. NXDL's copyright comment, as leading '#' lines
        lines = definition.header.strip("\n").split("\n")
        text = "".join(f"{x if x.startswith('#') else ('# ' + x).rstrip()}\n" for x in lines) + text
    return text


dump_yaml = write_yaml  # the old name, kept for one release
