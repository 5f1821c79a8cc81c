"""The NeXus vocabulary the definition language checks names against.

These are names, not definitions: the NX types and units categories of nxdlTypes.xsd, and the
names of the NIAC base classes (v2026.01), so that a definition referring to a class we do not
ship (NXfilter, say) is not reported as a typo.
"""

from __future__ import annotations

import difflib

# What a field's values may refer to (``refers_to``): "files", paths of files.
REFERS_TO = ("files",)

NX_TYPES = frozenset(
    """
    NX_CHAR NX_CHAR_OR_NUMBER NX_NUMBER NX_FLOAT NX_INT NX_UINT NX_POSINT NX_BOOLEAN
    NX_DATE_TIME ISO8601 NX_BINARY NX_COMPLEX NX_CCOMPLEX NX_PCOMPLEX NX_QUATERNION
    """.split()
)

UNITS_CATEGORIES = frozenset(
    """
    NX_ANGLE NX_ANY NX_AREA NX_CROSS_SECTION NX_CHARGE NX_CURRENT NX_DIMENSIONLESS
    NX_EMITTANCE NX_ENERGY NX_FLUX NX_FREQUENCY NX_LENGTH NX_MASS NX_MASS_DENSITY
    NX_MOLECULAR_WEIGHT NX_PER_AREA NX_PER_LENGTH NX_PERIOD NX_POWER NX_PRESSURE NX_PULSES
    NX_COUNT NX_SCATTERING_LENGTH_DENSITY NX_SOLID_ANGLE NX_TEMPERATURE NX_TIME
    NX_TIME_OF_FLIGHT NX_TRANSFORMATION NX_UNITLESS NX_VOLTAGE NX_VOLUME NX_WAVELENGTH
    NX_WAVENUMBER
    """.split()
)

OFFICIAL_BASE_CLASSES = frozenset(
    """
    NXaberration NXactivity NXactuator NXamplifier NXaperture NXapm_charge_state_analysis
    NXapm_event_data NXapm_instrument NXapm_measurement NXapm_paraprobe_tool_common
    NXapm_paraprobe_tool_parameters NXapm_paraprobe_tool_process NXapm_ranging
    NXapm_reconstruction NXapm_simulation NXatom NXattenuator NXbeam NXbeam_splitter NXbeam_stop
    NXbeam_transfer_matrix_table NXbending_magnet NXcalibration NXcapillary NXcg_alpha_complex
    NXcg_cylinder NXcg_ellipsoid NXcg_face_list_data_structure NXcg_grid
    NXcg_half_edge_data_structure NXcg_hexahedron NXcg_parallelogram NXcg_point NXcg_polygon
    NXcg_polyhedron NXcg_polyline NXcg_primitive NXcg_roi NXcg_tetrahedron NXcg_triangle
    NXcg_unit_normal NXchemical_composition NXcircuit NXcite NXcollection NXcollectioncolumn
    NXcollimator NXcomponent NXcontainer NXcoordinate_system NXcorrector_cs NXcrystal
    NXcs_computer NXcs_filter_boolean_mask NXcs_memory NXcs_prng NXcs_processor NXcs_profiling
    NXcs_profiling_event NXcs_storage NXcsg NXcylindrical_geometry NXdata NXdeflector
    NXdelocalization NXdetector NXdetector_channel NXdetector_group NXdetector_module
    NXdisk_chopper NXdispersion NXdispersion_function NXdispersion_repeated_parameter
    NXdispersion_single_parameter NXdispersion_table NXdistortion NXebeam_column
    NXelectromagnetic_lens NXelectron_detector NXelectronanalyzer NXelectrostatic_kicker
    NXem_ebsd NXem_eds NXem_eels NXem_event_data NXem_img NXem_instrument
    NXem_interaction_volume NXem_measurement NXem_optical_system NXem_simulation
    NXenergydispersion NXentry NXenvironment NXevent_data NXfabrication NXfermi_chopper NXfilter
    NXfit NXfit_function NXflipper NXfresnel_zone_plate NXgeometry NXgrating NXguide NXhistory
    NXibeam_column NXimage NXinsertion_device NXinstrument NXisocontour NXlockin NXlog
    NXmagnetic_kicker NXmanipulator NXmatch_filter NXmicrostructure NXmicrostructure_feature
    NXmicrostructure_ipf NXmicrostructure_mtex_config NXmicrostructure_odf NXmicrostructure_pf
    NXmicrostructure_slip_system NXmirror NXmoderator NXmonitor NXmonochromator NXnote NXobject
    NXoff_geometry NXoptical_fiber NXoptical_lens NXoptical_polarizer NXoptical_window
    NXorientation NXparameters NXpdb NXpeak NXphase NXphase_lock_loop NXpid_controller NXpinhole
    NXpolarizer NXpositioner NXprocess NXprogram NXpump NXquadric NXquadrupole_magnet NXrcs
    NXreflections NXregion NXregistration NXresolution NXroi_process NXroot NXrotations NXsample
    NXsample_component NXscan_controller NXsensor NXseparator NXshape NXsimilarity_grouping
    NXslit NXsolenoid_magnet NXsolid_geometry NXsource NXspatial_filter NXspectrum
    NXspin_rotator NXspindispersion NXspm_bias_spectroscopy NXspm_cantilever
    NXspm_cantilever_config NXspm_cantilever_oscillator NXspm_piezo_config NXspm_piezo_sensor
    NXspm_piezoelectric_material NXspm_positioner NXspm_scan_control NXspm_scan_pattern
    NXspm_scan_region NXspm_temperature_sensor NXsubentry NXsubsampling_filter NXsubstance
    NXtextlog NXtransformations NXtranslation NXunit_cell NXuser NXvelocity_selector NXwaveplate
    NXxraylens
    """.split()
)

DOMAINS = ("acquisition", "user", "administrative", "analysis")
PLACEMENTS = ("entry", "subentry", "any")


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit`` when it is at least that."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)


def near_miss(word: str, choices, max_distance: int = 2) -> str:
    """A ' (did you mean X?)' suffix for a choice within a small edit distance (one edit for
    short words), or '': a distant "closest" name is no help (NXtechnical_data is not a typo of
    NXevent_data)."""
    allowed = 1 if len(word) < 8 else max_distance
    best, best_distance = None, allowed + 1
    for choice in sorted(choices):
        distance = edit_distance(word, choice, allowed + 1)
        if distance < best_distance:
            best, best_distance = choice, distance
    return f" (did you mean {best!r}?)" if best is not None else ""


def did_you_mean(word: str, choices) -> str:
    """A ' (did you mean X?)' suffix, or '' when nothing is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
