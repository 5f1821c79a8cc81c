"""Units by dimensional analysis (nxschema/_units.py), with pint as the oracle.

Every spelling in tests/data/units_corpus.txt (NeXus, the real files' writers, UDUNITS-2) and
every unit the official NXDL writes must get pint's dimension from us, or be listed below with
the reason we differ. Then the categories: what fits NX_ENERGY, NX_TRANSFORMATION by
@transformation_type, NX_UNITLESS, literal units; and the same through a validation run.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import h5py
import pytest

import nxschema
from nxschema._units import CATEGORIES, category_problem, describe, read_units
from nxschema._validate.values import units_problem
from nxschema._vocabulary import UNITS_CATEGORIES
from nxschema._write.nodes import EXAMPLE_UNITS

pint = pytest.importorskip("pint")

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "data" / "units_corpus.txt"
NXDL = HERE.parents[0].parent / "shared" / "nxdl"
NS = "{http://definition.nexusformat.org/nxdl/3.1}"

# --- the listed differences from pint, by reason ---------------------------------------------
_REASONS = {
    "pint has no such unit: NeXus counts, photons, events, channels, steps and ADUs are plain "
    "numbers (NX_COUNT); pint reads ct/cts as a carat, ph as a picohour, px as a CSS pixel "
    "length and pixel as its own [printing_unit]":
        "cts ct cnt cnts ADU adu photons photon events event channel channels pixels "
        "pixel px photons/s ph/s counts/channel keV/channel eV/channel s/step photons/s/mm^2 "
        "ph/s/mm2",
    "labels for a plain number that pint does not read (it reads a.u. as amu·year)":
        "a.u.|arb|arb.u.|arb.units|arb. units|arbitrary|arbitrary units|arbitrary unit|rlu|"
        "r.l.u.|none|-",
    "names pint spells only in lower case, or not at all; we match names in any case":
        "Celsius Kelvin Angstrom Angstroms 1/Angstrom Ohm kOhm MOhm mOhm Torr mTorr deg_C "
        "arc_degree atomic_mass_unit ppb KeV",
    "decibel: NXoptical_fiber writes 'db' and 'dB/km' for an attenuation; pint reads db as a "
    "decibarn and has no dB/km":
        "db dB/km",
    "magnetism in SI (tesla, A/m), not pint's Gaussian-CGS half powers":
        "G gauss Oe kOe",
    "ambiguous, refused: 'au' is pint's astronomical unit and a facility's a.u.; 'gal' is a "
    "gallon to pint and a galileo (cm/s^2) to UDUNITS. Neither is a NeXus unit":
        "au gal",
}
# Spellings are separated by spaces, or by '|' where a spelling holds a space.
DIFFERENT = {s: reason for reason, words in _REASONS.items()
             for s in (words.split("|") if "|" in words else words.split())}
# Neither we nor pint read these: they are not units, and validation says so.
NOT_UNITS = {
    "2th_deg": "pyFAI's radial-unit name (written into @units by pyFAI 2026.9)",
    "q_nm^-1": "pyFAI's radial-unit name", "q_A^-1": "pyFAI's radial-unit name",
    "r_mm": "pyFAI's radial-unit name", "chi_deg": "pyFAI's azimuthal-unit name",
    "relative to the PONI position": "a sentence pyFAI writes into NXmonitor/integral@units",
    "e-": "electrons as a particle name", "sccm": "a gas flow no registry defines",
}

_PINT_AXES = ("[length]", "[mass]", "[time]", "[current]", "[temperature]", "[substance]",
              "[luminosity]")
_UREG = pint.UnitRegistry()


def _pint(text: str):
    """pint's dimension over the 7 SI axes, 'other' for a dimension outside SI, None if it
    cannot read the string. pint reads no UDUNITS attached exponents: m2, s-1 become m^2, s^-1
    first."""
    spelled = re.sub(r"(?<=[A-Za-zÅ])(-?\d+)(?![\d.])", r"^\1", text)
    try:
        dim = _UREG.parse_units(spelled).dimensionality if spelled.strip() else {}
    except Exception:  # noqa: BLE001 - any pint failure means "pint cannot read it"
        return None
    if set(dim) - set(_PINT_AXES):
        return "other"
    return tuple(float(dim.get(axis, 0)) for axis in _PINT_AXES)


def _ours(text: str):
    """Our dimension over the same axes: the angle pseudo-axis is dropped (SI and pint count
    the radian as 1)."""
    dim = read_units(text).dimension
    return None if dim is None else tuple(float(x) for x in dim[:7])


def _corpus() -> list[str]:
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return list(dict.fromkeys(line for line in lines if line.strip() and not line.startswith("#")))


def test_the_corpus_holds_at_least_300_spellings():
    corpus = _corpus()
    assert len(corpus) >= 300
    assert {"μm", "µm", "bars", "J/mm", "keV/mm", "1/A", "a.u."} <= set(corpus)


@pytest.mark.parametrize("text", _corpus())
def test_our_dimension_is_pints_or_the_difference_is_listed(text):
    ours, theirs = _ours(text), _pint(text)
    if text in NOT_UNITS:
        assert ours is None and read_units(text).error
        return
    if text in DIFFERENT:
        assert ours != theirs, f"{text!r} agrees with pint: unlist it"
        return
    assert ours is not None, read_units(text).error
    assert ours == theirs, f"{text!r}: ours {ours}, pint {theirs}"


def test_every_listed_difference_is_in_the_corpus():
    corpus = set(_corpus())
    assert set(DIFFERENT) - corpus == set()
    assert set(NOT_UNITS) - corpus == set()


def _nxdl_units() -> set[str]:
    """Every unit string the official NXDL writes: units="..." literals, the items of
    @units enumerations, and the <example> units of nxdlTypes.xsd."""
    found = set()
    for path in NXDL.rglob("*.nxdl.xml"):
        root = ET.parse(path).getroot()
        for element in root.iter():
            units = element.get("units")
            if units and not units.startswith("NX_"):
                found.add(units)
            if element.tag == NS + "attribute" and element.get("name") == "units":
                for item in element.iter(NS + "item"):
                    value = item.get("value")
                    if value and not value.startswith("NX_") and value != "''":
                        found.add(value)
    types = (NXDL / "nxdlTypes.xsd").read_text(encoding="utf-8")
    found |= {u for u in re.findall(r'name="example">([^<]*)<', types) if u != '""'}
    return found


@pytest.mark.skipif(not NXDL.is_dir(), reason=f"no official NXDL at {NXDL}")
def test_every_unit_of_the_official_nxdl_is_in_the_corpus():
    units = _nxdl_units()
    assert len(units) > 40  # the examples, literals and enumerations of v2026.01
    assert units - set(_corpus()) == set()


@pytest.mark.skipif(not NXDL.is_dir(), reason=f"no official NXDL at {NXDL}")
def test_every_units_category_of_the_nxdl_types_is_judged():
    types = (NXDL / "nxdlTypes.xsd").read_text(encoding="utf-8")
    declared = set(re.findall(r'<xs:simpleType name="(NX_[A-Z_]+)"', types))
    categories = declared & UNITS_CATEGORIES
    assert categories == UNITS_CATEGORIES
    special = {"NX_ANY", "NX_UNITLESS", "NX_TRANSFORMATION"}
    assert categories - special == set(CATEGORIES)


# --- reading -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["μm", "µm", "um", "micrometre", "micron", "1e-6 m"])
def test_micrometres_with_either_micro_sign(text):
    assert units_problem("NX_LENGTH", text) is None
    assert describe(read_units(text).dimension) == "a length"


@pytest.mark.parametrize("text, same", [
    ("bars", "bar"), ("mbars", "mbar"), ("seconds", "s"), ("degrees", "deg"), ("counts", "1"),
    ("kg m-3", "kg/m^3"), ("m.s-1", "m/s"), ("m s-1", "m/s"), ("m**2", "m^2"), ("m²", "m2"),
    ("s⁻¹", "1/s"), ("1/s/cm^2", "s^-1 cm^-2"), ("A/cm*sr", "A sr/cm"), ("J·s", "J*s"),
    ("1/(angstrom^2*s)", "Å^-2/s"), ("kiloelectronvolts", "keV"), ("°C", "degC"),
    ("m^(-1)", "cm-1"), ("V/sqrt(Hz)", "V Hz^-0.5"), ("counts per second", "cps"),
])
def test_spellings_of_one_dimension(text, same):
    assert read_units(text).dimension == read_units(same).dimension is not None


def test_unreadable_units_say_which_part():
    reading = read_units("2th_deg")
    assert reading.dimension is None and "'th_deg' is not a known unit" in reading.error
    assert "unclosed parenthesis" in read_units("1/(m*s").error
    assert "unexpected" in read_units("m/").error or "missing" in read_units("m/").error


def test_readings_are_cached():
    assert read_units("keV/mm") is read_units("keV/mm")


# --- categories --------------------------------------------------------------------------------

def test_energy_per_length_where_the_definition_says_so():
    """NXDL writes units="eV/mm" (a literal): any unit of that dimension fits."""
    for text in ("J/mm", "keV/mm", "eV/mm", "MeV/m"):
        assert units_problem("eV/mm", text) is None, text
    problem = units_problem("eV/mm", "keV")
    assert problem and "'keV' are an energy" in problem and "'eV/mm'" in problem


def test_a_rotation_in_metres_warns():
    problem = units_problem("NX_TRANSFORMATION", "m", transformation_type="rotation")
    assert problem and "a length" in problem and "an angle expected for a rotation" in problem
    assert units_problem("NX_TRANSFORMATION", "deg", transformation_type="rotation") is None
    assert units_problem("NX_TRANSFORMATION", "mrad", transformation_type="Rotation") is None
    assert "a length expected for a translation" in units_problem(
        "NX_TRANSFORMATION", "deg", transformation_type="translation")
    # No @transformation_type: a length, an angle or no unit, as nxdlTypes.xsd says.
    for text in ("mm", "deg", ""):
        assert units_problem("NX_TRANSFORMATION", text) is None
    assert units_problem("NX_TRANSFORMATION", "keV")


def test_millimetres_on_an_nx_unitless_field_warn():
    problem = units_problem("NX_UNITLESS", "mm")
    assert problem and "NX_UNITLESS asks for none" in problem
    assert units_problem("NX_UNITLESS", "") is None
    assert units_problem("NX_UNITLESS", "counts")  # a plain number is still a unit given


@pytest.mark.parametrize("category, good, bad", [
    ("NX_ENERGY", ["J", "keV", "eV", "meV", "Ry", "kJ", "electronvolt"], ["mm", "K", "1/cm"]),
    ("NX_PER_LENGTH", ["1/m", "nm^-1", "1/A", "cm-1"], ["m", "1/s"]),
    ("NX_WAVENUMBER", ["1/angstrom", "1/Å", "Å^-1", "1/A"], ["angstrom"]),
    ("NX_ANGLE", ["deg", "rad", "mrad", "µrad", "°", "degrees"], ["mm", "counts", "2th_deg"]),
    ("NX_COUNT", ["counts", "", "1", "cts"], ["s", "deg"]),
    ("NX_DIMENSIONLESS", ["", "1", "%", "m/m", "a.u."], ["mm", "deg"]),
    ("NX_ANY", ["mm", "a.u.", "", "GB/s"], ["relative to the PONI position"]),
    ("NX_TEMPERATURE", ["K", "degC", "°C", "celsius", "C", "mK"], ["mm", "eV"]),
    ("NX_PRESSURE", ["Pa", "bar", "bars", "mbar", "Torr", "mTorr", "psi"], ["mm"]),
    ("NX_TIME", ["s", "ms", "µs", "min", "hrs"], ["Hz"]),
    ("NX_FREQUENCY", ["Hz", "kHz", "1/s"], ["s"]),
    ("NX_LENGTH", ["m", "mm", "Å", "A", "inch", "micron"], ["", "deg", "mA"]),
    ("NX_VOLUME", ["m^3", "cm3", "mL", "L"], ["m^2"]),
    ("NX_AREA", ["m^2", "mm2", "barn", "barns"], ["m"]),
    ("NX_FLUX", ["1/s/cm^2", "ph/s/mm^2", "photons/s"], ["s"]),
    ("NX_EMITTANCE", ["nm*rad", "pm rad", "nm"], ["rad"]),
    ("NX_SOLID_ANGLE", ["sr", "msr"], ["rad"]),
    ("NX_MASS_DENSITY", ["g/cm^3", "kg m-3"], ["g"]),
    ("NX_MOLECULAR_WEIGHT", ["g/mol", "Da"], ["mol"]),
    ("NX_SCATTERING_LENGTH_DENSITY", ["m/m^3", "1/angstrom^2", "cm^-2"], ["1/m"]),
    ("NX_VOLTAGE", ["V", "kV"], ["A"]),
    ("NX_CURRENT", ["A", "mA"], ["V"]),
    ("NX_CHARGE", ["C", "pC", "mAh"], ["A"]),
    ("NX_POWER", ["W", "mW", "dBm"], ["J"]),
])
def test_what_each_category_accepts(category, good, bad):
    for text in good:
        assert units_problem(category, text) is None, (category, text)
    for text in bad:
        assert units_problem(category, text), (category, text)


def test_an_ambiguous_symbol_takes_its_second_reading_only_where_the_first_cannot_fit():
    assert units_problem("NX_CURRENT", "A") is None  # ampere
    assert units_problem("NX_WAVELENGTH", "A") is None  # ångström
    assert units_problem("NX_CHARGE", "C") is None and units_problem("NX_TEMPERATURE", "C") is None
    assert units_problem("NX_ENERGY", "A")


def test_every_example_unit_the_writers_use_fits_its_category():
    for category, unit in EXAMPLE_UNITS.items():
        assert category_problem(category, unit) is None, (category, unit)


def test_messages_name_the_dimension_and_examples():
    assert units_problem("NX_ENERGY", "mm") == (
        "units 'mm' are a length, not an energy as NX_ENERGY asks, e.g. J, eV, keV")
    assert "cannot be read ('th_deg' is not a known unit); an angle (NX_ANGLE) expected" in \
        units_problem("NX_ANGLE", "2th_deg")
    assert units_problem("NX_LENGTH", "kg m^-1 s^-1").startswith(
        "units 'kg m^-1 s^-1' are m^-1 kg s^-1,")


def test_unknown_categories_and_unreadable_literals():
    assert units_problem("NX_PER_LENGHT", "1/nm") is None  # the definition lint reports it
    assert units_problem("furlongs per fortnight", "furlongs per fortnight") is None
    assert units_problem("furlongs per fortnight", "m/s") == \
        "units 'm/s', 'furlongs per fortnight' expected"
    assert units_problem(None, "mm") is None


# --- through validation ------------------------------------------------------------------------

DEMO = """\
name: NXunits_demo
category: application
placement: entry
doc: Units judged by dimension.
members:
  (NXentry):
    members:
      definition:
        enumeration: [NXunits_demo]
      (NXsample):
        members:
          (NXtransformations):
            members:
              phi: {type: NX_NUMBER, units: NX_TRANSFORMATION}
              x: {type: NX_NUMBER, units: NX_TRANSFORMATION}
              free: {type: NX_NUMBER, units: NX_TRANSFORMATION}
          hkl: {type: NX_NUMBER, units: NX_UNITLESS}
          ratio: {type: NX_NUMBER, units: NX_DIMENSIONLESS}
          stopping_power: {type: NX_FLOAT, units: eV/mm}
          size: {type: NX_FLOAT, units: NX_LENGTH}
          pressure: {type: NX_FLOAT, units: NX_PRESSURE}
"""


def _demo(tmp_path, units):
    yaml_path = tmp_path / "NXunits_demo.yaml"
    yaml_path.write_text(DEMO, encoding="utf-8")
    path = tmp_path / "demo.h5"
    with h5py.File(path, "w") as f:
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry["definition"] = "NXunits_demo"
        sample = entry.create_group("sample")
        sample.attrs["NX_class"] = "NXsample"
        axes = sample.create_group("transformations")
        axes.attrs["NX_class"] = "NXtransformations"
        for name, (unit, kind) in units.items():
            group = axes if name in ("phi", "x", "free") else sample
            dataset = group.create_dataset(name, data=1.0)
            if unit is not None:
                dataset.attrs["units"] = unit
            if kind:
                dataset.attrs["transformation_type"] = kind
    report = nxschema.validate(path, definitions=[yaml_path])
    return {f.path.rsplit("/", 1)[1]: f for f in report.findings if f.code.endswith("-units")}


def test_validation_judges_units_by_dimension(tmp_path):
    found = _demo(tmp_path, {
        "phi": ("m", "rotation"), "x": ("deg", "translation"), "free": ("mm", None),
        "hkl": ("mm", None), "ratio": ("mm", None), "stopping_power": ("J/mm", None),
        "size": ("μm", None), "pressure": ("bars", None)})
    # "free" has no @transformation_type: nxdlTypes allows mm, NXtransformations makes such an
    # axis NX_UNITLESS (a direction): a note, not a warning.
    assert found.pop("free").severity == "info"
    assert set(found) == {"phi", "x", "hkl", "ratio"}
    assert all(f.code == "implausible-units" and f.severity == "warning"
               for f in found.values())
    assert "for a rotation (@transformation_type)" in found["phi"].message
    assert "NX_UNITLESS asks for none" in found["hkl"].message


def test_validation_accepts_fitting_units_and_no_units_where_none_are_needed(tmp_path):
    found = _demo(tmp_path, {
        "phi": ("deg", "rotation"), "x": ("mm", "translation"), "free": (None, None),
        "hkl": (None, None), "ratio": (None, None), "stopping_power": ("keV/mm", None),
        "size": ("µm", None), "pressure": ("mbar", None)})
    assert set(found) == {"free"}  # NX_TRANSFORMATION wants @units; the other two do not
    assert found["free"].code == "missing-units"


@pytest.mark.parametrize("text", ["(" * 70 + "m" + ")" * 9, "m^1e999999999", "m" + "9" * 50,
                                  "x" * 10_000, "m^", "^2", "/", "m//s", "*m", "(", ")", "m^(1/0)",
                                  "\x00", "m\u202es"])
def test_hostile_units_never_raise(text):
    reading = read_units(text)
    assert reading.dimension is None and reading.error
    assert "cannot be read" in units_problem("NX_LENGTH", text)
