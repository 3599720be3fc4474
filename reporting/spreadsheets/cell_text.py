"""
What a spreadsheet cell may hold, and what it would take for a formula: the rules every file we
write (workbooks and CSV) and every file we read back apply to text.
"""

import re

# Characters XML 1.0 cannot hold (controls other than tab, LF, CR; lone surrogates; U+FFFE/U+FFFF).
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
EXCEL_CELL_LIMIT = 32767


def clean_text(value: str) -> str:
    """Text as a cell can hold it: line breaks as a spreadsheet writes them (LF, where a browser
    sends CRLF), illegal characters removed, cut at Excel's limit."""
    return ILLEGAL_CHARACTERS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))[:EXCEL_CELL_LIMIT]


def looks_like_formula(text: str) -> bool:
    """Text a spreadsheet could take for a formula: starting with = + - @, a tab or a line break, or with
    any of = + - @ behind leading spaces (which "trim spaces" on opening a CSV file removes)."""
    return text.startswith(_FORMULA_START) or text.lstrip().startswith(_FORMULA_START[:4])
