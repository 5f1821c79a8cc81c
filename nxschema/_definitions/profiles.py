"""Lint profiles: which definition findings are warnings for ``nxschema check --profile``.

A profile changes the severity of findings by code; errors (what cannot be read, or means
nothing) are never lowered. docs/profiles.md lists every code a profile changes, and why.

* ``default``: severities as in the code catalogue (nxschema/_codes.py).
* ``niac``: what the official NIAC definitions do on purpose is information, not a warning, so
  a definitions repository can run ``nxschema check --profile niac --fail-on warning`` in CI.
* ``strict``: every finding is at least a warning (informational ones included).
"""

from __future__ import annotations

from dataclasses import replace

from nxschema._findings import Finding

NAMES = ("default", "niac", "strict")

# code -> (severity under niac, why the official definitions do it on purpose)
NIAC_ACCEPTS: dict[str, tuple[str, str]] = {
    "undeclared-symbol": (
        "info",
        ("NXDL's <symbols> table is documentation: nxdl.xsd does not require a dimension name to "
        "be declared, and the official files name axis lengths (n_i, n_j, nP...) that only the "
        "doc explains, or that a base class declares for the application that uses it.")),
    "undeclared-link-target": (
        "info",
        ("base classes are open (any field may be added to a group), so a link may target a "
        "field that no base class on the path declares; NXxnb links to NXdetector/tilt.")),
}


def apply(findings: list[Finding], profile: str) -> list[Finding]:
    """``findings`` with the severities of ``profile`` (a new list; findings are frozen)."""
    if profile == "niac":
        return [replace(f, severity=NIAC_ACCEPTS[f.code][0])
                if f.code in NIAC_ACCEPTS and f.severity == "warning" else f for f in findings]
    if profile == "strict":
        return [replace(f, severity="warning") if f.severity == "info" else f for f in findings]
    return list(findings)
