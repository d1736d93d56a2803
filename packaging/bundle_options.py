"""What the PyInstaller bundle does differently on each OS.

liveview.spec imports this and asks for `sys.platform`; tests/packaging ask for all three, since
only the Linux bundle can be built here and the Windows and macOS ones are built by the release
workflow on their own runners.
"""

from __future__ import annotations

# keyring finds its backends through entry points and imports them itself, so PyInstaller sees
# none of them. Each OS needs its own keychain's backend in the bundle, or the API key cannot be
# kept (`liveview --self-test` checks the choice on Windows and macOS).
KEYRING_BACKENDS = {
    # Credential Manager, through pywin32-ctypes (keyring's dependency on Windows)
    "win32": [
        "keyring.backends.Windows",
        "win32ctypes.core",
        "win32ctypes.pywin32.pywintypes",
        "win32ctypes.pywin32.win32cred",
    ],
    # the login Keychain, through ctypes and the Security framework
    "darwin": ["keyring.backends.macOS", "keyring.backends.macOS.api"],
    # the Secret Service over D-Bus (GNOME Keyring, KWallet), when installed
    "linux": ["keyring.backends.SecretService", "secretstorage", "jeepney"],
}


def os_name(platform: str) -> str:
    """The OS name used here (win32, darwin or linux) for a `sys.platform` value."""
    return "linux" if platform.startswith("linux") else platform


def hidden_imports(platform: str) -> list[str]:
    """Modules imported in ways PyInstaller's analysis cannot follow, for this OS."""
    return list(KEYRING_BACKENDS.get(os_name(platform), []))


def windowed(platform: str) -> bool:
    """Whether the main executable is a GUI one rather than a console one.

    Windows: a console exe opens a console window behind the app (liveview-cli.exe is the console
    twin for `doctor` and `--self-test`). macOS: PyInstaller marks a console exe's .app
    LSBackgroundOnly, which means no Dock icon, no menu bar and no focus; a GUI exe started from a
    terminal still prints there. Linux: a console program; the desktop entry sets Terminal=false.
    """
    return os_name(platform) in ("win32", "darwin")


def console_twin(platform: str) -> bool:
    """Whether the bundle carries liveview-cli, a console executable beside the windowed one."""
    return os_name(platform) == "win32"
