"""The laid-out tree's nodes, and the tables that give them dtypes and units.

The layout (:mod:`nxschema._write.layout`) builds these; the plotting pass
(:mod:`nxschema._write.layout_plot`), the skeleton writer, the code generator and the docs'
example scripts read them. Kept apart so that none of those imports the layout's builder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nxschema import model as m

NUMPY_DTYPES = {
    "NX_FLOAT": "float64", "NX_NUMBER": "float64", "NX_CHAR_OR_NUMBER": "float64",
    "NX_INT": "int64", "NX_POSINT": "int64", "NX_UINT": "uint64", "NX_BOOLEAN": "bool",
    "NX_COMPLEX": "complex128", "NX_CCOMPLEX": "complex128", "NX_PCOMPLEX": "complex128",
    "NX_QUATERNION": "float64", "NX_BINARY": "uint8",
}
TEXT_TYPES = ("NX_CHAR", "NX_DATE_TIME", "ISO8601")

# A unit that fits each units category, for writers that must put something in @units.
EXAMPLE_UNITS = {
    "NX_ANGLE": "deg", "NX_ANY": "a.u.", "NX_AREA": "mm2", "NX_CROSS_SECTION": "barn",
    "NX_CHARGE": "C", "NX_CURRENT": "mA", "NX_DIMENSIONLESS": "", "NX_EMITTANCE": "nm rad",
    "NX_ENERGY": "keV", "NX_FLUX": "1/s", "NX_FREQUENCY": "Hz", "NX_LENGTH": "mm",
    "NX_MASS": "g", "NX_MASS_DENSITY": "g/cm3", "NX_MOLECULAR_WEIGHT": "g/mol",
    "NX_PER_AREA": "1/m2", "NX_PER_LENGTH": "1/nm", "NX_PERIOD": "s", "NX_POWER": "W",
    "NX_PRESSURE": "mbar", "NX_PULSES": "counts", "NX_COUNT": "counts",
    "NX_SCATTERING_LENGTH_DENSITY": "1/angstrom2", "NX_SOLID_ANGLE": "sr",
    "NX_TEMPERATURE": "K", "NX_TIME": "s", "NX_TIME_OF_FLIGHT": "us",
    "NX_TRANSFORMATION": "mm", "NX_VOLTAGE": "V", "NX_VOLUME": "cm3",
    "NX_WAVELENGTH": "angstrom", "NX_WAVENUMBER": "1/angstrom",
}
# Categories whose fields carry no @units at all.
NO_UNITS = ("NX_UNITLESS",)


def example_unit(units: str | None) -> str | None:
    if not units or units in NO_UNITS:
        return None
    if units.startswith("NX_"):
        return EXAMPLE_UNITS.get(units, "")
    return units  # literal units written by the definition (kV, um, ...)


def _join(parent: str, name: str) -> str:
    return f"{parent.rstrip('/')}/{name}"


def _unique(parent: GroupNode, name: str, reserved=()) -> str:
    taken = {c.name for c in parent.children} | set(reserved)
    if name not in taken:
        return name
    n = 2
    while f"{name}_{n}" in taken:
        n += 1
    return f"{name}_{n}"


# --- the tree ------------------------------------------------------------------------------------

@dataclass
class AttrNode:
    name: str
    nx_type: str | None
    requirement: str
    doc: str | None = None
    value: object = None  # what to write when it is not the user's to give (fixed or computed)
    fixed: bool = False  # value comes from the definition (value: or a one-item enumeration)
    enum: tuple[str, ...] = ()
    enum_open: bool = False
    rank: int = 0


@dataclass
class FieldNode:
    name: str
    path: str
    nx_type: str
    requirement: str
    dims: tuple = ()  # per axis: an int, a symbol, (symbol, offset) or None (unknown)
    units: str | None = None  # the definition's units: a category (NX_ENERGY) or literal units
    doc: str | None = None
    value: object = None  # fixed value, already typed
    fixed: bool = False
    enum: tuple[str, ...] = ()
    enum_open: bool = False
    attrs: list[AttrNode] = field(default_factory=list)
    config: m.ConfigSpec | None = None
    any_name: bool = False  # name_type any: stands for any number of fields, named by the user
    legacy: dict = field(default_factory=dict)  # NXDL axis/primary/signal hints
    specs: dict = field(default_factory=dict)  # every attribute the definition spells out

    @property
    def rank(self) -> int:
        return len(self.dims)

    @property
    def unit(self) -> str | None:
        """A concrete unit for @units, or None when the field carries no units."""
        spec = self.specs.get("units")
        if spec is not None and (spec.value is not None or spec.enum):
            return str(spec.value if spec.value is not None else spec.enum[0])
        return example_unit(self.units)

    @property
    def is_text(self) -> bool:
        return self.nx_type in TEXT_TYPES


@dataclass
class LinkNode:
    name: str
    path: str
    requirement: str
    target: str = ""  # absolute path in the same file, once resolved
    spec: str = ""  # the target as the definition wrote it
    doc: str | None = None


@dataclass
class GroupNode:
    name: str
    path: str
    nx_class: str
    requirement: str
    doc: str | None = None
    attrs: list[AttrNode] = field(default_factory=list)
    children: list = field(default_factory=list)
    specs: dict = field(default_factory=dict)  # every attribute the definition spells out

    def child(self, name: str):
        return next((c for c in self.children if c.name == name), None)

    def walk(self):
        """This group and every node below it, depth first, in writing order."""
        yield self
        for c in self.children:
            if isinstance(c, GroupNode):
                yield from c.walk()
            else:
                yield c

    def attr(self, name: str) -> AttrNode | None:
        return next((a for a in self.attrs if a.name == name), None)
