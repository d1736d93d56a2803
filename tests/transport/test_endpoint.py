from __future__ import annotations

import pytest

from liveview.errors import ConfigError
from liveview.transport.endpoint import (
    Endpoint,
    custom_endpoint,
    gemini_endpoint,
    is_loopback_host,
    local_endpoint,
    vertex_endpoint,
)

KEY = "AIzaSyTESTKEY0123456789abcdefghijklmno"
TOKEN = "auth_tokens/abcdef0123456789"


def _no_secret(endpoint: Endpoint, secret: str) -> None:
    assert secret not in endpoint.description
    assert secret not in repr(endpoint)
    assert secret not in str(endpoint)
    assert secret not in f"{endpoint!r} {[endpoint]}"


def test_gemini_key_goes_in_the_documented_header() -> None:
    ep = gemini_endpoint(KEY)
    assert ep.url == (
        "wss://generativelanguage.googleapis.com/ws/"
        "google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"
    )
    assert ep.headers == (("x-goog-api-key", KEY),)
    assert KEY not in ep.url
    _no_secret(ep, KEY)
    assert "v1beta" in ep.description


def test_gemini_api_version_is_a_parameter() -> None:
    assert ".v1.GenerativeService" in gemini_endpoint(KEY, "v1").url
    with pytest.raises(ConfigError, match="not an API version"):
        gemini_endpoint(KEY, "latest/../x")


def test_ephemeral_token_uses_the_constrained_v1alpha_method() -> None:
    ep = gemini_endpoint(TOKEN)
    assert ep.url.endswith(
        "google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained"
    )
    assert ep.headers == (("Authorization", f"Token {TOKEN}"),)
    assert "ephemeral token" in ep.description
    _no_secret(ep, TOKEN)
    _no_secret(ep, "abcdef0123456789")


def test_gemini_over_plain_ws_only_to_loopback() -> None:
    ep = gemini_endpoint(KEY, host="127.0.0.1:8765", scheme="ws")
    assert ep.url.startswith("ws://127.0.0.1:8765/ws/")
    with pytest.raises(ConfigError, match=r"unencrypted ws://"):
        gemini_endpoint(KEY, host="example.com", scheme="ws")


@pytest.mark.parametrize("bad", ["", "   ", "abc def", "abc\r\nX-Evil: 1"])
def test_empty_or_injected_keys_are_refused(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        gemini_endpoint(bad)
    assert "X-Evil" not in str(info.value)


def test_vertex_bearer_token_and_hosts() -> None:
    ep = vertex_endpoint("us-central1", "ya29.secret-token")
    assert ep.url == (
        "wss://us-central1-aiplatform.googleapis.com/ws/"
        "google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"
    )
    assert ep.headers == (("Authorization", "Bearer ya29.secret-token"),)
    _no_secret(ep, "ya29.secret-token")
    assert vertex_endpoint("global", "t").url.startswith("wss://aiplatform.googleapis.com/ws/")
    with pytest.raises(ConfigError, match="Vertex AI location"):
        vertex_endpoint("us central1/../evil", "t")


@pytest.mark.parametrize(
    "url",
    [
        "ws://127.0.0.1:9000/ws",
        "ws://127.8.9.10/ws",
        "ws://localhost:9000/ws",
        "ws://LOCALHOST/ws",
        "ws://[::1]:9000/ws",
        "ws://[::ffff:127.0.0.1]:9000/ws",
        "wss://example.com/ws",
    ],
)
def test_custom_key_allowed_over_wss_or_to_loopback(url: str) -> None:
    ep = custom_endpoint(url, api_key=KEY)
    assert ep.headers == (("x-goog-api-key", KEY),)
    _no_secret(ep, KEY)


@pytest.mark.parametrize(
    "url",
    [
        "ws://example.com/ws",
        "ws://192.168.1.10:9000/ws",
        "ws://10.0.0.1/ws",
        "ws://[2001:db8::1]/ws",
        "ws://0.0.0.0:9000/ws",
        "ws://localhost.example.com/ws",
    ],
)
def test_custom_key_over_plain_ws_to_another_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        custom_endpoint(url, api_key=KEY)
    message = str(info.value)
    assert "unencrypted ws://" in message
    assert "wss://" in message and "loopback" in message  # says what to do instead
    assert KEY not in message


def test_custom_without_key_may_use_plain_ws_anywhere() -> None:
    ep = custom_endpoint("ws://192.168.1.10:9000/ws")
    assert ep.headers == ()
    assert ep.description == "custom endpoint ws://192.168.1.10:9000/ws"


def test_secret_in_query_string_counts_as_a_key() -> None:
    url = "wss://example.com/ws?key=QUERYSECRET123&alt=json"
    ep = custom_endpoint(url)
    assert ep.url == url  # sent as given, over wss
    _no_secret(ep, "QUERYSECRET123")
    assert ep.redact("GET /ws?key=QUERYSECRET123") == "GET /ws?key=<redacted>"
    with pytest.raises(ConfigError, match="unencrypted") as info:
        custom_endpoint("ws://example.com/ws?access_token=QUERYSECRET123")
    assert "QUERYSECRET123" not in str(info.value)


def test_user_info_password_counts_as_a_key() -> None:
    with pytest.raises(ConfigError) as info:
        custom_endpoint("ws://user:PASSWORD99@example.com/ws")
    assert "PASSWORD99" not in str(info.value)


def test_ephemeral_token_on_custom_endpoint() -> None:
    ep = custom_endpoint("wss://proxy.example/ws", api_key=TOKEN)
    assert ep.headers == (("Authorization", f"Token {TOKEN}"),)


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("http://127.0.0.1:9000/ws", "http://"),
        ("https://example.com/ws", "https://"),
        ("127.0.0.1:9000", "starts with ws://"),
        ("example.com/ws", "no scheme"),
        ("ws:///path-only", "no host"),
        ("ws://127.0.0.1:notaport/ws", "malformed"),
        ("ws://127.0.0.1:99999/ws", "malformed"),
    ],
)
def test_bad_urls_give_clear_messages(url: str, needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        custom_endpoint(url)
    with pytest.raises(ConfigError, match=needle):
        local_endpoint(url)


def test_bad_url_message_does_not_echo_a_query_secret() -> None:
    with pytest.raises(ConfigError) as info:
        custom_endpoint("http://example.com/ws?key=HIDDEN42")
    assert "HIDDEN42" not in str(info.value)


def test_local_endpoint() -> None:
    ep = local_endpoint("ws://127.0.0.1:4567/ws/x#frag")
    assert ep.url == "ws://127.0.0.1:4567/ws/x"
    assert ep.headers == ()
    assert ep.is_loopback
    assert ep.description == "local server ws://127.0.0.1:4567/ws/x"
    with pytest.raises(ConfigError, match="must not carry credentials"):
        local_endpoint("ws://127.0.0.1:4567/ws?key=abc")


def test_loopback_detection() -> None:
    assert is_loopback_host("127.0.0.1")
    assert is_loopback_host("[::1]")
    assert not is_loopback_host("128.0.0.1")
    assert not is_loopback_host("localhost.evil.com")
    assert not is_loopback_host("")


def test_endpoint_equality_ignores_nothing_that_matters() -> None:
    assert gemini_endpoint(KEY) == gemini_endpoint(KEY)
    assert gemini_endpoint(KEY) != gemini_endpoint(KEY + "x")
