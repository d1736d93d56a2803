"""`--listen mic|system|both` as an enum (standard library only: the CLI and settings use it
without loading any audio library)."""

from __future__ import annotations

from enum import Enum


class Listen(Enum):
    """`--listen`: what liveview sends the model as audio."""

    MIC = "mic"
    SYSTEM = "system"  # what the computer plays (the default output's loopback)
    BOTH = "both"  # mixed; each level shown

    @classmethod
    def parse(cls, text: str) -> Listen:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(mode.value for mode in cls)
            raise ValueError(f"unknown --listen {text!r} (choose {choices})") from None

    @property
    def wants_mic(self) -> bool:
        return self is not Listen.SYSTEM

    @property
    def wants_system(self) -> bool:
        return self is not Listen.MIC
