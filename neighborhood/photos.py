"""Photos: checked by decoding (never by file name), size-limited, decompression bombs refused,
EXIF (GPS and all) stripped by re-encoding, orientation applied, a thumbnail made.

Files live under ``instance/photos/`` named by their content hash; the database keeps the record.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, send_file
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Mapped, mapped_column

from .accounts.models import utcnow
from .errors import DomainError
from .extensions import db

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
MAX_PIXELS = 40_000_000  # 40 megapixels: above every phone camera, far below a bomb
MAX_EDGE = 2048  # stored size
THUMB_EDGE = 480

try:  # iPhones send HEIC; accepted only where pillow-heif is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    ACCEPTED_FORMATS |= {"HEIF", "HEIC"}
except ImportError:  # pragma: no cover - depends on the machine
    pass


class Photo(db.Model):
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accounts.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)

    def path(self, thumb: bool = False) -> Path:
        return photo_dir() / self.sha256[:2] / f"{self.sha256}{'-thumb' if thumb else ''}.jpg"

    def send(self, thumb: bool = False):
        """The stored JPEG, cached by the browser only (photos may show private places)."""
        response = send_file(self.path(thumb=thumb), mimetype="image/jpeg", max_age=86400)
        response.headers["Cache-Control"] = "private, max-age=86400"
        return response


def photo_dir() -> Path:
    return Path(current_app.config.get("PHOTO_DIR") or Path(current_app.instance_path) / "photos")


def _decode(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED_FORMATS:
                raise DomainError("photos", _l("Only photos (JPEG, PNG, WebP, HEIC) can be added."))
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError("photos", _l("This picture is too large."))
            probe.verify()
            image = Image.open(io.BytesIO(data))
            image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise DomainError("photos", _l("This picture is too large.")) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise DomainError("photos", _l("This file is not a photo that can be opened.")) from None
    return image


def store_photo(data: bytes, uploaded_by_id: int | None) -> Photo:
    limit = current_app.config.get("PHOTO_MAX_BYTES", 10 * 1024 * 1024)
    if len(data) > limit:
        raise DomainError("photos", _l("A photo may be at most %(mb)s MB.", mb=limit // (1024 * 1024)))
    if not data:
        raise DomainError("photos", _l("The file is empty."))
    image = ImageOps.exif_transpose(_decode(data))
    image = image.convert("RGB")
    image.thumbnail((MAX_EDGE, MAX_EDGE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)  # no exif= : metadata is dropped
    stored = out.getvalue()
    digest = hashlib.sha256(stored).hexdigest()
    photo = Photo(sha256=digest, width=image.width, height=image.height, size=len(stored),
                  uploaded_by_id=uploaded_by_id)
    path = photo.path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(stored)
        thumb = image.copy()
        thumb.thumbnail((THUMB_EDGE, THUMB_EDGE))
        thumb.save(photo.path(thumb=True), "JPEG", quality=80, optimize=True)
    db.session.add(photo)
    db.session.flush()
    return photo
