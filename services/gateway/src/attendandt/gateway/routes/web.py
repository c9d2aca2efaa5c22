"""The built web app (`web/dist`) at `/`: files as they are, and `index.html` for any other
path outside the API (the app routes in the browser). Only registered when the build exists."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from litestar import Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File

#: Paths that are never the web app's: an unknown one there is a plain 404.
_NOT_WEB = ("api/", "schema/")


def web_router(dist: Path) -> Router:
    root = dist.resolve()
    index = root / "index.html"

    def _file(path: str) -> File | Response[bytes]:
        relative = path.lstrip("/")
        if relative in ("api", "schema") or relative.startswith(_NOT_WEB):
            raise NotFoundException()
        candidate = (root / relative).resolve()
        if relative and candidate.is_relative_to(root) and candidate.is_file():
            media_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
            # Vite puts content hashes in asset names: those never change.
            immutable = candidate.is_relative_to(root / "assets")
            cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
            return File(
                candidate,
                media_type=media_type,
                headers={"Cache-Control": cache},
                content_disposition_type="inline",
            )
        return Response(
            index.read_bytes(), media_type="text/html", headers={"Cache-Control": "no-cache"}
        )

    @get("/", include_in_schema=False, opt={"public": True})
    async def web_index() -> File | Response[bytes]:
        return _file("")

    @get("/{path:path}", include_in_schema=False, opt={"public": True})
    async def web_files(path: FromPath[str]) -> File | Response[bytes]:
        return _file(path)

    return Router(path="/", route_handlers=[web_index, web_files])
