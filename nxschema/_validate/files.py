"""Lists of files (``refers_to: files``): every listed file must exist.

Called from the dataset checks of the walker (one line there). A listed name is judged by the
external-link policy exactly as an external link's file is (:func:`nxschema._h5.access.
judge_external`): where the policy does not go, the file is not looked at and the list gets one
``listed-file-not-followed`` warning. The others are only looked up (``os.path.isfile``), never
opened. One finding per list, however many files are missing: a list of 10,000 detector files
with half of them gone must not drown the report.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from nxschema._findings import Finding
from nxschema._h5.access import judge_external
from nxschema._h5.listed import listed_names

MAX_LISTED = 1_000_000  # names read from one list; a longer one is not checked
SHOWN = 5  # names quoted in a finding


def listed_files(walker: Any, did: Any, node: Any, spec: Any) -> Iterator[Finding]:
    """Findings for the files the dataset ``did`` at ``node`` lists, if ``spec`` says it
    holds file paths (``spec.refers_to == "files"``); nothing otherwise.

    ``walker`` is the running :class:`~nxschema._validate.walker.Walker` (its backend, resolver
    and finding factory), ``did`` the backend's dataset, ``node`` the walker's Node, ``spec``
    the FieldPlan (typed loosely: the walker is being rewritten)."""
    if spec.refers_to != "files":
        return
    try:
        value = walker.io.read_value(did, MAX_LISTED)
    except Exception:  # noqa: BLE001 - any HDF5 read error; the value checks report it
        return
    names = listed_names(value)
    if not names:
        return
    # Relative names are taken from the folder of the file that really holds the list.
    holder = walker.resolver.locate(node.file, node.path)[0] if node.soft else node.file
    missing, refused, reason = [], [], ""
    for name in names:
        resolved, problem = judge_external(holder, name, walker.resolver.policy)
        if problem:
            refused.append(name)
            reason = reason or problem.replace("external link to", "listed file", 1)
        elif not os.path.isfile(resolved):
            missing.append(name)
    if missing:
        yield walker.finding(
            "missing-listed-file", walker.severity(spec, "error"), node,
            f"{_count(missing, names)} missing: {_some(missing)}", spec)
    if refused:
        yield walker.finding(
            "listed-file-not-followed", walker.severity(spec, "warning"), node,
            f"{_count(refused, names)} not checked: {reason}"
            + (f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""), spec)


def _count(some: list[str], names: list[str]) -> str:
    if len(names) == 1:
        return "the listed file is"
    return f"{len(some)} of the {len(names)} listed files {'is' if len(some) == 1 else 'are'}"


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    return shown + (f", ... ({len(names) - SHOWN} more)" if len(names) > SHOWN else "")
