"""Small helpers shared by the tests."""
from __future__ import annotations

import re

import sqlalchemy as sa

from neighborhood.extensions import db


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def text_of(response) -> str:
    """The visible text of an HTML response, tags removed, whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
