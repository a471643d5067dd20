"""Checking uploaded files for what they claim to be, before anything is stored."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from PIL import Image, UnidentifiedImageError

from core.exceptions import ApplicationError

# Formats an inspection photo may have, by what Pillow finds in the bytes (never the client's Content-Type).
# Phone cameras write JPEGs with a multi-picture segment (HDR gain maps, depth), which Pillow calls MPO.
IMAGE_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a 40-megapixel camera; more is a decompression bomb, not a photo
MAX_IMAGES = 10


def image_uploads_check(uploads: list[UploadedFile]) -> list[UploadedFile]:
    """The uploads, each verified as a JPEG, PNG or WebP image and renamed; raises on the first that is not.

    The bytes are opened with Pillow and the format read from them; the
    stored name is made from that format, never from the client's name.
    """
    if len(uploads) > MAX_IMAGES:
        raise ApplicationError(f"At most {MAX_IMAGES} photos at a time.")
    return [_checked(upload, position) for position, upload in enumerate(uploads, start=1)]


def image_format(upload: UploadedFile, *, max_pixels: int = MAX_IMAGE_PIXELS) -> str | None:
    """The format Pillow reads in the bytes (JPEG, MPO, PNG or WEBP) of a whole, sane image; None otherwise.

    The file is left at its start either way, so it can be stored next.
    """
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            found = image.format
            width, height = image.size
            if found not in IMAGE_FORMATS or width * height > max_pixels:
                return None
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        upload.seek(0)
    return found


def _checked(upload: UploadedFile, position: int) -> UploadedFile:
    refusal = ApplicationError(
        f"Photo {position} is not accepted: photos must be JPEG, PNG or WebP images of at most 10 MB "
        f"and {MAX_IMAGE_PIXELS // 1_000_000} megapixels."
    )
    if upload.size is None or upload.size > MAX_IMAGE_BYTES:
        raise refusal
    found = image_format(upload)
    if found is None:
        raise refusal
    upload.name = f"photo.{IMAGE_FORMATS[found]}"
    return upload
