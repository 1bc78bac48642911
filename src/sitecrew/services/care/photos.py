"""Photos of inspections and repairs: stored once per content, shown only to whom may see them.

The bytes are files named by their SHA-256 (``<dir>/ab/cd/<sha256>``): the same photo uploaded
twice, or for two jobs, is one file, and a file's name proves its content. The database keeps
one row per job and photo (who took it, the job's region), which is what access is decided on:
a file is never served by its hash, only through a row the caller may see
(:func:`sitecrew.services.scoping.get_readable_photo`).

The type is judged by the first bytes (JPEG, PNG, WebP), never by a file name or a declared
content type, so that a page or a script named ``x.jpg`` is refused rather than served back to a
planner's browser. The size is capped before the type is even looked at.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from sitecrew.db import models as m
from sitecrew.db.engine import transaction
from sitecrew.errors import (
    ConflictError,
    FileTooLargeError,
    InvalidInputError,
    NotFoundError,
    UnsupportedMediaError,
)
from sitecrew.services._persist import save
from sitecrew.services.scoping import get_readable_photo, get_recordable_care_job

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from sitecrew.config import PhotoSettings
    from sitecrew.domain.access import Principal

#: WebP is a RIFF container: "RIFF", four bytes of length, then "WEBP".
_WEBP_OFFSET = 8
ACCEPTED = ("image/jpeg", "image/png", "image/webp")


def media_type_of(data: bytes) -> str:
    """Return the image type of ``data`` by its magic bytes.

    Raises
    ------
    UnsupportedMediaError
        When the bytes are not a JPEG, PNG or WebP image.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"RIFF") and data[_WEBP_OFFSET : _WEBP_OFFSET + 4] == b"WEBP":
        return "image/webp"
    raise UnsupportedMediaError(f"a photo must be {', '.join(ACCEPTED)} (judged by its bytes)")


def check_photo(data: bytes, settings: PhotoSettings) -> str:
    """Return the media type of an acceptable photo.

    Raises
    ------
    InvalidInputError
        For an empty file.
    FileTooLargeError
        Above ``settings.max_bytes``.
    UnsupportedMediaError
        For anything but JPEG, PNG and WebP.
    """
    if not data:
        raise InvalidInputError("the photo is empty")
    if len(data) > settings.max_bytes:
        msg = f"a photo may have at most {settings.max_bytes} bytes, this one has {len(data)}"
        raise FileTooLargeError(msg)
    return media_type_of(data)


def photo_path(directory: Path, sha256: str) -> Path:
    """Return where the photo with ``sha256`` is stored."""
    return directory / sha256[:2] / sha256[2:4] / sha256


def store_bytes(directory: Path, data: bytes) -> str:
    """Write ``data`` under its SHA-256 unless that file exists, and return the hash.

    Written to a temporary file beside the target and renamed into place, so a reader never
    sees half a photo and two writers of the same bytes both end with the one whole file.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    target = photo_path(directory, sha256)
    if target.exists():
        return sha256
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return sha256


@dataclass(frozen=True)
class Photo:
    """A stored photo's facts (the bytes are read separately)."""

    id: int
    sha256: str
    media_type: str
    size_bytes: int
    job_id: int
    region_id: int
    crew_id: int | None
    inspection_id: int | None = None
    repair_id: int | None = None

    @classmethod
    def of(cls, row: m.CarePhoto) -> Photo:
        """Build from a row."""
        return cls(
            id=row.id,
            sha256=row.sha256,
            media_type=row.media_type,
            size_bytes=row.size_bytes,
            job_id=row.job_id,
            region_id=row.region_id,
            crew_id=row.crew_id,
            inspection_id=row.inspection_id,
            repair_id=row.repair_id,
        )


@dataclass(frozen=True)
class UploadPhoto:
    """A photo taken on a job, as bytes."""

    job_id: int
    data: bytes


def upload_photo(
    session: Session, principal: Principal, command: UploadPhoto, settings: PhotoSettings
) -> tuple[Photo, bool]:
    """Store a photo for a job the caller may record on, and say whether it is new.

    The same bytes for the same job again give the stored photo (``False``): a retried upload
    whose answer was lost does no harm.

    The file is written before the row; a row that then fails leaves a file nobody can reach
    (served only through rows), which the next upload of the same bytes reuses.

    Raises
    ------
    PermissionDeniedError
        For contractors and tenants.
    NotFoundError
        When the job is not one the caller may record on (a crew: its route of today).
    FileTooLargeError, UnsupportedMediaError, InvalidInputError
        For a file that is too large, not an image of an accepted type, or empty.
    """
    with transaction(session):
        job = get_recordable_care_job(session, principal, command.job_id, action="upload photos")
        media_type = check_photo(command.data, settings)
        sha256 = hashlib.sha256(command.data).hexdigest()
        existing = session.scalar(
            select(m.CarePhoto).where(m.CarePhoto.job_id == job.id, m.CarePhoto.sha256 == sha256)
        )
        if existing is not None:
            return Photo.of(existing), False
        store_bytes(settings.directory, command.data)
        row = m.CarePhoto(
            sha256=sha256,
            media_type=media_type,
            size_bytes=len(command.data),
            region_id=job.region_id,
            job_id=job.id,
            crew_id=principal.crew_id,
        )
        return Photo.of(save(session, row)), True


def read_photo(
    session: Session, principal: Principal, photo_id: int, settings: PhotoSettings
) -> tuple[Photo, bytes]:
    """Return a photo the caller may see, with its bytes.

    Raises
    ------
    NotFoundError
        When there is no such photo for this caller (see ``scoping.get_readable_photo``), or
        its file is missing from the photo directory.
    """
    photo = Photo.of(get_readable_photo(session, principal, photo_id))
    path = photo_path(settings.directory, photo.sha256)
    try:
        return photo, path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"the file of photo {photo_id} is missing") from None


def attach_photos(
    session: Session,
    principal: Principal,
    photo_ids: Sequence[int],
    job_id: int,
    *,
    inspection_id: int | None = None,
    repair_id: int | None = None,
) -> list[Photo]:
    """Attach uploaded photos of ``job_id`` to an inspection or repair (inside its transaction).

    Raises
    ------
    NotFoundError
        For a photo the caller may not see, or of another job.
    ConflictError
        For a photo already attached to another record.
    """
    attached = []
    for photo_id in dict.fromkeys(photo_ids):
        row = get_readable_photo(session, principal, photo_id)
        if row.job_id != job_id:
            raise NotFoundError(f"no photo with id {photo_id} on job {job_id}")
        if row.inspection_id is not None or row.repair_id is not None:
            raise ConflictError(f"photo {photo_id} already belongs to another record")
        row.inspection_id, row.repair_id = inspection_id, repair_id
        attached.append(Photo.of(save(session, row)))
    return attached
