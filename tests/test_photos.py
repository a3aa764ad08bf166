import io

import pytest
from PIL import Image

from neighborhood.errors import DomainError
from neighborhood.photos import store_photo


def jpeg_bytes(size=(800, 600), color=(200, 80, 40), exif_gps=False) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (29.0, 17.0, 0.0), 3: "E", 4: (106.0, 15.0, 0.0)}  # GPS IFD
        exif[0x010F] = "PhoneMaker"
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def test_photo_is_stored_without_exif_and_with_a_thumbnail(app):
    photo = store_photo(jpeg_bytes(size=(4000, 3000), exif_gps=True), None)
    with Image.open(photo.path()) as stored:
        assert max(stored.size) == 2048
        assert not stored.getexif()
    with Image.open(photo.path(thumb=True)) as thumb:
        assert max(thumb.size) <= 480


def test_a_text_file_named_jpg_is_refused(app):
    with pytest.raises(DomainError):
        store_photo(b"this is not an image at all" * 10, None)


def test_a_truncated_image_is_refused(app):
    with pytest.raises(DomainError):
        store_photo(jpeg_bytes()[:300], None)


def test_decompression_bomb_is_refused(app):
    image = Image.new("1", (12000, 12000))  # 144 megapixels, a few KB as PNG
    out = io.BytesIO()
    image.save(out, "PNG")
    assert len(out.getvalue()) < 200_000
    with pytest.raises(DomainError):
        store_photo(out.getvalue(), None)


def test_size_limit(app_factory):
    app = app_factory(PHOTO_MAX_BYTES=1000)
    with app.app_context():
        with pytest.raises(DomainError):
            store_photo(jpeg_bytes(), None)


def test_gif_is_not_a_photo(app):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(DomainError):
        store_photo(out.getvalue(), None)


def test_iphone_heic_photo_is_accepted_and_stored_as_jpeg(app):
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(out, "HEIF")
    photo = store_photo(out.getvalue(), None)
    with Image.open(photo.path()) as stored:
        assert stored.format == "JPEG" and stored.size == (640, 480)
