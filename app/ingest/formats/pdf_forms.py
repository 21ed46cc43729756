"""A PDF form's filled-in fields, as label lines: "First Name: Alice", "Gender: Female".

What a person types into a PDF form (an application, a claim, a tax return saved unflattened)
is kept in the form's fields, not in the page's text, so a page's text holds the printed labels
and none of the answers. Each field with a value becomes a line of its name (the field's
description for users where it has one) and its value, after the page's text, where the label
lines of app.answer.tables read them as a form's. A box that is not ticked, and an empty field,
add nothing.
"""

from __future__ import annotations

import re

MAX_FIELDS = 500  # per page: a form is read whole, a page of thousands of widgets is not
MAX_VALUE_CHARS = 2000
_TICKED = {"yes", "on", "1", "true", "checked", "x"}  # what a ticked box's state is called


def field_lines(page) -> list[str]:
    """ "name: value" of each filled-in field whose widget is on `page` (a pypdf page), in the
    order the page lists them; each field once (a group of radio buttons has a widget each)."""
    lines: list[str] = []
    seen: set[int] = set()
    annotations = page.get("/Annots") or []
    for annotation in list(annotations)[:MAX_FIELDS]:
        widget = annotation.get_object()
        if widget.get("/Subtype") != "/Widget":
            continue
        field = widget if "/T" in widget or "/Parent" not in widget else widget["/Parent"]
        field = field.get_object()
        if id(field) in seen:
            continue
        seen.add(id(field))
        value = _value(field)
        name = _name(field)
        if value and name:
            lines.append(f"{name}: {value}")
    return lines


def _value(field) -> str:
    """The field's value as text: a ticked box's "Yes" (or its option's name, a radio
    button's "Female"), a list's choices joined; "" when empty or not ticked."""
    value = _inherited(field, "/V")
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if _text(v))
    text = _text(value)
    if str(value).startswith("/"):  # a box's state, a name
        if text.lower() == "off":
            return ""
        return "Yes" if text.lower() in _TICKED else text
    return text


def _name(field) -> str:
    """The field's description for users (/TU), else its own name with the numbering and
    underscores that form tools add left out, capitalised as a label ("first_name_2" ->
    "First name")."""
    name = _text(_inherited(field, "/TU") or field.get("/T") or "")
    name = re.sub(r"[_\s]+", " ", re.sub(r"[_ ]\d+$", "", name)).strip(" :.")
    return name[:1].upper() + name[1:]


def _inherited(field, key: str):
    """`key` of the field or of the first of its parents that has it (a value may be kept on
    the parent of the widgets that show it)."""
    for _ in range(8):  # fields nest a few levels; a loop in a damaged file must end
        if key in field:
            return field[key]
        parent = field.get("/Parent")
        if parent is None:
            return None
        field = parent.get_object()
    return None


def _text(value) -> str:
    """A PDF string or name as plain text, on one line, at most MAX_VALUE_CHARS."""
    text = str(value).removeprefix("/") if str(value).startswith("/") else str(value)
    return " ".join(text.split())[:MAX_VALUE_CHARS]
