"""Documents sent with an answer: PDF or image, recognised by their bytes, never by their name or Content-Type.

A PDF must start with the PDF header and end with its end-of-file marker, and
carries no active content (JavaScript, launch actions, embedded files); an
image must open in Pillow as JPEG, PNG or WebP within a sane pixel count.
Anything else is refused with a message saying what is accepted.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.uploads import image_format

MAX_DOCUMENTS = 5
MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "MPO": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
IMAGE_FORMATS["WEBP"] = ("webp", "image/webp")
PDF_HEADER = re.compile(rb"\A%PDF-[12]\.\d")
# Active content a customs document has no need of: scripts, actions that start programs, files inside.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")


@dataclass(frozen=True)
class CheckedDocument:
    """An upload recognised as a PDF or an image, with what the content showed."""

    upload: UploadedFile
    extension: str
    content_type: str
    size: int
    sha256: str
    original_name: str


def max_bytes() -> int:
    return settings.OPENCLEAR_ANSWER_DOCUMENT_MAX_BYTES


def documents_check(uploads: list[UploadedFile]) -> list[CheckedDocument]:
    """Each upload checked by its content; raises on the first that is not an accepted document."""
    if len(uploads) > MAX_DOCUMENTS:
        raise ApplicationError(
            _("At most %(count)d documents at a time.") % {"count": MAX_DOCUMENTS}, code="too_many_documents"
        )
    return [_checked(upload, position) for position, upload in enumerate(uploads, start=1)]


def _refusal(position: int, name: str) -> ApplicationError:
    detail = {"field": f"documents[{position - 1}]", "code": "document_refused", "message": name}
    message = _(
        "Document %(position)d (%(name)s) is not accepted: send a PDF or a JPEG, PNG or WebP image "
        "of at most %(mb)d MB."
    ) % {"position": position, "name": name, "mb": max_bytes() // (1024 * 1024)}
    return ApplicationError(message, code="document_refused", details=[{**detail, "message": message}])


def _checked(upload: UploadedFile, position: int) -> CheckedDocument:
    name = shown_name(upload.name or "")
    if upload.size is None or upload.size == 0 or upload.size > max_bytes():
        raise _refusal(position, name)
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    upload.seek(0)
    if len(data) > max_bytes():
        raise _refusal(position, name)
    kind = _pdf(data) or _image(upload)
    if kind is None:
        raise _refusal(position, name)
    extension, content_type = kind
    digest = hashlib.sha256(data).hexdigest()
    return CheckedDocument(upload, extension, content_type, len(data), digest, name)


def _pdf(data: bytes) -> tuple[str, str] | None:
    if not PDF_HEADER.match(data) or b"%%EOF" not in data[-1024:] or PDF_ACTIVE.search(data):
        return None
    return "pdf", "application/pdf"


def _image(upload: UploadedFile) -> tuple[str, str] | None:
    found = image_format(upload, max_pixels=MAX_PIXELS)
    return IMAGE_FORMATS[found] if found else None


def shown_name(name: str) -> str:
    """The sender's file name as a label only: its last part, printable characters, 100 at most."""
    base = PureWindowsPath(PurePosixPath(name).name).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    return cleaned.strip()[:100] or "document"
