from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None) -> str:
    """A path on this site to go back to; never an absolute URL (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("core.index")
