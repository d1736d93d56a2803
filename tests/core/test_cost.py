"""The cost meter's rules: usageMetadata read by modality, summed per report, priced, budgeted."""

from __future__ import annotations

import pytest

from liveview.core.cost import (
    Budget,
    CostMeter,
    Modality,
    Way,
    parse_budget,
    price_of,
    tokens_of,
)
from liveview.errors import ConfigError
from liveview.protocol import events as ev
from liveview.protocol.catalogue import PRICE_3_8, lookup

# A report as the service sent it (a user's capture on gemini-3.8-live): the prompt has 25
# tokens its details leave out.
REPORT = ev.UsageMetadata(
    prompt_token_count=522,
    response_token_count=42,
    total_token_count=564,
    details={
        "promptTokensDetails": [
            {"modality": "TEXT", "tokenCount": 332},
            {"modality": "AUDIO", "tokenCount": 165},
        ],
        "responseTokensDetails": [{"modality": "AUDIO", "tokenCount": 42}],
        "thoughtsTokenCount": 136,
    },
)


def test_a_report_is_read_by_way_and_modality_and_the_gap_counts_as_text() -> None:
    assert tokens_of(REPORT) == {
        (Way.IN, Modality.TEXT): 332 + 25,
        (Way.IN, Modality.AUDIO): 165,
        (Way.OUT, Modality.AUDIO): 42,
    }


def test_the_sdk_spelling_and_video_frames_are_read_too() -> None:
    report = ev.UsageMetadata(
        prompt_token_count=300,
        response_token_count=0,
        total_token_count=300,
        details={"prompt_tokens_details": [{"modality": "VIDEO", "token_count": 300}]},
    )
    assert tokens_of(report) == {(Way.IN, Modality.IMAGE): 300}


def test_every_report_is_summed_because_each_turn_bills_its_whole_prompt() -> None:
    meter = CostMeter(PRICE_3_8)
    meter.add(REPORT)
    meter.add(REPORT)
    assert meter.total_tokens == 2 * 564
    assert meter.estimated_usd == pytest.approx(2 * (522 * 0.75 + 42 * 4.50) / 1e6)
    snapshot = meter.snapshot(now=120.0)  # two minutes after it started at 0
    assert snapshot.per_minute(Way.IN, Modality.AUDIO) == pytest.approx(165)
    assert snapshot.usd_per_hour == pytest.approx(meter.estimated_usd * 30)


def test_a_model_without_a_price_has_tokens_and_no_estimate() -> None:
    meter = CostMeter(lookup("liveview-local").price)
    meter.add(REPORT)
    assert meter.total_tokens == 564 and meter.estimated_usd is None
    assert meter.snapshot(60.0).usd_per_hour is None


def test_the_stable_models_price_is_dated_and_sourced() -> None:
    price = lookup("gemini-3.8-live").price
    assert price is PRICE_3_8 and price.as_of == "2026-12-01" and price.source.startswith("https")
    assert price_of({(Way.OUT, Modality.AUDIO): 1_000_000}, price) == pytest.approx(4.50)


def test_a_budget_in_dollars_warns_once_at_80_percent_and_once_at_100() -> None:
    one_report_usd = (522 * 0.75 + 42 * 4.50) / 1e6
    meter = CostMeter(PRICE_3_8, Budget(usd=one_report_usd * 2.2))
    assert meter.add(REPORT) == []  # 45 %
    (warning,) = meter.add(REPORT)  # 91 %
    assert warning.level == 0.8 and "80%" in warning.message
    (limit,) = meter.add(REPORT)  # 136 %
    assert limit.level == 1.0 and "Video is paused" in limit.message
    assert meter.add(REPORT) == []


def test_a_budget_without_pausing_says_so() -> None:
    meter = CostMeter(None, Budget(tokens=500, pause_video=False))
    crossings = meter.add(REPORT)
    assert [c.level for c in crossings] == [0.8, 1.0]
    assert "paused" not in crossings[1].message


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("", Budget()),
        ("50000", Budget(tokens=50_000)),
        ("50,000", Budget(tokens=50_000)),
        ("$0.50", Budget(usd=0.5)),
        ("2usd", Budget(usd=2.0)),
    ],
)
def test_budgets_are_tokens_or_dollars(text: str, budget: Budget) -> None:
    assert parse_budget(text) == budget


@pytest.mark.parametrize("text", ["lots", "-5", "$0", "$abc"])
def test_a_budget_that_is_neither_is_said_clearly(text: str) -> None:
    with pytest.raises(ConfigError, match=r"tokens .* or estimated dollars"):
        parse_budget(text)
