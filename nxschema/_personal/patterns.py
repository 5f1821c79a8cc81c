"""Detectors for personal data that do not depend on any definition.

Definitions mark the members that hold personal data (``personal: true``, the ``administrative``
domain), but people also type e-mail addresses and phone numbers into free text: a scan comment,
a sample description, a configuration. These few patterns catch the common, unambiguous forms.
They are deliberately narrow: a false alarm costs a look, but a pattern that fires on every
number would bury the real findings (so phone numbers need a ``+`` country code or a
``tel``/``phone`` label, and ORCID iDs their checksum).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
                   r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])")
ORCID = re.compile(r"(?<![\d-])(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])(?![\d-])")
# International form (+CC ...) or a labelled number (tel:, phone:, telephone ...).
PHONE = re.compile(
    r"(?:(?<![\w+])\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){2,6}(?!\d))"
    r"|(?:(?i:\b(?:tel|phone|telephone|mobile|fax)\b\.?:?\s*)\(?\d[\d ()./\-]{6,18}\d)")
KINDS = ("email", "orcid", "phone")
SCAN_LIMIT = 1 << 20  # characters of one value that are scanned: free text is short


@dataclass(frozen=True, slots=True)
class Match:
    kind: str  # email, orcid or phone
    text: str  # the matched characters
    start: int
    end: int


def _orcid_checksum_ok(digits: str) -> bool:
    """ISO 7064 11,2 check digit of an ORCID iD (``0000-0002-1825-0097``)."""
    body = digits.replace("-", "")
    total = 0
    for ch in body[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return body[-1] == ("X" if check == 10 else str(check))


def find(text: str) -> list[Match]:
    """Every e-mail address, ORCID iD and phone number in ``text``, in order, not overlapping."""
    text = text[:SCAN_LIMIT]
    found: list[Match] = []
    for m in EMAIL.finditer(text):
        found.append(Match("email", m.group(0), m.start(), m.end()))
    for m in ORCID.finditer(text):
        if _orcid_checksum_ok(m.group(1)):
            found.append(Match("orcid", m.group(0), m.start(), m.end()))
    for m in PHONE.finditer(text):
        digits = sum(ch.isdigit() for ch in m.group(0))
        if 7 <= digits <= 15:  # E.164 allows at most 15 digits
            found.append(Match("phone", m.group(0).strip(), m.start(), m.end()))
    found.sort(key=lambda x: (x.start, -x.end))
    kept: list[Match] = []
    for match in found:
        if kept and match.start < kept[-1].end:
            continue  # an ORCID URL inside an e-mail-like text, a phone inside an ORCID, ...
        kept.append(match)
    return kept


def blank(text: str, matches: list[Match]) -> str:
    """``text`` with each match replaced by ``<redacted KIND>``."""
    out, last = [], 0
    for m in matches:
        out.append(text[last:m.start])
        out.append(f"<redacted {m.kind}>")
        last = m.end
    out.append(text[last:])
    return "".join(out)
