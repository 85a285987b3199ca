"""The API at /api/v1/, its OpenAPI schema at /api/v1/openapi.json and Swagger UI at
/api/v1/docs (served from our own static files: no CDN, and within the site's CSP).

Operations need an API token unless their router says otherwise (`auth=None`, as the
public log does). The schema is committed as docs/openapi.json, and a test fails when it
drifts; regenerate it with `make openapi`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI, Router

from amanah.access.api import router as access_router
from amanah.accounts.api import router as accounts_router
from amanah.api.auth import ApiTokenAuth
from amanah.api.errors import install_error_handlers
from amanah.assets.api import router as assets_router
from amanah.core.errors import NotFound
from amanah.funds.api import router as fund_router
from amanah.governance.api import board_router
from amanah.governance.api import router as motions_router
from amanah.inbox.api import router as inbox_router
from amanah.ledger.api import router as log_router
from amanah.materials.api import router as materials_router
from amanah.monitoring.api import router as monitoring_router
from amanah.orgs.api import router as organisations_router
from amanah.projects.api import router as projects_router
from amanah.rounds.api import router as rounds_router

__all__ = ["api"]

api = NinjaAPI(
    title="Amanah API",
    version="1",
    description=(
        "The public transparency log and the programme's records. Every error is"
        ' `{"code", "message", "fields"}`; messages follow Accept-Language (en, ar).'
    ),
    auth=ApiTokenAuth(),
    urls_namespace="api-v1",
)
install_error_handlers(api)


def _in_the_requested_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answer in the language the client asks for (language cookie, then Accept-Language).

    LocaleMiddleware gives every address without a language prefix the default language,
    which suits pages (Arabic ones live under /ar/) but not an API, which has one address
    per resource and negotiates the language of its messages.
    """

    @wraps(view)
    def in_language(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = view(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        return response

    return in_language


api.add_decorator(_in_the_requested_language, mode="view")
api.add_router("/log", log_router)
api.add_router("", accounts_router)
api.add_router("/motions", motions_router)
api.add_router("/board", board_router)
api.add_router("/organisations", organisations_router)
api.add_router("/projects", projects_router)
api.add_router("/fund", fund_router)
api.add_router("/rounds", rounds_router)
api.add_router("/monitoring", monitoring_router)
api.add_router("/access", access_router)
api.add_router("/materials", materials_router)
api.add_router("/assets", assets_router)
api.add_router("/messages", inbox_router)

# Mounted last, so it answers only paths no operation matched: with the API's 404 body
# rather than Django's HTML page.
_unknown = Router(auth=None)


@_unknown.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> None:
    raise NotFound()


api.add_router("", _unknown)
