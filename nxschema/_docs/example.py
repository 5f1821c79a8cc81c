"""An example skeleton per definition: a runnable h5py script writing its required members.

Generated from the model (never written by hand), so it always matches the definition: groups
with their NX_class, fields with a placeholder of the right type and shape (symbols become
variables), units, fixed values and enumerations, required attributes, links. For a base class,
where everything is optional, the recommended members are shown instead.
"""

from __future__ import annotations

import json
import keyword
import re

from nxschema import model as m
from nxschema._write.layout import EXAMPLE_UNITS, NUMPY_DTYPES

# The literal a placeholder value is written as, by the dtype writers use for the NX type.
_ZERO = {"float64": "0.0", "int64": "0", "uint64": "0", "bool": "False", "complex128": "0j",
         "uint8": "0"}
_TEXT_PLACEHOLDERS = {"NX_DATE_TIME": "2024-01-01T00:00:00Z", "ISO8601": "2024-01-01T00:00:00Z"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EXAMPLE_SIZE = 10


def _q(text) -> str:
    """A double-quoted Python string literal (JSON's escapes are all valid Python)."""
    return json.dumps(str(text), ensure_ascii=False)


def _default_name(nx_class: str) -> str:
    return nx_class[2:].lower() if nx_class.startswith("NX") else nx_class.lower()


def _class_path_to_hdf5(target: str) -> str:
    """``/NXentry/NXinstrument/mono:NXmonochromator/energy`` → ``/entry/instrument/mono/energy``."""
    parts = []
    for part in target.split("/"):
        if ":" in part:
            part = part.split(":", 1)[0]
        elif part.startswith("NX") and part[2:3].islower():
            part = _default_name(part)
        parts.append(part)
    return "/".join(parts)


class _Writer:
    def __init__(self, definition: m.Definition, key: str):
        self.definition = definition
        self.key = key
        self.symbols = {s.name: s.doc for s in definition.symbols}
        self.used_symbols: dict[str, str | None] = {}
        self.names: set[str] = {"f", "h5py", "np"}
        self.body: list[str] = []
        self.wanted = ("required",) if definition.category != "base" else ("required",
                                                                           "recommended")

    def wants(self, element) -> bool:
        return m.requirement(element, self.definition.category) in self.wanted

    def variable(self, name: str) -> str:
        base = re.sub(r"\W", "_", name).strip("_").lower() or "group"
        if base[0].isdigit() or keyword.iskeyword(base):
            base = "g_" + base
        candidate, n = base, 1
        while candidate in self.names:
            n += 1
            candidate = f"{base}_{n}"
        self.names.add(candidate)
        return candidate

    def line(self, depth: int, text: str) -> None:
        self.body.append("    " * depth + text)

    # --- values -------------------------------------------------------------------------------

    def shape(self, dimensions: m.Dimensions | None) -> str | None:
        if dimensions is None:
            return None
        if not dimensions.dims:
            rank = dimensions.rank
            return "(" + ", ".join(["1"] * rank) + ",)" if isinstance(rank, int) and rank else None
        sizes = []
        for dim in dimensions.dims:
            value = dim.value
            if isinstance(value, int):
                sizes.append(str(value))
            elif isinstance(value, str) and _IDENTIFIER.match(value) \
                    and not keyword.iskeyword(value):
                self.used_symbols.setdefault(value, self.symbols.get(value))
                sizes.append(value)
            else:
                sizes.append("1")  # an expression or a reference: any size will do here
        return "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"

    @staticmethod
    def scalar(element) -> str:
        nx_type = element.type or "NX_CHAR"
        fixed = element.value
        if fixed is None and element.enumeration is not None and element.enumeration.items:
            fixed = element.enumeration.items[0].value
        if nx_type in NUMPY_DTYPES:
            if fixed is not None:
                if nx_type == "NX_BOOLEAN":
                    return "True" if str(fixed).lower() in ("true", "1") else "False"
                try:
                    float(fixed)
                    return str(fixed)
                except ValueError:
                    pass
            return "1" if nx_type == "NX_POSINT" else _ZERO[NUMPY_DTYPES[nx_type]]
        return _q(fixed if fixed is not None else _TEXT_PLACEHOLDERS.get(nx_type, "..."))

    def data(self, element) -> str:
        shape = self.shape(element.dimensions)
        if shape is None:
            return self.scalar(element)
        nx_type = element.type or "NX_CHAR"
        if nx_type in NUMPY_DTYPES:
            return f'np.zeros({shape}, dtype="{NUMPY_DTYPES[nx_type]}")'
        return f"np.full({shape}, {self.scalar(element)}, dtype=h5py.string_dtype())"

    @staticmethod
    def units(element) -> tuple[str, str] | None:
        units = element.units
        if not units:
            return None
        if units in EXAMPLE_UNITS:
            return EXAMPLE_UNITS[units], units
        if units.startswith("NX_"):
            return "...", units
        return units, ""

    # --- elements -----------------------------------------------------------------------------

    def attributes(self, target: str, attributes, depth: int) -> None:
        for attribute in attributes:
            if self.wants(attribute):
                self.line(depth, f"{target}.attrs[{_q(attribute.name)}] = {self.scalar(attribute)}")

    def members(self, variable: str, members, depth: int, path: str) -> None:
        for member in members:
            if isinstance(member, m.Choice):
                if self.wants(member) and member.groups:
                    classes = ", ".join(g.nx_class for g in member.groups)
                    self.line(depth, f"# {member.name}: one of {classes}")
                    self.group(variable, member.groups[0], depth, path, name=member.name)
            elif not self.wants(member):
                continue
            elif isinstance(member, m.Group):
                self.group(variable, member, depth, path)
            elif isinstance(member, m.Link):
                target = _class_path_to_hdf5(member.target)
                self.line(depth, f"{variable}[{_q(member.name)}] = h5py.SoftLink({_q(target)})")
            else:
                self.field(variable, member, depth)

    def field(self, variable: str, field: m.Field, depth: int) -> None:
        item = f"{variable}[{_q(field.name)}]"
        self.line(depth, f"{item} = {self.data(field)}")
        units = self.units(field)
        if units:
            comment = f"  # {units[1]}" if units[1] else ""
            self.line(depth, f"{item}.attrs[\"units\"] = {_q(units[0])}{comment}")
        self.attributes(item, field.attributes, depth)

    def group(self, parent: str, group: m.Group, depth: int, path: str, name=None) -> None:
        name = name or group.name or _default_name(group.nx_class)
        variable = self.variable(name)
        self.line(depth, f"{variable} = {parent}.create_group({_q(name)})")
        self.line(depth, f"{variable}.attrs[\"NX_class\"] = {_q(group.nx_class)}")
        self.attributes(variable, group.attributes, depth)
        self.members(variable, group.members, depth, f"{path}/{name}")

    def script(self) -> str:
        d = self.definition
        file_name = re.sub(r"[^A-Za-z0-9_.-]", "_", self.key) + ".h5"
        if d.category in ("base", "process"):
            # The definition describes any group of its class: write one such group.
            nx_class = "NXprocess" if d.category == "process" else d.name
            root = self.variable(_default_name(d.name))
            self.line(1, f"{root} = f.create_group({_q(_default_name(d.name))})")
            self.line(1, f"{root}.attrs[\"NX_class\"] = {_q(nx_class)}")
            self.attributes(root, d.attributes, 1)
            self.members(root, d.members, 1, "/" + _default_name(d.name))
        else:
            self.attributes("f", d.attributes, 1)
            self.members("f", d.members, 1, "")
        head = ["import h5py", "import numpy as np", ""]
        for symbol, doc in sorted(self.used_symbols.items()):
            comment = f"  # {' '.join(doc.split())}" if doc else ""
            head.append(f"{symbol} = {_EXAMPLE_SIZE}{comment}")
        if self.used_symbols:
            head.append("")
        what = "required" if d.category != "base" else "recommended"
        head.append(f"# The {what} members of {self.key}, with placeholder values.")
        head.append(f"with h5py.File({_q(file_name)}, \"w\") as f:")
        if not self.body:
            self.line(1, f"pass  # {self.key} has no {what} members")
        return "\n".join(head + self.body) + "\n"


def skeleton(definition: m.Definition, key: str | None = None) -> str:
    """A runnable h5py script that writes the required members of ``definition``."""
    return _Writer(definition, key or definition.key).script()
