"""The API key: environment variables win, then the OS keychain (keyring). Never a plain file."""

from __future__ import annotations

import contextlib
import logging

from liveview.core.settings import api_key_from_environment

log = logging.getLogger(__name__)

KEYRING_SERVICE = "liveview"
KEYRING_USER = "gemini-api-key"


def stored_api_key() -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(KEYRING_SERVICE, KEYRING_USER) or None
        except KeyringError as exc:
            log.info("no usable keychain: %s", type(exc).__name__)
            return None
    except Exception as exc:  # a broken keyring backend must not stop the app
        log.info("keychain unavailable: %s", type(exc).__name__)
        return None


def store_api_key(key: str | None) -> None:
    """Save (or, with None/"", delete) the key in the OS keychain. Raises ConfigError on failure."""
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    from liveview.errors import ConfigError

    try:
        if key:
            keyring.set_password(KEYRING_SERVICE, KEYRING_USER, key)
        else:
            with contextlib.suppress(PasswordDeleteError):
                keyring.delete_password(KEYRING_SERVICE, KEYRING_USER)
    except KeyringError as exc:
        raise ConfigError(
            "The key could not be saved: no OS keychain is available on this system. "
            "Set the GEMINI_API_KEY environment variable instead."
        ) from exc


def configured_api_key() -> tuple[str | None, str]:
    """(key, where it came from) — `where` is safe to show: never the key itself."""
    key = api_key_from_environment()
    if key:
        return key, "environment"
    key = stored_api_key()
    if key:
        return key, "keychain"
    return None, ""
