"""What a session costs as it runs: tokens by modality, an estimated price, a budget.

Fed every `usageMetadata`. The service bills each turn's whole prompt again (the context so far,
audio and frames included), so the meter sums every report rather than keeping the last one:
users who reconciled their bills found that only the sum matches. Prices come from the model
catalogue (protocol/catalogue.py), each dated and sourced, and are always shown as estimates.
Pure: the caller passes the time and acts on the crossings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from liveview.errors import ConfigError
from liveview.protocol import events as ev
from liveview.protocol.catalogue import Price

MILLION = 1_000_000
BUDGET_WARN_AT = 0.8  # of the budget: said once
BUDGET_LIMIT_AT = 1.0  # said once; video pauses when the budget says so


class Modality(StrEnum):
    TEXT = "TEXT"
    AUDIO = "AUDIO"
    IMAGE = "IMAGE"  # frames; the service may also say VIDEO, counted here


class Way(StrEnum):
    IN = "in"
    OUT = "out"


# usageMetadata's detail lists, in the service's spelling and the SDK's.
_DETAIL_KEYS: Mapping[Way, tuple[str, ...]] = {
    Way.IN: ("promptTokensDetails", "prompt_tokens_details"),
    Way.OUT: ("responseTokensDetails", "response_tokens_details"),
}
_MODALITY_OF = {"TEXT": Modality.TEXT, "AUDIO": Modality.AUDIO, "IMAGE": Modality.IMAGE,
                "VIDEO": Modality.IMAGE}  # fmt: skip


def _details(details: Mapping[str, Any], way: Way) -> Iterable[tuple[Modality, int]]:
    for key in _DETAIL_KEYS[way]:
        for item in details.get(key) or ():
            if not isinstance(item, Mapping):
                continue
            modality = _MODALITY_OF.get(str(item.get("modality", "")).upper(), Modality.TEXT)
            count = item.get("tokenCount", item.get("token_count", 0))
            if isinstance(count, int) and count > 0:
                yield modality, count


def tokens_of(usage: ev.UsageMetadata) -> dict[tuple[Way, Modality], int]:
    """One report's tokens by way and modality; what the details leave out counts as text."""
    counted: dict[tuple[Way, Modality], int] = {}
    for way, total in ((Way.IN, usage.prompt_token_count), (Way.OUT, usage.response_token_count)):
        for modality, count in _details(usage.details, way):
            counted[way, modality] = counted.get((way, modality), 0) + count
        rest = total - sum(n for (w, _), n in counted.items() if w is way)
        if rest > 0:
            counted[way, Modality.TEXT] = counted.get((way, Modality.TEXT), 0) + rest
    return counted


def price_of(tokens: Mapping[tuple[Way, Modality], int], price: Price) -> float:
    per_million = {
        (Way.IN, Modality.TEXT): price.text_in,
        (Way.IN, Modality.AUDIO): price.audio_in,
        (Way.IN, Modality.IMAGE): price.image_in,
        (Way.OUT, Modality.TEXT): price.text_out,
        (Way.OUT, Modality.AUDIO): price.audio_out,
        (Way.OUT, Modality.IMAGE): price.text_out,
    }
    return sum(count * per_million[key] / MILLION for key, count in tokens.items())


@dataclass(frozen=True)
class Budget:
    """A limit for one session, in tokens or in (estimated) US dollars, or both."""

    tokens: int | None = None
    usd: float | None = None
    pause_video: bool = True  # at 100 %: frames are what costs most

    @property
    def set(self) -> bool:
        return self.tokens is not None or self.usd is not None


@dataclass(frozen=True)
class BudgetCrossing:
    level: float  # BUDGET_WARN_AT or BUDGET_LIMIT_AT
    message: str


@dataclass(frozen=True)
class CostSnapshot:
    elapsed_s: float
    tokens: Mapping[tuple[Way, Modality], int]
    total_tokens: int
    estimated_usd: float | None  # None: no price known for this model
    price: Price | None
    reports: int  # usageMetadata messages summed

    def per_minute(self, way: Way, modality: Modality) -> float:
        minutes = self.elapsed_s / 60.0
        return self.tokens.get((way, modality), 0) / minutes if minutes > 0 else 0.0

    @property
    def usd_per_hour(self) -> float | None:
        if self.estimated_usd is None or self.elapsed_s <= 0:
            return None
        return self.estimated_usd * 3600.0 / self.elapsed_s


@dataclass
class CostMeter:
    price: Price | None
    budget: Budget = field(default_factory=Budget)
    started_at: float = 0.0
    tokens: dict[tuple[Way, Modality], int] = field(default_factory=dict)
    reports: int = 0
    _crossed: set[float] = field(default_factory=set)

    @property
    def total_tokens(self) -> int:
        return sum(self.tokens.values())

    @property
    def estimated_usd(self) -> float | None:
        return price_of(self.tokens, self.price) if self.price is not None else None

    def add(self, usage: ev.UsageMetadata) -> list[BudgetCrossing]:
        """One usageMetadata; the budget levels this report crossed (each said once)."""
        self.reports += 1
        for key, count in tokens_of(usage).items():
            self.tokens[key] = self.tokens.get(key, 0) + count
        return self._crossings()

    def _used_fraction(self) -> float:
        used = 0.0
        if self.budget.tokens:
            used = max(used, self.total_tokens / self.budget.tokens)
        usd = self.estimated_usd
        if self.budget.usd and usd is not None:
            used = max(used, usd / self.budget.usd)
        return used

    def _crossings(self) -> list[BudgetCrossing]:
        if not self.budget.set:
            return []
        used = self._used_fraction()
        crossed = []
        for level in (BUDGET_WARN_AT, BUDGET_LIMIT_AT):
            if used >= level and level not in self._crossed:
                self._crossed.add(level)
                crossed.append(BudgetCrossing(level, self._message(level)))
        return crossed

    def _message(self, level: float) -> str:
        limit = self.budget_text()
        if level < BUDGET_LIMIT_AT:
            return f"This session has used {level:.0%} of its budget ({limit})."
        then = " Video is paused; resume it when you want." if self.budget.pause_video else ""
        return f"This session has reached its budget ({limit}).{then}"

    def budget_text(self) -> str:
        parts = []
        if self.budget.tokens is not None:
            parts.append(f"{self.budget.tokens:,} tokens")
        if self.budget.usd is not None:
            parts.append(f"about ${self.budget.usd:.2f}")
        return " or ".join(parts)

    def snapshot(self, now: float) -> CostSnapshot:
        return CostSnapshot(
            elapsed_s=max(0.0, now - self.started_at),
            tokens=dict(self.tokens),
            total_tokens=self.total_tokens,
            estimated_usd=self.estimated_usd,
            price=self.price,
            reports=self.reports,
        )


def parse_budget(text: str | None) -> Budget:
    """`--budget 50000` (tokens) or `--budget $0.50` / `0.5usd` (estimated dollars)."""
    if not text:
        return Budget()
    raw = text.strip().lower().replace(",", "").replace("_", "")
    try:
        if raw.startswith("$") or raw.endswith("usd"):
            usd = float(raw.strip("$").removesuffix("usd"))
            if usd > 0:
                return Budget(usd=usd)
        else:
            tokens = int(raw)
            if tokens > 0:
                return Budget(tokens=tokens)
    except ValueError:
        pass
    raise ConfigError(
        f"--budget {text!r}: give tokens (e.g. 50000) or estimated dollars (e.g. $0.50)."
    )
