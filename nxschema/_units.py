"""Units by dimensional analysis: unit strings read into dimension vectors, and the NeXus units
categories (``NX_ENERGY``, ``NX_TRANSFORMATION``, ...) as the vectors they accept.

A unit string is read the way UDUNITS and pint read it: SI prefixes (``keV``, ``µm`` with either
micro sign, ``um``), products (``*``, ``.``, ``·``, a space), quotients (left to right:
``1/s/cm^2``), powers (``^2``, ``**2``, ``m2``, ``s-1``, ``m²``), parentheses, numbers as
factors, plurals (``bars``, ``seconds``) and names (``meter``, ``metre``, ``electronvolt``,
``degree_Celsius``). A few spellings that facilities write and no registry knows are read too
(``a.u.``, ``arb``, ``counts``, ``cps``, ``KeV``).

A dimension is a tuple of exponents over length, mass, time, current, temperature, amount,
luminous intensity and *angle*. SI counts the radian as 1; it is kept apart here so that an
``NX_ANGLE`` in ``mm`` and an ``NX_COUNT`` in ``deg`` are told apart from a plain number.

Everything is cached by string: a validation walk asks about the same few units again and again,
so after the first time each answer is a dictionary look-up. This module imports nothing from the
rest of the package, so that validation, writers and docs can all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from nxschema.errors import NxschemaError

__all__ = [
    "AXES",
    "CATEGORIES",
    "Reading",
    "category_problem",
    "describe",
    "dimension_of",
    "fits",
    "read_units",
]

AXES = ("length", "mass", "time", "current", "temperature", "amount", "luminosity", "angle")
_SYMBOLS = ("m", "kg", "s", "A", "K", "mol", "cd", "rad")
_N = len(AXES)
Dim = tuple  # one exponent (int, or Fraction for roots) per axis of AXES

NONE: Dim = (0,) * _N


def _d(L=0, M=0, T=0, I=0, K=0, N=0, J=0, A=0) -> Dim:
    return (L, M, T, I, K, N, J, A)


def _mul(a: Dim, b: Dim, power=1) -> Dim:
    return tuple(_norm(x + y * power) for x, y in zip(a, b))


def _norm(x):
    return int(x) if isinstance(x, Fraction) and x.denominator == 1 else x


LENGTH, MASS, TIME, CURRENT, TEMPERATURE = _d(L=1), _d(M=1), _d(T=1), _d(I=1), _d(K=1)
ANGLE, ENERGY = _d(A=1), _d(L=2, M=1, T=-2)
PRESSURE, POWER = _d(L=-1, M=1, T=-2), _d(L=2, M=1, T=-3)
CHARGE, VOLTAGE = _d(T=1, I=1), _d(L=2, M=1, T=-3, I=-1)

# --- the units: symbol -> dimension. Symbols are case-sensitive (ms is not Ms). ---------------
# Those in _PREFIXABLE take SI prefixes (km, µs, keV, mbar, mdeg); the others are read only as
# written, so that ``min`` stays a minute and ``ft`` a foot.
_PREFIXABLE: dict[str, Dim] = {
    "m": LENGTH, "g": MASS, "s": TIME, "A": CURRENT, "K": TEMPERATURE, "mol": _d(N=1),
    "cd": _d(J=1), "rad": ANGLE, "sr": _d(A=2), "Hz": _d(T=-1), "N": _d(L=1, M=1, T=-2),
    "Pa": PRESSURE, "J": ENERGY, "W": POWER, "C": CHARGE, "V": VOLTAGE,
    "F": _d(L=-2, M=-1, T=4, I=2), "Ω": _d(L=2, M=1, T=-3, I=-2), "\u2126": _d(L=2, M=1, T=-3, I=-2),
    "ohm": _d(L=2, M=1, T=-3, I=-2), "Ohm": _d(L=2, M=1, T=-3, I=-2),
    "S": _d(L=-2, M=-1, T=3, I=2), "Wb": _d(L=2, M=1, T=-2, I=-1), "T": _d(M=1, T=-2, I=-1),
    "H": _d(L=2, M=1, T=-2, I=-2), "lm": _d(J=1, A=2), "lx": _d(L=-2, J=1, A=2),
    "Bq": _d(T=-1), "Gy": _d(L=2, T=-2), "Sv": _d(L=2, T=-2), "kat": _d(N=1, T=-1),
    "eV": ENERGY, "L": _d(L=3), "l": _d(L=3), "bar": PRESSURE, "b": _d(L=2), "barn": _d(L=2),
    "Da": MASS, "erg": ENERGY, "cal": ENERGY, "B": NONE, "bit": NONE, "Torr": PRESSURE,
    "torr": PRESSURE, "Ci": _d(T=-1), "deg": ANGLE, "sec": TIME, "G": _d(M=1, T=-2, I=-1),
    "Oe": _d(L=-1, I=1), "M": _d(L=-3, N=1), "Ry": ENERGY, "dB": NONE, "Ah": CHARGE,
}
_PLAIN: dict[str, Dim] = {
    "°": ANGLE, "Å": LENGTH, "\u212b": LENGTH, "°C": TEMPERATURE, "°F": TEMPERATURE,
    "℃": TEMPERATURE, "℉": TEMPERATURE, "degC": TEMPERATURE, "degF": TEMPERATURE,
    "deg_C": TEMPERATURE, "deg_F": TEMPERATURE, "u": MASS, "amu": MASS, "t": MASS,
    "min": TIME, "h": TIME, "hr": TIME, "d": TIME, "a": TIME, "yr": TIME,
    "in": LENGTH, "inch": LENGTH, "ft": LENGTH, "mil": LENGTH, "mi": LENGTH, "yd": LENGTH,
    "psi": PRESSURE, "atm": PRESSURE, "mmHg": PRESSURE, "Eh": ENERGY, "Hartree": ENERGY,
    "%": NONE, "ppm": NONE, "ppb": NONE, "cc": _d(L=3), "lb": MASS, "oz": MASS,
    "arcmin": ANGLE, "arcsec": ANGLE, "mas": ANGLE, "grad": ANGLE, "gon": ANGLE, "rev": ANGLE,
    "rpm": _d(T=-1, A=1), "cps": _d(T=-1), "dBm": POWER, "e": CHARGE, "KeV": ENERGY,
    # counted things: NeXus counts are plain numbers (pint has no photon, reads ct as a carat)
    "ct": NONE, "cnt": NONE, "px": NONE, "pix": NONE, "ph": NONE, "ADU": NONE, "adu": NONE,
    "db": NONE,  # decibel as NXoptical_fiber writes it; pint reads a decibarn
}
# Names, matched without regard to case, with prefix names (millimetre) and plurals (meters).
_NAMES: dict[str, Dim] = {
    "meter": LENGTH, "metre": LENGTH, "gram": MASS, "second": TIME, "ampere": CURRENT,
    "amp": CURRENT, "kelvin": TEMPERATURE, "mole": _d(N=1), "candela": _d(J=1),
    "radian": ANGLE, "steradian": _d(A=2), "hertz": _d(T=-1), "newton": _d(L=1, M=1, T=-2),
    "pascal": PRESSURE, "joule": ENERGY, "watt": POWER, "coulomb": CHARGE, "volt": VOLTAGE,
    "farad": _d(L=-2, M=-1, T=4, I=2), "siemens": _d(L=-2, M=-1, T=3, I=2),
    "weber": _d(L=2, M=1, T=-2, I=-1), "tesla": _d(M=1, T=-2, I=-1),
    "henry": _d(L=2, M=1, T=-2, I=-2), "lumen": _d(J=1, A=2), "lux": _d(L=-2, J=1, A=2),
    "becquerel": _d(T=-1), "gray": _d(L=2, T=-2), "sievert": _d(L=2, T=-2),
    "katal": _d(N=1, T=-1), "electronvolt": ENERGY, "electron_volt": ENERGY, "liter": _d(L=3),
    "litre": _d(L=3), "bar": PRESSURE, "barn": _d(L=2), "dalton": MASS, "tonne": MASS,
    "calorie": ENERGY, "byte": NONE, "bit": NONE, "torr": PRESSURE, "curie": _d(T=-1),
    "degree": ANGLE, "arc_degree": ANGLE, "angular_degree": ANGLE, "arcdeg": ANGLE,
    "arcminute": ANGLE, "arc_minute": ANGLE, "arcsecond": ANGLE, "arc_second": ANGLE,
    "minute": TIME, "hour": TIME, "day": TIME, "week": TIME, "year": TIME, "angstrom": LENGTH,
    "ångström": LENGTH, "micron": LENGTH, "foot": LENGTH, "feet": LENGTH, "mile": LENGTH,
    "yard": LENGTH, "percent": NONE, "count": NONE, "photon": NONE, "pixel": NONE,
    "event": NONE, "gauss": _d(M=1, T=-2, I=-1), "oersted": _d(L=-1, I=1), "rydberg": ENERGY,
    "hartree": ENERGY, "atmosphere": PRESSURE, "celsius": TEMPERATURE,
    "degree_celsius": TEMPERATURE, "degrees_celsius": TEMPERATURE,
    "fahrenheit": TEMPERATURE, "degree_fahrenheit": TEMPERATURE,
    "degrees_fahrenheit": TEMPERATURE, "revolution": ANGLE, "turn": ANGLE, "molar": _d(L=-3, N=1),
    "unified_atomic_mass_unit": MASS, "atomic_mass_unit": MASS, "inch": LENGTH, "inches": LENGTH,
    "ohm": _d(L=2, M=1, T=-3, I=-2), "decibel": NONE, "bel": NONE, "metric_ton": MASS,
    "astronomical_unit": LENGTH, "are": _d(L=2), "hectare": _d(L=2), "rem": _d(L=2, T=-2),
    # counted things, read as plain numbers: MCA channels (keV/channel), scan steps
    "channel": NONE, "step": NONE,
}
# Abbreviations that take a plural s as facilities write them: mins, hrs, secs, cts, bars.
_PLURAL_SYMBOLS = frozenset({"min", "hr", "sec", "deg", "ct", "cnt", "bar", "barn", "px", "yr",
                             "rev", "ADU", "adu", "mbar"})

_PREFIXES = {
    "Q": 30, "R": 27, "Y": 24, "Z": 21, "E": 18, "P": 15, "T": 12, "G": 9, "M": 6, "k": 3,
    "h": 2, "da": 1, "d": -1, "c": -2, "m": -3, "u": -6, "µ": -6, "μ": -6, "n": -9, "p": -12,
    "f": -15, "a": -18, "z": -21, "y": -24, "r": -27, "q": -30,
    "Ki": 0, "Mi": 0, "Gi": 0, "Ti": 0,  # binary prefixes, for bytes
}
_PREFIX_NAMES = ("quetta", "ronna", "yotta", "zetta", "exa", "peta", "tera", "giga", "mega",
                 "kilo", "hecto", "deka", "deca", "deci", "centi", "milli", "micro", "nano",
                 "pico", "femto", "atto", "zepto", "yocto", "ronto", "quecto")

# Symbols with a second reading that a category may call for: ``1/A`` on a wavenumber is in
# ångström, ``C`` on a temperature is Celsius. The first reading is the standard one.
_ALTERNATIVE = {"A": LENGTH, "C": TEMPERATURE, "F": TEMPERATURE}

# Whole strings no grammar reads right: labels for a plain number (a.u. is amu·year to pint),
# and a temperature written with a space (deg C would be degree·coulomb).
_WHOLE = {s.lower(): NONE for s in (
    "a.u.", "a.u", "a. u.", "arb", "arb.", "arb. u.", "arb.u.", "arb. units", "arb.units",
    "arb units", "arbitrary", "arbitrary unit", "arbitrary units", "r.l.u.", "rlu", "r.l.u",
    "counts", "dimensionless")}
_WHOLE.update({s: TEMPERATURE for s in ("deg c", "deg. c", "° c", "deg f", "deg. f", "° f")})
# What says "no unit at all" (NX_UNITLESS takes these and nothing else).
_NO_UNIT = frozenset({"", "none", "unitless", "n/a", "-"})

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>°[^\W\d⁰¹²³⁴⁵⁶⁷⁸⁹]*|[%℃℉]|[^\W\d⁰¹²³⁴⁵⁶⁷⁸⁹]+)
  | (?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+)
  | (?P<pow>\*\*|\^)
  | (?P<mul>[*·×⋅.])
  | (?P<div>/)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<sign>[-+])
""", re.VERBOSE)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a unit string says: its dimension (None if it cannot be read, with ``error``
    saying why), other dimensions an ambiguous symbol allows (``A`` as ångström), and whether
    it is no unit at all (``""``, ``none``)."""

    text: str
    dimension: Dim | None
    alternatives: tuple[Dim, ...] = ()
    error: str | None = None
    empty: bool = False

    @property
    def dimensions(self) -> tuple[Dim, ...]:
        """Every dimension the string may stand for, the standard reading first."""
        if self.dimension is None:
            return ()
        return (self.dimension,) + self.alternatives


class _Unreadable(NxschemaError):  # internal: never leaves read_units
    pass


_LONGEST = 80  # characters; the longest real unit in the corpus has 24


@lru_cache(maxsize=4096)
def read_units(text: str) -> Reading:
    """Read a unit string (cached). Never raises: an unreadable string gives a Reading whose
    ``dimension`` is None and whose ``error`` says which part could not be read."""
    stripped = text.strip()
    if len(stripped) > _LONGEST:  # a sentence or hostile input, never a unit; bounds the parse
        return Reading(text, None, error=f"{len(stripped)} characters is too long for a unit")
    if stripped.lower() in _NO_UNIT:
        return Reading(text, NONE, empty=True)
    whole = _WHOLE.get(stripped.lower())
    if whole is not None:
        return Reading(text, whole)
    if stripped.isalpha():  # one word (mm, keV, deg): most units, no grammar needed
        dim = _unit(stripped)
        if dim is None:
            return Reading(text, None, error=f"{stripped!r} is not a known unit")
        other = _ALTERNATIVE.get(stripped)
        return Reading(text, dim, (other,) if other is not None and other != dim else ())
    try:
        tokens = _tokens(stripped)
        used: set[str] = set()
        dim = _Parser(tokens, used, False).parse()
        alternatives: tuple[Dim, ...] = ()
        if used:
            alt = _Parser(tokens, set(), True).parse()
            if alt != dim:
                alternatives = (alt,)
    except _Unreadable as exc:
        return Reading(text, None, error=str(exc))
    except (ZeroDivisionError, RecursionError):  # m^(1/0); nesting beyond the stack
        return Reading(text, None, error="not a unit expression")
    return Reading(text, dim, alternatives)


def dimension_of(text: str) -> Dim | None:
    """The dimension of ``text`` in its standard reading, or None if it cannot be read."""
    return read_units(text).dimension


def _tokens(text: str) -> list[tuple[str, str, bool]]:
    """(kind, text, preceded by a space) triples; whitespace itself is dropped."""
    out: list[tuple[str, str, bool]] = []
    pos, spaced = 0, False
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise _Unreadable(f"{text[pos]!r} is not part of a unit")
        kind = match.lastgroup
        if kind == "space":
            spaced = True
        elif kind == "mul" and match.group() == "." and (
                match.end() == len(text) or text[match.end()].isspace()):
            pass  # an abbreviation's full stop (sec., arb. units), not a product
        else:
            out.append((kind or "", match.group(), spaced))
            spaced = False
        pos = match.end()
    return out


class _Parser:
    """expr := term (("*" | "/" | juxtaposition) term)*, left to right;
    term := factor (("^" | "**") exponent | an attached exponent: m2, s-1, m²)?;
    factor := unit | number | "(" expr ")"."""

    def __init__(self, tokens, used: set, alternative: bool):
        self.tokens, self.i, self.used, self.alternative = tokens, 0, used, alternative

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, "", False)

    def take(self):
        token = self.peek()
        self.i += 1
        return token

    def parse(self) -> Dim:
        if not self.tokens:
            return NONE
        dim = self.expr()
        if self.i < len(self.tokens):
            raise _Unreadable(f"unexpected {self.peek()[1]!r}")
        return dim

    def expr(self) -> Dim:
        dim = self.term()
        while True:
            kind, text, _ = self.peek()
            if kind == "mul":
                self.take()
                dim = _mul(dim, self.term())
            elif kind == "div" or (kind == "word" and text == "per"):
                self.take()
                dim = _mul(dim, self.term(), -1)
            elif kind in ("word", "num", "open"):  # juxtaposition: "nm rad", "kg m-3"
                dim = _mul(dim, self.term())
            else:
                return dim

    def term(self) -> Dim:
        dim, is_unit = self.factor()
        kind, text, spaced = self.peek()
        if kind == "pow":
            self.take()
            return _mul(NONE, dim, self.exponent())
        if kind == "sup":
            self.take()
            return _mul(NONE, dim, _number(text.translate(_SUPERSCRIPTS)))
        if is_unit and not spaced and kind in ("num", "sign"):
            # UDUNITS attaches exponents: m2, cm-1, s-1 (a sign must be followed by a digit)
            if kind == "sign":
                following = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
                if following is None or following[0] != "num" or following[2]:
                    return dim
                self.take()
                return _mul(NONE, dim, -_number(self.take()[1]) if text == "-" else
                            _number(self.take()[1]))
            self.take()
            return _mul(NONE, dim, _number(text))
        return dim

    def exponent(self):
        kind, text, _ = self.take()
        if kind == "sign":
            value = self.exponent()
            return -value if text == "-" else value
        if kind == "num":
            return _number(text)
        if kind == "open":
            value = self.exponent()
            if self.peek()[0] == "div":
                self.take()
                value = Fraction(value) / Fraction(self.exponent())
            if self.take()[0] != "close":
                raise _Unreadable("unclosed parenthesis in an exponent")
            return _norm(Fraction(value))
        raise _Unreadable(f"{text!r} is not an exponent" if text else "missing exponent")

    def factor(self) -> tuple[Dim, bool]:
        kind, text, _ = self.take()
        if kind == "num":
            return NONE, False
        if kind == "open":
            dim = self.expr()
            if self.take()[0] != "close":
                raise _Unreadable("unclosed parenthesis")
            return dim, True
        if kind == "word":
            if text == "sqrt" and self.peek()[0] == "open":
                dim, _ = self.factor()
                return _mul(NONE, dim, Fraction(1, 2)), True
            return self.unit(text), True
        raise _Unreadable(f"unexpected {text!r}" if text else "a unit is missing at the end")

    def unit(self, word: str) -> Dim:
        if word in _ALTERNATIVE:
            self.used.add(word)
            if self.alternative:
                return _ALTERNATIVE[word]
        dim = _unit(word)
        if dim is None:
            raise _Unreadable(f"{word!r} is not a known unit")
        return dim


def _number(text: str):
    """An exponent's value; small ones only (1e999999 would be a billion-digit integer)."""
    if len(text) > 8 or "e" in text.lower():
        raise _Unreadable(f"exponent {text!r} is out of range")
    return _norm(Fraction(text))


@lru_cache(maxsize=2048)
def _unit(word: str) -> Dim | None:
    """One unit word: a symbol, a prefixed symbol, a name (any case, prefixed, plural)."""
    dim = _symbol(word)
    if dim is not None:
        return dim
    dim = _name(word.lower())
    if dim is not None:
        return dim
    if word.endswith("s") and len(word) > 2:
        base = _symbol(word[:-1])
        if base is not None and (word[:-1] in _PLURAL_SYMBOLS or any(
                word[:-1] == p + s for p in _PREFIXES for s in _PLURAL_SYMBOLS)):
            return base
    return None


def _symbol(word: str) -> Dim | None:
    dim = _PLAIN.get(word) or _PREFIXABLE.get(word)
    if dim is not None:
        return dim
    for size in (2, 1):
        if len(word) > size and word[:size] in _PREFIXES:
            dim = _PREFIXABLE.get(word[size:])
            if dim is not None:
                return dim
    return None


def _name(word: str) -> Dim | None:
    for candidate in (word, word[:-1] if word.endswith("s") else None,
                      word[:-2] if word.endswith("es") else None):
        if not candidate:
            continue
        dim = _NAMES.get(candidate)
        if dim is not None:
            return dim
        for prefix in _PREFIX_NAMES:
            if candidate.startswith(prefix) and candidate[len(prefix):] in _NAMES:
                return _NAMES[candidate[len(prefix):]]
    return None


# --- naming a dimension in a message --------------------------------------------------------
_DESCRIPTIONS: dict[Dim, str] = {
    NONE: "a plain number", LENGTH: "a length", _d(L=2): "an area", _d(L=3): "a volume",
    _d(L=-1): "an inverse length", _d(L=-2): "an inverse area", TIME: "a time",
    _d(T=-1): "a frequency (1/time)", MASS: "a mass", ENERGY: "an energy", POWER: "a power",
    PRESSURE: "a pressure", CURRENT: "a current", CHARGE: "a charge", VOLTAGE: "a voltage",
    TEMPERATURE: "a temperature", ANGLE: "an angle", _d(A=2): "a solid angle",
    _d(N=1): "an amount of substance", _d(L=1, T=-1): "a velocity", _d(A=1, T=-1): "an angular velocity",
    _d(L=-3, M=1): "a mass density", _d(M=1, N=-1): "a molecular weight",
    _d(L=1, M=1, T=-2): "a force (or an energy per length)", _d(L=-2, T=-1): "a flux (1/(area·time))",
    _d(L=1, A=1): "an emittance (length·angle)", _d(M=1, T=-2, I=-1): "a magnetic flux density",
    _d(L=-1, I=1): "a magnetic field strength", _d(L=-3, N=1): "a concentration",
}


def describe(dim: Dim | None) -> str:
    """A short phrase for a dimension: 'an energy', 'a length', or its formula in SI symbols
    ('kg m^-1 s^-1') when it has no common name."""
    if dim is None:
        return "unreadable"
    name = _DESCRIPTIONS.get(dim)
    if name is not None:
        return name
    parts = [sym if e == 1 else f"{sym}^{e}" for sym, e in zip(_SYMBOLS, dim) if e]
    return " ".join(parts)


# --- the units categories --------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Category:
    """A NeXus units category: the dimensions it accepts and a few example units."""

    name: str
    accepts: tuple[Dim, ...]
    examples: str
    what: str  # the phrase for a message: "an energy"


def _c(name, what, examples, *accepts) -> Category:
    return Category(name, accepts, examples, what)


# Categories NeXus gives as aliases or unions are written out; where practice writes a unit the
# strict reading would refuse, the category takes it too and the note says why.
CATEGORIES: dict[str, Category] = {c.name: c for c in (
    _c("NX_ANGLE", "an angle", "deg, rad, mrad", ANGLE),
    _c("NX_AREA", "an area", "m^2, mm2, barn", _d(L=2)),
    _c("NX_CROSS_SECTION", "an area", "barn, m^2", _d(L=2)),
    _c("NX_CHARGE", "a charge", "C, pC", CHARGE),
    _c("NX_COUNT", "a plain number", "counts, 1", NONE),
    _c("NX_CURRENT", "a current", "A, mA", CURRENT),
    _c("NX_DIMENSIONLESS", "a plain number", "1, %, m/m", NONE),
    # length·angle; the radian is often left out (emittance in nm)
    _c("NX_EMITTANCE", "an emittance (length·angle)", "nm*rad, pm rad", _d(L=1, A=1), LENGTH),
    _c("NX_ENERGY", "an energy", "J, eV, keV", ENERGY),
    # per area and time; synchrotrons call photons/s a flux too
    _c("NX_FLUX", "a flux", "1/s/cm^2, ph/s/mm^2", _d(L=-2, T=-1), _d(T=-1)),
    _c("NX_FREQUENCY", "a frequency", "Hz, kHz", _d(T=-1)),
    _c("NX_LENGTH", "a length", "m, mm, angstrom", LENGTH),
    _c("NX_MASS", "a mass", "g, kg", MASS),
    _c("NX_MASS_DENSITY", "a mass density", "g/cm^3, kg m-3", _d(L=-3, M=1)),
    # g/mol, or the mass of one molecule (Da)
    _c("NX_MOLECULAR_WEIGHT", "a molecular weight", "g/mol, Da", _d(M=1, N=-1), MASS),
    _c("NX_PER_AREA", "an inverse area", "1/m^2, nm^-2", _d(L=-2)),
    _c("NX_PER_LENGTH", "an inverse length", "1/m, 1/angstrom", _d(L=-1)),
    _c("NX_PERIOD", "a time", "s, us", TIME),
    _c("NX_POWER", "a power", "W, mW", POWER),
    _c("NX_PRESSURE", "a pressure", "Pa, mbar, Torr", PRESSURE),
    _c("NX_PULSES", "a plain number", "counts", NONE),
    _c("NX_SCATTERING_LENGTH_DENSITY", "an inverse area", "m/m^3, 1/angstrom^2", _d(L=-2)),
    _c("NX_SOLID_ANGLE", "a solid angle", "sr, msr", _d(A=2)),
    _c("NX_TEMPERATURE", "a temperature", "K, degC", TEMPERATURE),
    _c("NX_TIME", "a time", "s, ms", TIME),
    _c("NX_TIME_OF_FLIGHT", "a time", "s, us", TIME),
    _c("NX_VOLTAGE", "a voltage", "V, kV", VOLTAGE),
    _c("NX_VOLUME", "a volume", "m^3, cm3, mL", _d(L=3)),
    _c("NX_WAVELENGTH", "a length", "angstrom, nm", LENGTH),
    _c("NX_WAVENUMBER", "an inverse length", "1/nm, 1/angstrom", _d(L=-1)),
)}
# NX_TRANSFORMATION by @transformation_type; without one, any of length, angle or no unit.
_TRANSFORMATION = {
    "translation": CATEGORIES["NX_LENGTH"], "rotation": CATEGORIES["NX_ANGLE"],
    None: Category("NX_TRANSFORMATION", (LENGTH, ANGLE, NONE), "mm, deg",
                   "a length, an angle or no unit"),
}


@lru_cache(maxsize=4096)
def category_problem(category: str, units: str,
                     transformation_type: str | None = None) -> str | None:
    """Why ``units`` do not fit ``category`` (an ``NX_...`` category, or literal units such as
    ``eV/mm`` that any unit of the same dimension fits), or None when they do. Cached.

    ``transformation_type`` (``@transformation_type``) decides ``NX_TRANSFORMATION``:
    translation asks for a length, rotation for an angle. An unknown ``NX_`` category is not
    judged here (the definition lint reports it)."""
    if not category.startswith("NX_") and units.strip() == category.strip():
        return None  # literal units written as the definition writes them
    reading = read_units(units)
    if category == "NX_UNITLESS":
        if reading.empty:
            return None
        return (f"units {units!r} where NX_UNITLESS asks for none (it is a number without "
                "units, such as hkl): leave @units out")
    if reading.dimension is None:
        return f"units {units!r} cannot be read ({reading.error}); {_wanted(category)} expected"
    if category == "NX_ANY":
        return None
    if category == "NX_TRANSFORMATION":
        kind = transformation_type.strip().lower() if isinstance(transformation_type, str) \
            else None
        union = _TRANSFORMATION.get(kind, _TRANSFORMATION[None])
        if _fits(reading, union.accepts):
            return None
        because = f" for a {kind} (@transformation_type)" if kind in _TRANSFORMATION else ""
        return (f"units {units!r} are {describe(reading.dimension)}, {union.what} expected"
                f"{because}, e.g. {union.examples}")
    spec = CATEGORIES.get(category)
    if spec is None:
        if category.startswith("NX_"):
            return None
        wanted = read_units(category)
        if wanted.dimension is None:  # literal units no grammar reads: the string must match
            return None if units.strip() == category.strip() else \
                f"units {units!r}, {category!r} expected"
        if reading.empty and not wanted.empty:
            return f"empty units, {category!r} ({describe(wanted.dimension)}) expected"
        if any(d in wanted.dimensions for d in reading.dimensions):
            return None
        return (f"units {units!r} are {describe(reading.dimension)}, {category!r} "
                f"({describe(wanted.dimension)}) expected")
    if reading.empty and NONE not in spec.accepts:
        return f"empty units where {category} asks for {spec.what}, e.g. {spec.examples}"
    if _fits(reading, spec.accepts):
        return None
    return (f"units {units!r} are {describe(reading.dimension)}, not {spec.what} as "
            f"{category} asks, e.g. {spec.examples}")


def _fits(reading: Reading, accepts) -> bool:
    if reading.dimension in accepts:
        return True
    # The second reading of an ambiguous symbol serves only where the first cannot: 1/A on a
    # wavenumber is 1/ångström, C on a temperature is Celsius.
    return any(d in accepts for d in reading.alternatives)


def fits(category: str, units: str, transformation_type: str | None = None) -> bool:
    """True when ``units`` fit ``category`` (see :func:`category_problem`)."""
    return category_problem(category, units, transformation_type) is None


def _wanted(category: str) -> str:
    spec = CATEGORIES.get(category)
    if spec is not None:
        return f"{spec.what} ({category})"
    if category == "NX_TRANSFORMATION":
        return "a length or an angle (NX_TRANSFORMATION)"
    return "a unit (NX_ANY)" if category == "NX_ANY" else repr(category)
