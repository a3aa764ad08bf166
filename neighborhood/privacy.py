"""What may reach the public, decided in one place.

Public pages and public PDFs never show a resident's phone number, ID number or full name, and
never an internal item. Everything public passes through ``scrub`` / ``public_lines``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?\d{4}[ -]?\d{2}(\d{2})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(0\d{2})\d?[ -]?\d{5,6}(\d{2})(?!\d)")


def mask_name(name: str) -> str:
    """张三 → 张**, 欧阳明月 → 欧**: the surname stays, the length does not show."""
    name = name.strip()
    return f"{name[0]}**" if name else ""


def mask_phone(phone: str) -> str:
    """First 3 and last 2 digits: 138******78."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 6:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 5)}{digits[-2:]}"


def scrub(text: str | None, names: Iterable[str] = ()) -> str:
    """Remove ID numbers, mask phone numbers and the given residents' names in free text."""
    if not text:
        return ""
    text = ID_NUMBER.sub("******************", text)
    text = MOBILE.sub(lambda m: f"{m.group(1)}******{m.group(2)}", text)
    text = LANDLINE.sub(lambda m: f"{m.group(1)}*****{m.group(2)}", text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def public_lines(lines: list[dict], names: Iterable[str]) -> list[dict]:
    """The lines of a minutes snapshot that may be published, with their text scrubbed."""
    names = list(names)
    return [
        {**line, **{key: scrub(line.get(key), names) for key in ("title", "summary", "decision",
                                                                  "responsible")}}
        for line in lines if line.get("public")
    ]
