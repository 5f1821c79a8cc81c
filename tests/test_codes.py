"""Every finding code yielded anywhere is catalogued, and docs/findings.md is up to date."""

from __future__ import annotations

import re
from pathlib import Path

from nxschema._codes import all_codes, markdown

ROOT = Path(__file__).resolve().parents[1]
YIELDED = re.compile(r"""(?:error|warning|info|finding|Finding|_at)\(\s*["']([a-z0-9-]+)["']""")


def test_every_yielded_code_is_catalogued():
    codes = all_codes()
    used = set()
    for source in (ROOT / "nxschema").rglob("*.py"):
        used |= set(YIELDED.findall(source.read_text()))
    assert used, "the pattern must find the codes"
    assert not used - set(codes), f"codes used but not catalogued: {sorted(used - set(codes))}"


def test_codes_are_well_formed():
    for code in all_codes().values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code.code)
        assert code.severity in ("error", "warning", "info")
        assert code.area in ("definition", "file") and code.summary and code.example


def test_findings_doc_is_current():
    committed = (ROOT / "docs" / "findings.md").read_text()
    assert committed.strip() == markdown().strip(), (
        "docs/findings.md is stale: run `nxschema codes --format markdown > docs/findings.md`")
