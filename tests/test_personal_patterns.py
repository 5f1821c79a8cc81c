"""The pattern detectors: e-mail addresses, ORCID iDs (with their checksum), phone numbers."""

import pytest

from nxschema._personal.patterns import blank, find


@pytest.mark.parametrize("text, kind, match", [
    ("contact jane.doe@esrf.fr for access", "email", "jane.doe@esrf.fr"),
    ("<a.b-c+tag@sub.example-lab.eu>", "email", "a.b-c+tag@sub.example-lab.eu"),
    ("https://orcid.org/0000-0002-1825-0097", "orcid", "https://orcid.org/0000-0002-1825-0097"),
    ("iD 0000-0001-5109-3700.", "orcid", "0000-0001-5109-3700"),
    ("0000-0002-1694-233X", "orcid", "0000-0002-1694-233X"),
    ("tel: +33 4 76 88 20 00", "phone", "+33 4 76 88 20 00"),
    ("call +41 (0)56 310 21 11 now", "phone", "+41 (0)56 310 21 11"),
    ("Phone: 04 76 88 20 00", "phone", "Phone: 04 76 88 20 00"),
])
def test_each_detector_finds_its_kind(text, kind, match):
    found = find(text)
    assert [(m.kind, m.text) for m in found] == [(kind, match)]


@pytest.mark.parametrize("text", [
    "0000-0002-1825-0098",  # ORCID shape, wrong check digit
    "energy 12.345 keV at 2024-01-02T10:11:12+01:00",
    "run 1234567 of scan 2024-05-06, gap 12.5 mm",
    "ascan sy -1.5 +1.5 20 0.1",
    "user@localhost",  # no top-level domain
    "x = 1e+10",
])
def test_no_false_alarm_on_scientific_text(text):
    assert find(text) == []


def test_blank_replaces_only_the_matches():
    text = "ask jane@lab.org or +44 20 7946 0958, sample LaB6"
    assert blank(text, find(text)) == "ask <redacted email> or <redacted phone>, sample LaB6"
