"""Builder and judge for the pynxtools reference cases (tests/test_binding_reference_cases.py).

``tests/data/pynxtools_cases.json`` (made by tests/reference/extract_pynxtools.py) holds the
content of the valid NXtest file pynxtools' tests write, and for each of its validation test
cases the difference from it and the messages pynxtools expects. Here:

- :func:`build` writes a case's file with h5py;
- :func:`expected` turns pynxtools' messages into problems ``(kind, path)``, or says why the
  case is not about file content;
- :func:`observed` turns nxschema's findings into problems of the same kinds;
- :func:`judge` compares the two.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

DATA = Path(__file__).parent / "data" / "pynxtools_cases.json"


def load_cases() -> tuple[dict, list[dict]]:
    """The valid file's nodes and the cases, as stored."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return data["base"], data["cases"]


def _value(enc: dict):
    if "str" in enc:
        return enc["str"]
    if "bytes" in enc:
        return np.bytes_(enc["bytes"].encode())
    if "strs" in enc:
        arr = np.array(enc["strs"], dtype=h5py.string_dtype())
        return arr.reshape(enc["shape"])
    if "fixed" in enc:
        arr = np.array([s.encode() for s in enc["fixed"]], dtype=f"S{enc['itemsize']}")
        return arr.reshape(enc["shape"])
    dtype = np.dtype(enc["dtype"])
    if dtype.kind == "c":
        arr = np.array([complex(r, i) for r, i in enc["data"]], dtype=dtype)
    else:
        arr = np.array(enc["data"], dtype=dtype)
    arr = arr.reshape(enc["shape"])
    return arr[()] if arr.shape == () else arr


def _write_node(f: h5py.File, path: str, node: dict) -> None:
    kind = node["kind"]
    if kind == "group":
        group = f.require_group(path) if path != "/" else f
        for name, enc in node["attrs"].items():
            group.attrs[name] = _value(enc)
    elif kind == "dataset":
        kwargs = {}
        if node.get("compression"):
            kwargs = {"compression": node["compression"], "chunks": True}
        value = _value(node["value"])
        if kwargs and np.ndim(value) == 0:
            kwargs = {}
        ds = f.create_dataset(path, data=value, **kwargs)
        for name, enc in node["attrs"].items():
            ds.attrs[name] = _value(enc)
    elif kind == "soft":
        f[path] = h5py.SoftLink(node["target"])
    elif kind == "external":
        f[path] = h5py.ExternalLink(node["file"], node["target"])


def build(base: dict, case: dict, folder: Path) -> Path:
    """Write the case's HDF5 file (and the files its external links point at) in ``folder``."""
    nodes = {p: n for p, n in base.items() if p not in case["remove"]}
    nodes.update(case["set"])
    name = re.sub(r"[^A-Za-z0-9_.+-]", "_", f"{case['test']}-{case['id']}")
    out = folder / f"{name}.nxs"
    # Parents before children: sorting the paths puts every group before what it holds.
    with h5py.File(out, "w", track_order=True) as f:
        for path in sorted(nodes, key=lambda p: (p.count("/") if p != "/" else 0, p)):
            _write_node(f, path, nodes[path])
    for file_name, objects in case.get("external", {}).items():
        if not objects:
            continue  # the case's point: the linked file does not exist
        with h5py.File(folder / file_name, "w") as ext:
            for path, node in objects.items():
                _write_node(ext, path, node)
    return out


# -- pynxtools' messages --------------------------------------------------------------------

#: Messages about pynxtools' template (the dict a reader fills), not about a file: what the
#: writer does with keys, compression requests, one instance name used for several concepts.
TEMPLATE_ONLY = (
    ("used for multiple different concepts", ("instance names in the template's CONCEPT[name] "
                                              "keys; an HDF5 group has one name and one "
                                              "NX_class")),
    ("uses the valid concept name", "two template keys for one HDF5 path"),
    ("There were attributes set for the field", ("template attributes without their field: "
                                                 "the writer writes neither, so the file holds "
                                                 "nothing to judge")),
    ("in dataset without its field", "template @units without its field: nothing is written"),
    ("Compression strength", "a compression request in the template"),
    ("Compression filter", "a compression request in the template"),
)

#: Messages that say what the writer did, not what validation found; dropped.
WRITER_ONLY = ("will not be written", "available to be linked", "Broken link at",
               "Linked external file")


def hdf5_path(template_path: str) -> str:
    """``/ENTRY[my_entry]/NXODD_name[nxodd_name]/@X[@y]`` -> ``/my_entry/nxodd_name/@y``."""
    parts = []
    for part in template_path.strip("/").split("/"):
        m = re.fullmatch(r"(@?)[^\[\]]*\[(@?)([^\[\]]*)\]+", part)
        parts.append((m.group(1) or m.group(2)) + m.group(3) if m else part)
    return "/" + "/".join(parts)


#: pynxtools validates each NXentry against its application definition (validate_file.py
#: calls validate_hdf_group_against per entry); what lies outside the entry, such as the
#: root's @default, is outside what its tests judge.
SCOPE = "/my_entry"

_PATTERNS = (
    ("type", r"The value at (\S+?)(?: = .*)? should be one of the following Python types"),
    ("type", r"The value at (\S+) = .* should be a timezone aware"),
    ("value", r"The value at (\S+) should be a positive int"),
    ("enum", r"The value .* at (\S+) should be one of the following"),
    ("enum", r"The value .* at (\S+) does not match with the enumerated items"),
    ("missing", r"The required (?:field|group|attribute) (\S+) hasn't been supplied"),
    ("kind", r"The type \('\w+'\) of '([^']+)' conflicts with the concept"),
    ("kind", r"Expected a \w+ at (\S+), but found"),
    ("undocumented", r"(?:Field|Attribute) (\S+) has no documentation"),
    ("units", r"The unit '[^']*' at (\S+)/@units does not match"),
    ("units", r"Field (\S+) requires a unit in the unit category"),
    ("units-undocumented", r"The unit (\S+)/@units = .* has no documentation"),
    ("link-target", r"A link was used for (\S+), but"),
    ("dimensions", r"Inconsistent dimensions for NXDL symbol '\w+' in group '([^']+)'"),
    ("reserved", r"Reserved (?:suffix|prefix) \S+ was used in (\S+?),? "),
    ("no-nx-class", r"Group '([^']+)' does not have an NX_class attribute"),
)


@dataclass(frozen=True)
class Expectation:
    """What pynxtools' test expects of a case's file, or why the case is not applicable."""

    problems: frozenset[tuple[str, str]]
    not_applicable: str = ""


def _parse(message: str) -> tuple[str, str] | None:
    for kind, pattern in _PATTERNS:
        m = re.search(pattern, message)
        if m:
            raw = m.group(1).rstrip(".")
            # A few messages name a member relative to the entry ('identified_calibration').
            path = hdf5_path(raw if raw.startswith("/") else f"{SCOPE}/{raw}")
            return kind, path
    return None


def _canonical(problem: tuple[str, str]) -> tuple[str, str]:
    """One name for one judgement: a member of the wrong kind (a group where the definition
    asks for a field) is the member asked for not being there. pynxtools says either or both
    (its two tests of one case differ), nxschema says wrong-kind."""
    kind, path = problem
    return ("missing", path) if kind == "kind" else problem


def expected(case: dict) -> Expectation:
    """pynxtools' expected problems for a case, in HDF5 paths; empty when it expects a valid
    file (its tests log some findings at INFO level and still assert the file valid)."""
    if "write_error" in case:
        return Expectation(frozenset(), "pynxtools' writer cannot write this template: "
                           + case["write_error"][:80])
    problems = set()
    for message in case["messages"]:
        for needle, why in TEMPLATE_ONLY:
            if needle in message:
                return Expectation(frozenset(), why)
        if any(needle in message for needle in WRITER_ONLY):
            continue
        parsed = _parse(message)
        if parsed is None:
            return Expectation(frozenset(), f"message not understood: {message[:60]}")
        problems.add(_canonical(parsed))
    return Expectation(frozenset() if case["valid"] else frozenset(problems))


# -- nxschema's findings --------------------------------------------------------------------

_KIND_OF_CODE = {
    "missing-required": "missing", "wrong-type": "type", "bad-date": "type",
    "wrong-value": "value", "bad-value": "value", "not-in-enumeration": "enum",
    "wrong-kind": "kind", "extra-member": "undocumented", "implausible-units": "units",
    "missing-units": "units", "link-target-attribute": "link-target",
    "dimension-mismatch": "dimensions", "missing-nx-class": "no-nx-class",
    "placeholder-sibling": "reserved",
}


def observed(findings, severity: str) -> frozenset[tuple[str, str]]:
    """nxschema's findings at ``severity`` or above, as ``(kind, path)``, placed like
    pynxtools places them (units at the field, symbol sizes at the group)."""
    problems = set()
    for f in findings:
        if not f.at_least(severity):
            continue
        kind = _KIND_OF_CODE.get(f.code, f.code)
        path = f.path
        if kind == "units" and path.endswith("/@units"):
            path = path[: -len("/@units")]
        if kind == "dimensions":
            path = path.rsplit("/", 1)[0]
        # A missing member is reported at parent/label, where a label may name its class.
        path = re.sub(r"\(NX\w+\)$", "", path)
        if "@" in path and "/@" not in path:  # nxschema writes group@attr, pynxtools group/@attr
            path = path.replace("@", "/@", 1)
        problems.add(_canonical((kind, path)))
    return frozenset(problems)


@dataclass(frozen=True)
class Verdict:
    """One case compared: ``agreed``; ``false_error``: nxschema raised an error where
    pynxtools expects a valid file; ``missed``: expected problems nxschema did not report;
    ``extra``: nxschema errors at problems pynxtools does not expect."""

    agreed: bool
    false_error: bool
    missed: frozenset
    extra: frozenset
    want: frozenset
    strict: bool = False  # agreed, and every expected problem at warning level or above


def judge(expectation: Expectation, findings) -> Verdict:
    """The same judgement: every problem pynxtools expects is reported by nxschema (same kind,
    same path; at any severity, since pynxtools has one level, WARNING, for everything), and
    every nxschema *error* is one pynxtools expects. nxschema's advice (warnings such as a
    missing NXdata @signal, info) where pynxtools says nothing is not a disagreement: it does
    not make the file invalid for either tool."""
    inside = [f for f in findings if f.path == SCOPE or f.path.startswith(SCOPE + "/")
              or f.path.startswith(SCOPE + "@")]
    every = observed(inside, "info")
    errors = observed(inside, "error")
    want = expectation.problems
    missed = want - every
    extra = errors - want
    false_error = not want and bool(errors)
    agreed = not missed and not extra
    strict = agreed and not (want - observed(inside, "warning"))
    return Verdict(agreed, false_error, frozenset(missed), frozenset(extra), want, strict)


def nxtest_folder() -> str | None:
    """The pynxtools package's data folder (NXtest*.nxdl.xml), or None without pynxtools."""
    try:
        import importlib.util
        spec = importlib.util.find_spec("pynxtools")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = os.path.join(next(iter(spec.submodule_search_locations)), "data")
    return folder if os.path.exists(os.path.join(folder, "NXtest.nxdl.xml")) else None
