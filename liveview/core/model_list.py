"""Which Live models the chosen backend offers: models.list, filtered to bidiGenerateContent.

The Gemini API answers `GET v1beta/models` (paged) with a key; the local server answers the same
request on its own port. A list that was fetched is kept in a small cache file, so an offline
start still offers the models seen last time (and says how old that list is). With neither, the
catalogue's own list stands in.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import platformdirs

from liveview.core.settings import Backend, SessionSettings
from liveview.protocol.catalogue import live_models

log = logging.getLogger(__name__)

GEMINI_MODELS_URL = "https://generativelanguage.googleapis.com/v1beta/models"
PAGE_SIZE = 200
MAX_PAGES = 10  # a list longer than 2,000 models is not a list of Live models
FETCH_TIMEOUT_S = 8.0
CACHE_FILE = "models.json"


@dataclass(frozen=True)
class ModelList:
    models: tuple[str, ...]  # bare ids that support bidiGenerateContent
    source: str  # "the Gemini API", "the local server", "the catalogue"
    fetched_at: float | None = None  # wall-clock time of the fetch (None: the catalogue)
    stale: bool = False  # from the cache: this fetch failed

    def describe(self, now: float | None = None) -> str:
        """One line for the Settings dialog."""
        if self.fetched_at is None:
            return f"{len(self.models)} models from {self.source}."
        age = _age((now or time.time()) - self.fetched_at)
        if self.stale:
            return f"Offline: the list {self.source} gave {age} ago."
        return f"{len(self.models)} live models from {self.source}."


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{max(1, round(seconds))} s"
    if seconds < 7200:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


def live_ids(page: dict[str, Any]) -> list[str]:
    """The ids on one models.list page whose supportedGenerationMethods has
    bidiGenerateContent."""
    found = []
    for model in page.get("models", []):
        if not isinstance(model, dict):
            continue
        methods = model.get("supportedGenerationMethods") or []
        name = str(model.get("name", "")).removeprefix("models/")
        if name and "bidiGenerateContent" in methods:
            found.append(name)
    return found


def models_endpoint(
    settings: SessionSettings, local_url: str | None
) -> tuple[str, dict[str, str], str] | None:
    """(url, headers, description) of the models list for this backend, or None."""
    if settings.backend is Backend.LOCAL:
        base = settings.url or local_url
        if not base:
            return None
        http = base.replace("ws://", "http://", 1).replace("wss://", "https://", 1)
        return f"{http.rstrip('/')}/v1beta/models", {}, "the local server"
    if settings.backend is Backend.GEMINI and settings.api_key:
        headers = {"x-goog-api-key": settings.api_key}
        return GEMINI_MODELS_URL, headers, "the Gemini API"
    return None


def fetch_live_models(url: str, headers: dict[str, str]) -> list[str]:
    """Blocking (call in a thread): every page, filtered. Raises OSError/ValueError."""
    found: list[str] = []
    token = ""
    for _ in range(MAX_PAGES):
        query = {"pageSize": str(PAGE_SIZE), **({"pageToken": token} if token else {})}
        request = urllib.request.Request(f"{url}?{urlencode(query)}", headers=headers)
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:
            page = json.load(response)
        if not isinstance(page, dict):
            raise ValueError("models.list did not answer with an object")
        found += live_ids(page)
        token = str(page.get("nextPageToken") or "")
        if not token:
            break
    return sorted(set(found))


class ModelListCache:
    """The last list each backend gave, in a JSON file under the user's cache folder."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(platformdirs.user_cache_dir("liveview")) / CACHE_FILE

    def load(self, source: str) -> ModelList | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entry = data[source]
            return ModelList(tuple(entry["models"]), source, float(entry["at"]), stale=True)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, found: ModelList) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        data[found.source] = {"models": list(found.models), "at": found.fetched_at}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(json.dumps(data, indent=1), encoding="utf-8")
        except OSError as exc:  # a read-only or full disk: the list is still shown
            log.info("could not cache the model list: %s", exc)


def catalogue_list() -> ModelList:
    return ModelList(tuple(m.id for m in live_models()), "the catalogue")


def model_list(
    settings: SessionSettings, local_url: str | None, cache: ModelListCache
) -> ModelList:
    """Blocking (call in a thread): the backend's list, else its cached one, else the
    catalogue's. Never raises."""
    endpoint = models_endpoint(settings, local_url)
    if endpoint is None:
        return catalogue_list()
    url, headers, source = endpoint
    try:
        models = fetch_live_models(url, headers)
    except (OSError, ValueError, urllib.error.URLError) as exc:
        # Never log the request: its headers hold the key.
        log.info("models.list from %s failed: %s", source, type(exc).__name__)
        return cache.load(source) or catalogue_list()
    found = ModelList(tuple(models), source, time.time())
    cache.save(found)
    return found
