"""
Spotting text that may identify a person.

Monitoring data sent to a commissioner must not identify service users, so
narrative text is checked before a return is submitted. These patterns catch
the common slips (an e-mail address, a phone number, a full postcode, a
National Insurance number); they cannot catch a name, which is why the case
study's hint asks for anonymised text.
"""

import re

PATTERNS = [
    ("an e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("a phone number", re.compile(r"(?<![\d£.,])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d|[.,]\d)")),
    # No postcode area starts with Q, V or X or has I, J or Z second, and the
    # last two letters are never C, I, K, M, O or V: so "Q1 2nd" is not one.
    ("a full postcode", re.compile(
        r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?|GIR)\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)),
    # Any two prefix letters: a mistyped or specimen number (QQ 12 34 56 C)
    # is as much a slip as a real one.
    ("a National Insurance number", re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)),
]


def find_personal_data(text: str) -> list[str]:
    """What kinds of identifying detail `text` seems to hold, in a fixed order."""
    if not text:
        return []
    return [kind for kind, pattern in PATTERNS if pattern.search(text)]
