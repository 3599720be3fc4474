"""
How a workbook prints and shows on screen: the header and footer of every printed page (the
workbook's title, the organisation, the period, page N of M, when and by whom it was made and the
protective marking), and how tall a row of wrapped text must be.

Headers and footers hold Excel's codes (&L, &C, &R for the three parts, &B for bold, &P and &N for
the page and the number of pages), so users' text in them is escaped (`header_footer_text`), and
the whole is cut to Excel's 255 characters with the codes kept whole (`header_footer`).
"""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

from .cell_text import ILLEGAL_CHARACTERS

LINE_HEIGHT, MAX_ROW_HEIGHT = 15, 409  # points: a line of 11-point text, and Excel's tallest row
A4 = 9  # XlsxWriter's (and Excel's) paper size code
HEADER_FOOTER_LIMIT = 255  # characters Excel keeps of a header or footer, its codes included


def text_lines(text: str, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide (an estimate by
    words: a word that does not fit starts a new line)."""
    width = max(int(width) - 1, 1)
    lines = 0
    for paragraph in text.split("\n"):
        if len(paragraph) <= width:
            lines += 1
            continue
        used = 0
        lines += 1
        for word in paragraph.split(" "):
            size = len(word)
            if used and used + 1 + size > width:
                lines += 1
                used = 0
            used = size if not used else used + 1 + size
            while used > width:  # a word longer than the line breaks where it must
                lines += 1
                used -= width
    return lines


def row_height(lines: int) -> float:
    return min(lines * LINE_HEIGHT, MAX_ROW_HEIGHT)


def header_footer_text(text: str) -> str:
    """User text as a header or footer shows it: on one line, with `&` doubled (a single `&`
    starts one of Excel's codes, such as &P for the page number). An `&` before "G" or
    "[Picture]" becomes a full-width ampersand, since XlsxWriter takes even a doubled one
    there for a picture's place."""
    text = ILLEGAL_CHARACTERS.sub("", " ".join(str(text).split()))
    text = re.sub(r"&(?=G|\[Picture\])", "\uff06", text)
    return text.replace("&", "&&")


def header_footer(sections: list[tuple[str, list[str]]]) -> str:
    """A header or footer from (code, [parts]) sections: the codes are ours (&L, &C, &R, &B, &P,
    &N), the parts are texts to be escaped and joined by " · ". The longest parts are shortened
    (with "…") until the whole fits Excel's 255 characters."""
    parts = [[" ".join(str(p).split()) for p in texts if p] for _, texts in sections]

    def build():
        return "".join(code.format(" · ".join(header_footer_text(p) for p in texts))
                       for (code, _), texts in zip(sections, parts) if texts)

    text = build()
    while len(text.encode("utf-16-le")) // 2 > HEADER_FOOTER_LIMIT:
        longest = max((p for texts in parts for p in texts), key=len)
        excess = len(text.encode("utf-16-le")) // 2 - HEADER_FOOTER_LIMIT
        cut = max(len(longest) - max(excess, 1) - longest.count("&") - 2, 0)
        for texts in parts:
            if longest in texts:
                texts[texts.index(longest)] = longest[:cut].rstrip() + "…" if cut else ""
                texts[:] = [t for t in texts if t]
                break
        text = build()
    return text


@dataclass(frozen=True)
class PrintSetup:
    """What every printed page of a workbook says about it."""

    title: str
    organisation: str = ""
    period: str = ""
    made_by: str = ""
    made_at: datetime.datetime | None = None
    marking: str = ""

    def header(self) -> str:
        return header_footer([("&L&B{}&B", [self.marking]), ("&C&B{}&B", [self.title]),
                              ("&R{}", [self.organisation, self.period])])

    def footer(self) -> str:
        made = []
        if self.made_at is not None:
            made_at = self.made_at
            if isinstance(made_at, datetime.datetime) and made_at.tzinfo is not None:
                made_at = timezone.localtime(made_at)
            made.append(f"Made {made_at:%-d %B %Y %H:%M}" + (f" by {self.made_by}" if self.made_by else ""))
        elif self.made_by:
            made.append(f"Made by {self.made_by}")
        return header_footer([("&L&B{}&B", [self.marking]), ("&C{}", made), ("&R{}", ["Page"])]) + " &P of &N"
