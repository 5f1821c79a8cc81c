"""YAML definition → model.

Syntax is checked by the JSON Schema meta-schema shipped in ``nxschema/schema``; only a document
that passes it is turned into model objects, each carrying its file, line and column.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any

import jsonschema

from nxschema import model as m
from nxschema._definitions.bounds import hdf5_name_problem, int_problem, is_integer_text, shown
from nxschema._findings import Finding, error
from nxschema._vocabulary import did_you_mean
from nxschema._definitions.yamlsource import PositionedData, read_positioned

GROUP_KEY = re.compile(r"^([A-Za-z0-9_.]*)\(([A-Za-z_][A-Za-z0-9_]*)\)$")


@functools.lru_cache(maxsize=1)
def meta_schema() -> dict[str, Any]:
    """The JSON Schema of the YAML definition language (docs/definition.schema.json).

    Returns:
        The schema as parsed JSON (cached: do not change it). Raises nothing.
    """
    text = resources.files("nxschema").joinpath("schema/definition.schema.json").read_text()
    return json.loads(text)


@functools.lru_cache(maxsize=1)
def _validator():
    return jsonschema.Draft202012Validator(meta_schema())


def _leaf_errors(errors):
    """The most specific errors: descend into anyOf/if-then context, keep the deepest ones."""
    for err in errors:
        if err.context:
            best = max(err.context, key=lambda e: (len(e.absolute_path), -len(e.schema_path)))
            deepest = [e for e in err.context if len(e.absolute_path) == len(best.absolute_path)]
            if len(best.absolute_path) > len(err.absolute_path):
                yield from _leaf_errors(deepest[:1])
                continue
        yield err


def _schema_findings(doc: PositionedData) -> list[Finding]:
    findings = []
    for err in _leaf_errors(_validator().iter_errors(doc.data)):
        path = tuple(err.absolute_path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            patterns = [re.compile(p) for p in err.schema.get("patternProperties", {})]
            for key in err.instance:
                if key in allowed or any(p.search(key) for p in patterns):
                    continue
                line, col = doc.where(path + (key,), key=True)
                findings.append(error(
                    "unknown-keyword",
                    f"unknown keyword {shown(key)}{did_you_mean(key, allowed)}; "
                    f"allowed here: {', '.join(sorted(allowed))}",
                    file=doc.file, line=line, col=col))
            continue
        line, col = doc.where(path)
        where = "/".join(str(p) for p in path) or "the document"
        message = f"{where}: {err.message}"
        if len(message) > 300:  # jsonschema echoes the value, which may be megabytes
            message = f"{message[:240]}... ({len(message)} characters)"
        findings.append(error("schema", message, file=doc.file, line=line, col=col))
    return findings


class _Builder:
    """Turns schema-valid plain data into model objects; positions come from ``doc``."""

    def __init__(self, doc: PositionedData):
        self.doc = doc
        self.findings: list[Finding] = []

    def integer(self, value, path):
        """``value`` as int (or its text), or None after a finding if it is too large."""
        problem = int_problem(value)
        if problem is None:
            return _int_or_text(value)
        line, col = self.doc.where(path)
        self.findings.append(error("too-large-integer", problem, file=self.doc.file, line=line,
                                   col=col))
        return None

    def bounded_text(self, value, path):
        """``value`` as text (an index is kept as written), or None after a finding if it is
        an integer too large for any index."""
        if int_problem(value) is not None:
            self.integer(value, path)  # the finding, with its line
            return None
        return self._text(value)

    def src(self, path) -> m.Source:
        line, col = self.doc.where(path)
        return m.Source(self.doc.file, line, col)

    def key_src(self, path) -> m.Source:
        line, col = self.doc.where(path, key=True)
        return m.Source(self.doc.file, line, col)

    # --- pieces -------------------------------------------------------------------------------

    @staticmethod
    def _requirement(data: dict) -> dict:
        out = {}
        if "required" in data:
            out["optional"] = not data["required"]
        if "optional" in data:
            out["optional"] = data["optional"]
        if "recommended" in data:
            out["recommended"] = data["recommended"]
        return out

    @staticmethod
    def _text(value):
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def dimensions(self, data, path) -> m.Dimensions | None:
        if data is None:
            return None
        if isinstance(data, list):
            dims = tuple(m.Dim(value=self.integer(v, path + (i,)), index=str(i + 1),
                               source=self.src(path + (i,))) for i, v in enumerate(data))
            return m.Dimensions(rank=len(dims), dims=dims, source=self.src(path))
        dims = []
        for i, item in enumerate(data.get("dim", [])):
            where = self.src(path + ("dim", i))
            if not isinstance(item, dict):
                dims.append(m.Dim(value=self.integer(item, path + ("dim", i)), source=where))
                continue
            at = path + ("dim", i)
            dims.append(m.Dim(
                value=self.integer(item.get("value"), at + ("value",)),
                index=self.bounded_text(item.get("index"), at + ("index",)),
                ref=item.get("ref"),
                refindex=self.bounded_text(item.get("refindex"), at + ("refindex",)),
                incr=self.bounded_text(item.get("incr"), at + ("incr",)),
                required=item.get("required"),
                doc=item.get("doc"), source=where))
        return m.Dimensions(rank=self.integer(data.get("rank"), path + ("rank",)),
                            dims=tuple(dims), doc=data.get("doc"), source=self.src(path))

    def enumeration(self, data, path) -> m.Enumeration | None:
        if data is None:
            return None
        items, is_open = (data, None) if isinstance(data, list) else (data["items"], data.get("open"))
        out = []
        for i, item in enumerate(items):
            where = self.src(path + (i,) if isinstance(data, list) else path + ("items", i))
            if isinstance(item, dict):
                out.append(m.EnumItem(self._text(item["value"]), item.get("doc"), where))
            else:
                out.append(m.EnumItem(self._text(item), None, where))
        return m.Enumeration(tuple(out), is_open, self.src(path))

    def config(self, data, path) -> m.ConfigSpec | None:
        if data is None:
            return None
        schema = data.get("schema")
        return m.ConfigSpec(
            formats=tuple(data.get("formats", ("json", "yaml", "ini"))),
            schema=None if schema is None else json.dumps(schema, sort_keys=True),
            source=self.src(path))

    def icat(self, data, path) -> m.IcatSpec | None:
        if data is None:
            return None
        if isinstance(data, str):
            return m.IcatSpec(key=data, source=self.src(path))
        return m.IcatSpec(key=data.get("key"), record=data.get("record"),
                          mandatory=data.get("mandatory"), description=data.get("description"),
                          source=self.src(path))

    def common(self, data: dict, path) -> dict:
        out = self._requirement(data)
        for key in ("doc", "deprecated", "name_type", "domain", "personal"):
            if key in data:
                out[key] = data[key]
        return out

    # --- elements -----------------------------------------------------------------------------

    def attributes(self, data, path) -> tuple[m.Attribute, ...]:
        out = []
        for name, spec in (data or {}).items():
            where = path + (name,)
            if spec is None or isinstance(spec, str):
                out.append(m.Attribute(name, type=spec, source=self.key_src(where)))
                continue
            out.append(m.Attribute(
                name, type=spec.get("type"), units=spec.get("units"),
                enumeration=self.enumeration(spec.get("enumeration"), where + ("enumeration",)),
                dimensions=self.dimensions(spec.get("dimensions"), where + ("dimensions",)),
                value=self._text(spec.get("value")), source=self.key_src(where),
                **self.common(spec, where)))
        return tuple(out)

    def members(self, data, path) -> tuple[m.Member, ...]:
        out = []
        for key, spec in (data or {}).items():
            where = path + (key,)
            match = GROUP_KEY.match(key)
            if match:
                out.append(self.group(match.group(1) or None, match.group(2), spec or {}, where))
            elif isinstance(spec, dict) and "link" in spec:
                out.append(m.Link(key, spec["link"], napimount=spec.get("napimount"),
                                  source=self.key_src(where), **self.common(spec, where)))
            elif isinstance(spec, dict) and "choice" in spec:
                groups = tuple(
                    self.group(GROUP_KEY.match(k).group(1) or None, GROUP_KEY.match(k).group(2),
                               v or {}, where + ("choice", k))
                    for k, v in spec["choice"].items())
                out.append(m.Choice(key, groups, spec.get("doc"), self.key_src(where)))
            else:
                out.append(self.field(key, spec, where))
        return tuple(out)

    def group(self, name, nx_class, spec: dict, path) -> m.Group:
        return m.Group(
            nx_class, name,
            members=self.members(spec.get("members"), path + ("members",)),
            attributes=self.attributes(spec.get("attributes"), path + ("attributes",)),
            min_occurs=self.integer(spec.get("min_occurs"), path + ("min_occurs",)),
            max_occurs=self.integer(spec.get("max_occurs"), path + ("max_occurs",)),
            config=self.config(spec.get("config"), path + ("config",)),
            icat=self.icat(spec.get("icat"), path + ("icat",)),
            forbid_extra=tuple(spec.get("forbid_extra", ())),
            source=self.key_src(path), **self.common(spec, path))

    def field(self, name, spec, path) -> m.Field:
        if spec is None or isinstance(spec, str):
            return m.Field(name, type=spec, source=self.key_src(path))
        legacy = {k: self._text(spec[k]) for k in (
            "long_name", "signal", "axes", "axis", "primary", "stride", "data_offset",
            "interpretation") if k in spec}
        return m.Field(
            name, type=spec.get("type"), units=spec.get("units"),
            dimensions=self.dimensions(spec.get("dimensions"), path + ("dimensions",)),
            enumeration=self.enumeration(spec.get("enumeration"), path + ("enumeration",)),
            attributes=self.attributes(spec.get("attributes"), path + ("attributes",)),
            value=self._text(spec.get("value")),
            min_occurs=self.integer(spec.get("min_occurs"), path + ("min_occurs",)),
            max_occurs=self.integer(spec.get("max_occurs"), path + ("max_occurs",)),
            config=self.config(spec.get("config"), path + ("config",)),
            icat=self.icat(spec.get("icat"), path + ("icat",)),
            refers_to=spec.get("refers_to"),
            source=self.key_src(path), **legacy, **self.common(spec, path))

    def definition(self) -> m.Definition:
        data = self.doc.data
        ignore = data.get("ignore_extra", {})
        symbols = tuple(m.Symbol(name, doc, self.key_src(("symbols", name)))
                        for name, doc in (data.get("symbols") or {}).items())
        return m.Definition(
            name=data["name"], category=data["category"], extends=data.get("extends"),
            doc=data.get("doc"), symbols=symbols, symbols_doc=data.get("symbols_doc"),
            members=self.members(data.get("members"), ("members",)),
            attributes=self.attributes(data.get("attributes"), ("attributes",)),
            ignore_extra_groups=ignore.get("groups"), ignore_extra_fields=ignore.get("fields"),
            ignore_extra_attributes=ignore.get("attributes"),
            deprecated=data.get("deprecated"), restricts=data.get("restricts"),
            svnid=data.get("svnid"), placement=data.get("placement"), domain=data.get("domain"),
            applies_when=None if data.get("applies_when") is None else
            m.AppliesWhen.from_data(data["applies_when"], self.key_src(("applies_when",))),
            source=m.Source(self.doc.file, 1, 1))


def _int_or_text(value):
    if value is None or isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    return int(text) if is_integer_text(text) else text


def read_yaml(text: str, file: str) -> tuple[m.Definition | None, list[Finding]]:
    """Parse one YAML definition.

    Args:
        text: the YAML text.
        file: the name findings give as its place (``file:line:col``).

    Returns:
        ``(definition, findings)``: the definition is None when the text cannot be read as
        one; the findings say what is wrong, with positions.

    Never raises for bad input: every problem is a finding.
    """
    doc, findings = read_positioned(text, file)
    if doc.data is None:
        return None, findings
    if not isinstance(doc.data, dict):
        return None, findings + [error("schema", "a definition is a mapping of keywords "
                                       "(name, category, members, ...)", file=file, line=1, col=1)]
    findings += _schema_findings(doc)
    if any(f.severity == "error" for f in findings):
        return None, findings
    builder = _Builder(doc)
    definition = builder.definition()
    findings += builder.findings + _name_findings(definition)
    if any(f.severity == "error" for f in findings):
        return None, findings  # refused whole, as for any other error: nothing uses it
    header = _leading_comment(text)
    return (m.replace(definition, header=header) if header else definition), findings


def _name_findings(definition: m.Definition) -> list[Finding]:
    """An error at every member or attribute whose name HDF5 cannot hold."""
    out = []
    elements = [(a, ()) for a in definition.attributes] + list(m.walk(definition.members))
    for element, _ in elements:
        name = element.name
        problem = None if name is None else hdf5_name_problem(name)
        if problem:
            src = element.source or m.Source(definition.source.file)
            out.append(error("unstorable-name", f"{shown(name)} cannot be an HDF5 name: {problem}",
                             file=src.file, line=src.line, col=src.col))
    return out


def _leading_comment(text: str) -> str | None:
    """The '#' lines that open the file (a copyright header, say), without an editor modeline."""
    lines = []
    for line in text.lstrip("\ufeff").split("\n"):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        if not line.startswith("# yaml-language-server:"):
            lines.append(line.rstrip())
    return "\n".join(lines) or None


read_definition = read_yaml  # the old name, kept for one release
