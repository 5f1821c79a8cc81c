"""Regenerate ``tests/data/pynxtools_cases.json`` from pynxtools' own validation tests.

Not a test: a maintenance script, run by hand when pynxtools' test suite moves on::

    git clone https://github.com/FAIRmat-NFDI/pynxtools /tmp/pnx   # tests/ of that checkout
    PYTHONPATH=. python tests/reference/extract_pynxtools.py /tmp/pnx

For every case of ``test_validate_data_dict`` and ``test_validate_nexus_file``
(tests/dataconverter/test_validation.py) it writes the case's template with pynxtools' own
``Writer`` (exactly as ``test_validate_nexus_file`` does), reads the written HDF5 file back
and stores its content as a difference from the valid file, together with the messages the
pynxtools test expects. The harness (tests/test_binding_reference_cases.py) rebuilds each file
with h5py from that description, so the suite runs without pynxtools' repository; the NXDL it
validates against (NXtest) comes from the installed pynxtools package.

pynxtools is Apache-2.0; the stored messages and values are facts about its tests, quoted
with their case ids so that each can be looked up there.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

import h5py
import numpy as np


def encode(value, dtype=None):
    """A JSON form of an attribute or dataset value that the harness turns back into the same
    HDF5 type (dtype, shape, string kind: ``dtype`` is the stored one, to tell variable-length
    strings from fixed-length ones)."""
    info = h5py.check_string_dtype(dtype) if dtype is not None else None
    if info is not None and info.length is None and np.ndim(value) == 0:
        return {"str": value.decode("utf-8", "replace") if isinstance(value, bytes) else value}
    if isinstance(value, bytes):
        return {"bytes": value.decode("utf-8", "replace")}
    if isinstance(value, str):
        return {"str": value}
    arr = np.asarray(value)
    if arr.dtype.kind == "O":
        items = [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                 for v in arr.ravel()]
        return {"strs": items, "shape": list(arr.shape)}
    if arr.dtype.kind == "S":
        return {"fixed": [v.decode("utf-8", "replace") for v in arr.ravel()],
                "shape": list(arr.shape), "itemsize": arr.dtype.itemsize}
    if arr.dtype.kind == "c":
        return {"dtype": arr.dtype.str, "shape": list(arr.shape),
                "data": [[float(v.real), float(v.imag)] for v in arr.ravel()]}
    return {"dtype": arr.dtype.str, "shape": list(arr.shape), "data": arr.ravel().tolist()}


def dump(path: str) -> dict:
    """Every object of an HDF5 file, links kept as links."""
    nodes: dict[str, dict] = {}

    def attrs_of(obj):
        return {k: encode(obj.attrs[k], obj.attrs.get_id(k).dtype) for k in sorted(obj.attrs)}

    def walk(group, prefix):
        nodes[prefix or "/"] = {"kind": "group", "attrs": attrs_of(group)}
        for name in group:
            child = f"{prefix}/{name}"
            link = group.get(name, getlink=True)
            if isinstance(link, h5py.SoftLink):
                nodes[child] = {"kind": "soft", "target": link.path}
                continue
            if isinstance(link, h5py.ExternalLink):
                nodes[child] = {"kind": "external", "file": os.path.basename(link.filename),
                                "target": link.path}
                continue
            obj = group[name]
            if isinstance(obj, h5py.Group):
                walk(obj, child)
            else:
                node = {"kind": "dataset", "value": encode(obj[()], obj.dtype),
                        "attrs": attrs_of(obj)}
                if obj.compression:
                    node["compression"] = obj.compression
                nodes[child] = node

    with h5py.File(path, "r") as f:
        walk(f, "")
    return nodes


def external_objects(nodes: dict, pnx_root: str) -> dict:
    """The objects the external links of a case point at, from pynxtools' test data."""
    found: dict[str, dict] = {}
    for node in nodes.values():
        if node["kind"] != "external":
            continue
        source = os.path.join(pnx_root, "tests", "data", "validation", node["file"])
        entry = found.setdefault(node["file"], {})
        if not os.path.exists(source):
            continue
        with h5py.File(source, "r") as f:
            if node["target"] in f and isinstance(f[node["target"]], h5py.Dataset):
                obj = f[node["target"]]
                entry[node["target"]] = {"kind": "dataset", "value": encode(obj[()], obj.dtype),
                                         "attrs": {k: encode(obj.attrs[k],
                                                             obj.attrs.get_id(k).dtype)
                                                   for k in sorted(obj.attrs)}}
    return found


def main(pnx_root: str) -> None:
    sys.path.insert(0, pnx_root)
    os.chdir(pnx_root)  # pynxtools' tests read their data relative to the checkout
    import tests.dataconverter.test_validation as tv
    from pynxtools.dataconverter.helpers import get_nxdl_root_and_path
    from pynxtools.dataconverter.template import Template
    from pynxtools.dataconverter.writer import Writer

    _, nxdl_path = get_nxdl_root_and_path(nxdl="NXtest")
    tmp = tempfile.mkdtemp()
    # The ids for which the pynxtools tests read INFO records and assert the file is valid.
    info_ids = {
        "data_dict": ("field-with-illegal-unit", "baseclass-field-with-illegal-unit",
                      "open-enum-with-new-item", "open-enum-with-new-item-compressed",
                      "open-enum-with-new-item-custom-missing",
                      "baseclass-open-enum-with-new-item", "appdef-compressed-strength-0"),
        "nexus_file": ("field-with-illegal-unit", "baseclass-field-with-illegal-unit",
                       "open-enum-with-new-item", "open-enum-with-new-item-custom-missing",
                       "baseclass-open-enum-with-new-item",
                       "namefitting-of-group-with-typo-and-new-field", "bad-namefitting",
                       "namefitting-of-illegal-named-group", "namefitting-of-group-with-typo",
                       "baseclass-attribute-missing-group"),
    }

    def write(data_dict, name):
        template = Template()
        for key, val in data_dict.items():
            template[key] = val
        out = os.path.join(tmp, f"{name}.nxs")
        Writer(data=template, nxdl_f_path=nxdl_path, output_path=out).write()
        return dump(out)

    base = write(tv.TEMPLATE, "base")
    cases = []
    for test, fn in (("data_dict", tv.test_validate_data_dict),
                     ("nexus_file", tv.test_validate_nexus_file)):
        mark = next(m for m in fn.pytestmark if m.name == "parametrize")
        for param in mark.args[1]:
            data_dict, messages = param.values
            case = {"test": test, "id": param.id, "messages": list(messages or []),
                    "valid": not messages or param.id in info_ids[test]}
            try:
                nodes = write(data_dict, f"{test}-{param.id}")
            except Exception as exc:  # noqa: BLE001 - the writer refuses some templates
                case["write_error"] = f"{type(exc).__name__}: {exc}"
                cases.append(case)
                continue
            case["remove"] = sorted(p for p in base if p not in nodes)
            case["set"] = {p: n for p, n in nodes.items() if base.get(p) != n}
            case["external"] = external_objects(nodes, pnx_root)
            cases.append(case)
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "data", "pynxtools_cases.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"source": "FAIRmat-NFDI/pynxtools tests/dataconverter/test_validation.py",
                   "base": base, "cases": cases}, f, indent=0, sort_keys=True)
        f.write("\n")
    print(f"{len(cases)} cases -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
