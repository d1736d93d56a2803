"""From settings to an endpoint: which service, which credentials, or the embedded local server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

from liveview.core.settings import Backend, SessionSettings
from liveview.errors import ConfigError, Setting
from liveview.transport.endpoint import (
    Endpoint,
    custom_endpoint,
    gemini_endpoint,
    local_endpoint,
    vertex_endpoint,
)


@dataclass(frozen=True)
class ResolvedBackend:
    endpoint: Endpoint
    settings: SessionSettings  # with the model name the backend needs
    description: str  # safe to show: never a key


NO_KEY_MESSAGE = (
    "No API key is configured for the Gemini API. Set GEMINI_API_KEY, enter a key in "
    "Settings > API key, or use the built-in local server (--backend local)."
)


def resolve_endpoint(settings: SessionSettings, local_url: str | None = None) -> ResolvedBackend:
    """`local_url`: where the embedded local server listens, when the backend is local."""
    if settings.backend is Backend.LOCAL:
        url = settings.url or local_url
        if url is None:
            raise ConfigError("The local server is not running.", setting=Setting.BACKEND)
        endpoint = local_endpoint(url)
        return ResolvedBackend(endpoint, settings, f"local server ({settings.model})")
    if settings.backend is Backend.CUSTOM:
        if not settings.url:
            raise ConfigError(
                "A custom backend needs a URL (--url ws://... or wss://...).", setting=Setting.URL
            )
        endpoint = custom_endpoint(settings.url, settings.api_key)
        return ResolvedBackend(endpoint, settings, endpoint.description)
    if not settings.api_key:
        raise ConfigError(NO_KEY_MESSAGE, setting=Setting.API_KEY)
    if settings.backend is Backend.VERTEX:
        if not settings.vertex_project:
            raise ConfigError(
                "Vertex AI needs a project id (Settings > Backend > Project).",
                setting=Setting.BACKEND,
            )
        model = settings.model
        if not model.startswith("projects/"):
            model = (
                f"projects/{settings.vertex_project}/locations/{settings.vertex_location}"
                f"/publishers/google/models/{model.removeprefix('models/')}"
            )
        endpoint = vertex_endpoint(settings.vertex_location, settings.api_key)
        return ResolvedBackend(endpoint, replace(settings, model=model), endpoint.description)
    endpoint = gemini_endpoint(settings.api_key)
    return ResolvedBackend(endpoint, settings, f"{endpoint.description}, model {settings.model}")


@contextlib.contextmanager
def embedded_local_server(settings: SessionSettings) -> Iterator[str | None]:
    """Run the local Live server on its own thread when the local backend needs one.

    Its own thread and loop: its OpenCV analysis and speech synthesis must never slow the
    window's event loop. Yields its ws:// URL, or None when no embedded server is needed.
    """
    if settings.backend is not Backend.LOCAL or settings.url:
        yield None
        return
    from liveview.server.app import LocalLiveServer, running_in_thread
    from liveview.server.settings import embedded_settings

    with running_in_thread(LocalLiveServer(settings=embedded_settings())) as server:
        yield server.url


class LocalServerKeeper:
    """The embedded local server, started once on first need and kept for later sessions (the
    window's Start/Stop, its Settings' model list). Its start runs on a worker thread."""

    def __init__(self) -> None:
        self._cm: contextlib.AbstractContextManager[str | None] | None = None
        self._starting: asyncio.Future[str | None] | None = None
        self.url: str | None = None

    async def url_for(self, settings: SessionSettings) -> str | None:
        """The embedded server's URL when `settings` need it, else None."""
        if self.url is not None:
            return self.url
        if self._starting is None:
            # Shielded: a caller that gives up (a closed dialog) must not leave a server
            # running that nobody will stop.
            self._starting = asyncio.ensure_future(self._start(settings))
        return await asyncio.shield(self._starting)

    async def _start(self, settings: SessionSettings) -> str | None:
        cm = embedded_local_server(settings)
        try:
            url = await asyncio.to_thread(cm.__enter__)
        finally:
            self._starting = None
        if url is not None:
            self._cm, self.url = cm, url
        return url

    async def aclose(self) -> None:
        if self._starting is not None:
            await asyncio.wait([self._starting])
        cm, self._cm, self.url = self._cm, None, None
        if cm is not None:
            await asyncio.to_thread(cm.__exit__, None, None, None)
