"""`GET /v1beta/models` (and /v1, /v1alpha): the local server's models.list, in the service's
JSON shape and paging, served from the model catalogue.

The service lists every model of the API, live or not; a client keeps those whose
`supportedGenerationMethods` has `bidiGenerateContent`. So does this list: it includes models
that cannot hold a live session, so a client that forgets to filter is caught.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from liveview.protocol.catalogue import CATALOGUE, ModelInfo, Status

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_LIVE_METHODS = ("bidiGenerateContent", "countTokens")
_OTHER_METHODS = ("generateContent", "countTokens")
PATHS = frozenset(f"/{version}/models" for version in ("v1", "v1beta", "v1alpha"))


def listed_models() -> list[ModelInfo]:
    """What models.list names, in a stable order (retired models are not listed)."""
    return sorted(
        (m for m in CATALOGUE.values() if m.status is not Status.RETIRED), key=lambda m: m.id
    )


def _entry(model: ModelInfo) -> dict[str, Any]:
    return {
        "name": f"models/{model.id}",
        "version": "001",
        "displayName": model.display_name,
        "description": model.notes or model.display_name,
        "inputTokenLimit": model.input_token_limit,
        "outputTokenLimit": model.output_token_limit,
        "supportedGenerationMethods": list(_LIVE_METHODS if model.live else _OTHER_METHODS),
        "thinking": model.thinking.value != "none",
    }


def models_page(query: str) -> tuple[HTTPStatus, dict[str, Any]]:
    """One page of models.list for the request's query string (pageSize, pageToken)."""
    params = parse_qs(query)
    try:
        size = int(params.get("pageSize", [str(DEFAULT_PAGE_SIZE)])[0])
        start = int(params.get("pageToken", ["0"])[0] or "0")
    except ValueError:
        return HTTPStatus.BAD_REQUEST, _error(400, "Invalid page size or token.")
    if size <= 0:
        size = DEFAULT_PAGE_SIZE
    size = min(size, MAX_PAGE_SIZE)
    models = listed_models()
    if not 0 <= start <= len(models):
        return HTTPStatus.BAD_REQUEST, _error(400, "Invalid page token.")
    body: dict[str, Any] = {"models": [_entry(m) for m in models[start : start + size]]}
    if start + size < len(models):
        body["nextPageToken"] = str(start + size)
    return HTTPStatus.OK, body


def is_models_path(path: str) -> bool:
    return urlsplit(path).path in PATHS


def _error(code: int, message: str) -> dict[str, Any]:
    status = "INVALID_ARGUMENT" if code == 400 else "UNAUTHENTICATED"
    return {"error": {"code": code, "message": message, "status": status}}


def bad_key_body() -> dict[str, Any]:
    """What the service answers models.list with a wrong key (HTTP 400, as it does)."""
    return _error(400, "API key not valid. Please pass a valid API key.")


def encode(body: dict[str, Any]) -> str:
    return json.dumps(body, indent=2) + "\n"
