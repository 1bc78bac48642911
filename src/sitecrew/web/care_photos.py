"""Care photos over HTTP: upload one for a job, fetch one by id (issue 17, item 3).

``POST /care/jobs/{job_id}/photos`` takes the image itself as the request body (any
``Content-Type``; the type is judged by the bytes) and answers 201 with the photo's id, hash,
type and size; the id then goes into ``recordInspection``/``recordRepair``. A raw body rather
than ``multipart/form-data`` or a GraphQL upload: one photo per request is what a crew's phone
sends, the size limit is enforced while the bytes arrive (nothing larger is ever held), the
GraphQL endpoint keeps its small body limit and its JSON-only parser, and no multipart parser
(python-multipart) is needed on the server. Uploading the same bytes for the same job again
answers the same photo (200), so a retried upload after a lost answer does no harm.

``GET /care/photos/{photo_id}`` serves the bytes to admins, the planners of the job's region
and the crew that took the photo; anyone else gets 404 as for a photo that does not exist, and
a request without a token 401. Refusals answer ``{"error": {"code", "message", "requestId"}}``
(:mod:`sitecrew.web.file_errors`): 413 FILE_TOO_LARGE, 415 UNSUPPORTED_MEDIA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import anyio.to_thread
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sitecrew.domain.ids import parse_id
from sitecrew.errors import FileTooLargeError, InvalidInputError, SitecrewError
from sitecrew.services.care.photos import Photo, UploadPhoto, read_photo, upload_photo
from sitecrew.web.admission import ServerBusyError
from sitecrew.web.file_errors import busy_answer, refusal_answer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker
    from starlette.requests import Request

    from sitecrew.config import PhotoSettings
    from sitecrew.domain.access import Principal
    from sitecrew.web.admission import Admission
    from sitecrew.web.auth import BearerAuthenticator

UPLOAD_PATH = "/care/jobs/{job_id}/photos"
PHOTO_PATH = "/care/photos/{photo_id}"


class CarePhotos:
    """The endpoints behind :data:`UPLOAD_PATH` and :data:`PHOTO_PATH`."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        authenticator: BearerAuthenticator,
        admission: Admission,
        settings: PhotoSettings,
    ) -> None:
        self._sessions = sessions
        self._authenticator = authenticator
        self._admission = admission
        self._settings = settings

    def routes(self) -> list[Route]:
        """Return the upload and download routes."""
        return [
            Route(UPLOAD_PATH, self.upload, methods=["POST"]),
            Route(PHOTO_PATH, self.download, methods=["GET"]),
        ]

    async def upload(self, request: Request) -> Response:
        """Store the request body as a photo of the job in the path."""
        principal: Principal | None = None
        try:
            async with self._admission.admitted():
                principal = await self._authenticator.principal(request.headers)
                job_id = parse_id(request.path_params["job_id"], "job")
                data = await self._body(request)
                photo, new = await anyio.to_thread.run_sync(self._store, principal, job_id, data)
        except SitecrewError as error:
            return refusal_answer(error, principal, what="photo upload")
        except ServerBusyError as busy:
            return busy_answer(busy)
        return JSONResponse(_answer(photo), status_code=201 if new else 200)

    async def _body(self, request: Request) -> bytes:
        """Read the body, refusing it as soon as it is known to exceed the limit."""
        limit = self._settings.max_bytes
        declared = request.headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            raise FileTooLargeError(f"a photo may have at most {limit} bytes")
        chunks: list[bytes] = []
        received = 0
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise FileTooLargeError(f"a photo may have at most {limit} bytes")
            chunks.append(chunk)
        if not received:
            raise InvalidInputError("send the photo's bytes as the request body")
        return b"".join(chunks)

    def _store(self, principal: Principal, job_id: int, data: bytes) -> tuple[Photo, bool]:
        with self._sessions.begin() as session:
            return upload_photo(session, principal, UploadPhoto(job_id, data), self._settings)

    async def download(self, request: Request) -> Response:
        """Serve a photo's bytes to whom may see it."""
        principal: Principal | None = None
        try:
            async with self._admission.admitted():
                principal = await self._authenticator.principal(request.headers)
                photo_id = parse_id(request.path_params["photo_id"], "photo")
                photo, data = await anyio.to_thread.run_sync(self._read, principal, photo_id)
        except SitecrewError as error:
            return refusal_answer(error, principal, what="photo download")
        except ServerBusyError as busy:
            return busy_answer(busy)
        headers = {
            "Cache-Control": "private, max-age=3600",
            "ETag": f'"{photo.sha256}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="photo-{photo.id}"',
        }
        return Response(data, media_type=photo.media_type, headers=headers)

    def _read(self, principal: Principal, photo_id: int) -> tuple[Photo, bytes]:
        with self._sessions() as session:
            return read_photo(session, principal, photo_id, self._settings)


def _answer(photo: Photo) -> dict[str, object]:
    return {
        "id": str(photo.id),
        "sha256": photo.sha256,
        "mediaType": photo.media_type,
        "sizeBytes": photo.size_bytes,
        "jobId": str(photo.job_id),
        "url": PHOTO_PATH.format(photo_id=photo.id),
    }
