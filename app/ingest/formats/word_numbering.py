"""The numbers Word draws before a list's paragraphs: "4.2", "(b)", "iii.", "Step 3:".

Word does not store them in the text: a paragraph says it is level 1 of list 7, and the list's
definition says how that level counts ("%1.%2", decimal, from 1). python-docx reads the text
alone, so clause 4.2 of a contract, or step 3 of assembly instructions, lost its number, and a
question naming it found nothing. Each numbered paragraph is counted here, in document order,
as Word counts it: a level's count restarts when a level above it moves on, and lists drawn
from one definition continue one another unless one restarts its count. Bullets and levels
without a number are left to the caller's "- ".
"""

from __future__ import annotations

import re

MAX_LEVELS = 9  # Word's levels, 0 to 8
_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip
_UNNUMBERED = {"bullet", "none", ""}


class Numbering:
    """The numbering of one Word document: `label(paragraph)` for each paragraph in turn."""

    def __init__(self, document) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self._levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> level -> def
        self._lists: dict[str, str] = {}  # numId -> the key its count is kept under
        self._counts: dict[str, dict[int, int]] = {}
        self._styles: dict[str | None, object] = {}  # style id -> its w:numPr, or None
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):  # a document without lists
            return
        abstract = {
            node.get(qn("w:abstractNumId")): _levels(node, qn)
            for node in root.findall(qn("w:abstractNum"))
        }
        for num in root.findall(qn("w:num")):
            num_id, ref = num.get(qn("w:numId")), num.find(qn("w:abstractNumId"))
            definition = ref.get(qn("w:val")) if ref is not None else None
            levels = dict(abstract.get(definition, {}))
            restarts = False
            for override in num.findall(qn("w:lvlOverride")):
                level = _int(override.get(qn("w:ilvl")))
                start = override.find(qn("w:startOverride"))
                if start is not None and level in levels:
                    fmt, text, _ = levels[level]
                    levels[level] = (fmt, text, _int(start.get(qn("w:val")), 1))
                    restarts = True
            self._levels[num_id] = levels
            self._lists[num_id] = num_id if restarts else f"abstract {definition}"

    def label(self, paragraph) -> str | None:
        """The number Word draws before `paragraph` ("4.2."), counting it; None when it is
        in no numbered list, or its level draws a bullet or nothing."""
        num_id, level = self._list_of(paragraph)
        levels = self._levels.get(num_id or "")
        if not levels or level not in levels or levels[level][0] in _UNNUMBERED:
            return None
        counts = self._counts.setdefault(self._lists[num_id], {})
        counts[level] = counts.get(level, levels[level][2] - 1) + 1
        for deeper in [k for k in counts if k > level]:
            del counts[deeper]

        def number(found: re.Match[str]) -> str:
            at = int(found[1]) - 1
            fmt, _, start = levels.get(at, ("decimal", "", 1))
            return _formatted(counts.get(at, start), fmt)

        return re.sub(r"%([1-9])", number, levels[level][1]).strip() or None

    def _list_of(self, paragraph) -> tuple[str | None, int]:
        """(numId, level) of the paragraph's own numbering, else its style's (or a style it
        is based on): "List Number" is numbered by its style."""
        qn = self._qn
        properties = paragraph._p.pPr
        numbering = properties.numPr if properties is not None else None
        if numbering is None:
            style_id = properties.style if properties is not None else None
            if style_id not in self._styles:  # looking a style up walks them all: once each
                self._styles[style_id] = _style_numbering(paragraph.style)
            numbering = self._styles[style_id]
        if numbering is None:
            return None, 0
        num_id = numbering.find(qn("w:numId"))
        level = numbering.find(qn("w:ilvl"))
        value = num_id.get(qn("w:val")) if num_id is not None else None
        return (None if value == "0" else value), _int(
            level.get(qn("w:val")) if level is not None else None
        )


def _style_numbering(style):  # -> its w:numPr element, or None
    """The numbering of a paragraph style, or of a style it is based on."""
    for _ in range(10):  # styles based on styles; a loop in a damaged file must end
        if style is None:
            return None
        properties = style.element.pPr
        if properties is not None and properties.numPr is not None:
            return properties.numPr
        style = style.base_style
    return None


def _levels(abstract, qn) -> dict[int, tuple[str, str, int]]:
    """Each level of a list definition: (number format, level text, start)."""
    levels = {}
    for node in abstract.findall(qn("w:lvl"))[:MAX_LEVELS]:
        fmt, text, start = (_value(node, qn, tag) for tag in ("w:numFmt", "w:lvlText", "w:start"))
        levels[_int(node.get(qn("w:ilvl")))] = (fmt or "decimal", text or "", _int(start, 1))
    return levels


def _value(node, qn, tag: str) -> str | None:
    """The w:val of `node`'s child `tag`, if it has one."""
    found = node.find(qn(tag))
    return found.get(qn("w:val")) if found is not None else None


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _formatted(count: int, fmt: str) -> str:
    """`count` in a list's number format: "decimal" 3, "lowerLetter" c, "upperRoman" III."""
    if fmt in ("lowerLetter", "upperLetter"):
        letters = chr(ord("a") + (count - 1) % 26) * ((count - 1) // 26 + 1) if count > 0 else ""
        return letters.upper() if fmt == "upperLetter" else letters
    if fmt in ("lowerRoman", "upperRoman") and 0 < count < 4000:
        roman, rest = "", count
        for value, numeral in _ROMAN:
            while rest >= value:
                roman, rest = roman + numeral, rest - value
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{count:02d}"
    return str(count)
