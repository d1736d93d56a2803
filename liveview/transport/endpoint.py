"""Where to connect and how to authenticate, without ever letting a secret escape.

An `Endpoint` carries the URL, the auth headers and a `description` fit for logs and the UI.
The secrets it holds (keys, tokens) are listed in `secrets` so the transport can redact them from
anything it logs or raises. A key only ever travels over `wss://` or to a loopback address.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from liveview.errors import ConfigError

GEMINI_HOST = "generativelanguage.googleapis.com"
GEMINI_API_VERSION = "v1beta"
# Ephemeral tokens are documented against v1alpha and its "Constrained" method.
EPHEMERAL_API_VERSION = "v1alpha"
EPHEMERAL_TOKEN_PREFIX = "auth_tokens/"
VERTEX_API_VERSION = "v1beta1"
API_KEY_HEADER = "x-goog-api-key"
REDACTED = "<redacted>"

_GEMINI_PATH = "/ws/google.ai.generativelanguage.{version}.GenerativeService.{method}"
_VERTEX_PATH = "/ws/google.cloud.aiplatform.{version}.LlmBidiService/BidiGenerateContent"
_LOCATION_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_VERSION_RE = re.compile(r"^v\d+(?:alpha|beta)?\d*$")
# Query parameters the service reads credentials from (PROTOCOL.md: ?key=, ?access_token=).
_SECRET_QUERY_PARAMS = frozenset({"key", "access_token", "token", "api_key"})


@dataclass(frozen=True, repr=False)
class Endpoint:
    url: str
    headers: tuple[tuple[str, str], ...]
    # Safe to log and show: never contains a key, token or secret query parameter.
    description: str
    # Every secret inside url/headers, for redaction; not part of equality.
    secrets: tuple[str, ...] = field(default=(), compare=False)

    def __repr__(self) -> str:
        return f"Endpoint({self.description!r})"

    __str__ = __repr__

    @property
    def is_loopback(self) -> bool:
        return is_loopback_host(urlsplit(self.url).hostname or "")

    def redact(self, text: str) -> str:
        """`text` with every secret of this endpoint replaced by <redacted>."""
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, REDACTED)
        return text


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 (also IPv4-mapped) and localhost: traffic that never leaves the machine."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped.is_loopback
    return addr.is_loopback


def _check_secret(value: str, what: str) -> str:
    value = value.strip()
    if not value:
        raise ConfigError(f"The {what} is empty. Enter it in Settings > API key.")
    # A newline in a header value would be header injection; websockets refuses it obscurely.
    if any(ch.isspace() or ord(ch) < 0x20 for ch in value):
        raise ConfigError(
            f"The {what} contains spaces or control characters; paste it again without them."
        )
    return value


def _auth_header(key: str) -> tuple[str, str]:
    if key.startswith(EPHEMERAL_TOKEN_PREFIX):
        return ("Authorization", f"Token {key}")
    return (API_KEY_HEADER, key)


def _parse_ws_url(url: str) -> tuple[str, str, str]:
    """Validate a ws:// or wss:// URL; return (scheme, host, url without fragment)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError as exc:
        raise ConfigError(f"The URL {_safe_url(text)!r} is malformed: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("ws", "wss"):
        shown = f"{scheme}://" if scheme else "no scheme"
        raise ConfigError(
            f"The URL {_safe_url(text)!r} has {shown}; a Live endpoint URL starts with "
            "ws:// (local) or wss:// (secure)."
        )
    if not parts.hostname:
        raise ConfigError(f"The URL {_safe_url(text)!r} has no host name.")
    return scheme, parts.hostname, urlunsplit(parts._replace(fragment=""))


def _safe_url(url: str) -> str:
    """A URL for messages: no user info, no query string (either may hold a credential)."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        return "<unparsable URL>"


def _url_secrets(url: str) -> tuple[str, ...]:
    parts = urlsplit(url)
    found = [v for k, v in parse_qsl(parts.query) if k.lower() in _SECRET_QUERY_PARAMS and v]
    if parts.password:
        found.append(parts.password)
    return tuple(found)


def _refuse_plain_text_key(scheme: str, host: str, url: str) -> None:
    if scheme == "ws" and not is_loopback_host(host):
        raise ConfigError(
            f"Refusing to send an API key over unencrypted ws:// to {host} ({_safe_url(url)}): "
            "anyone on the network could read it. Use a wss:// URL, or a loopback address "
            "(127.0.0.1, ::1, localhost) for a local server."
        )


def gemini_endpoint(
    api_key: str,
    api_version: str | None = None,
    host: str = GEMINI_HOST,
    *,
    scheme: str = "wss",
) -> Endpoint:
    """The Gemini API; a key starting `auth_tokens/` is an ephemeral token (v1alpha endpoint)."""
    key = _check_secret(api_key, "API key")
    ephemeral = key.startswith(EPHEMERAL_TOKEN_PREFIX)
    version = api_version or (EPHEMERAL_API_VERSION if ephemeral else GEMINI_API_VERSION)
    if not _VERSION_RE.match(version):
        raise ConfigError(f"{version!r} is not an API version (expected e.g. v1beta).")
    method = "BidiGenerateContentConstrained" if ephemeral else "BidiGenerateContent"
    url = f"{scheme}://{host}" + _GEMINI_PATH.format(version=version, method=method)
    url_scheme, url_host, url = _parse_ws_url(url)
    _refuse_plain_text_key(url_scheme, url_host, url)
    what = "ephemeral token" if ephemeral else "API key"
    return Endpoint(
        url=url,
        headers=(_auth_header(key),),
        description=f"Gemini API ({host}, {version}, {what})",
        secrets=(key,),
    )


def vertex_endpoint(
    location: str, access_token: str, *, api_version: str = VERTEX_API_VERSION
) -> Endpoint:
    """Vertex AI: OAuth access token as a bearer; `location` like us-central1 or global."""
    loc = location.strip().lower()
    if not _LOCATION_RE.match(loc):
        raise ConfigError(f"{location!r} is not a Vertex AI location (e.g. us-central1).")
    if not _VERSION_RE.match(api_version):
        raise ConfigError(f"{api_version!r} is not an API version (expected e.g. v1beta1).")
    token = _check_secret(access_token, "Vertex AI access token")
    host = "aiplatform.googleapis.com" if loc == "global" else f"{loc}-aiplatform.googleapis.com"
    return Endpoint(
        url=f"wss://{host}" + _VERTEX_PATH.format(version=api_version),
        headers=(("Authorization", f"Bearer {token}"),),
        description=f"Vertex AI ({loc}, {api_version}, access token)",
        secrets=(token,),
    )


def custom_endpoint(url: str, api_key: str | None = None) -> Endpoint:
    """Any Live-compatible URL. A key (header, ?key= or user info) needs wss:// or loopback."""
    scheme, host, clean = _parse_ws_url(url)
    secrets = _url_secrets(clean)
    headers: tuple[tuple[str, str], ...] = ()
    if api_key is not None:
        key = _check_secret(api_key, "API key")
        headers = (_auth_header(key),)
        secrets = (*secrets, key)
    if secrets:
        _refuse_plain_text_key(scheme, host, clean)
    auth = ", with credentials" if secrets else ""
    return Endpoint(
        url=clean,
        headers=headers,
        description=f"custom endpoint {_safe_url(clean)}{auth}",
        secrets=secrets,
    )


def local_endpoint(url: str) -> Endpoint:
    """A local Live server (no credentials), e.g. the embedded one on 127.0.0.1."""
    _scheme, _host, clean = _parse_ws_url(url)
    secrets = _url_secrets(clean)
    if secrets:
        raise ConfigError(
            "A local server URL must not carry credentials; use a custom endpoint with a key."
        )
    return Endpoint(url=clean, headers=(), description=f"local server {_safe_url(clean)}")
