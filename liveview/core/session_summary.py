"""The few lines headless mode prints when a session ends: what it took and what it cost."""

from __future__ import annotations

from liveview.core.cost import CostSnapshot, Modality, Way
from liveview.core.stats import SessionStats
from liveview.encode import VideoCounters


def _tokens_line(snapshot: CostSnapshot) -> str:
    def part(way: Way) -> str:
        found = [
            f"{modality.value.lower()} {snapshot.tokens[way, modality]:,}"
            for modality in Modality
            if snapshot.tokens.get((way, modality))
        ]
        return ", ".join(found) or "none"

    return f"tokens {snapshot.total_tokens:,} (in: {part(Way.IN)}; out: {part(Way.OUT)})"


def _price_line(snapshot: CostSnapshot) -> str:
    if snapshot.price is None or snapshot.estimated_usd is None:
        return "no price is known for this model (the local server is free)"
    price = snapshot.price
    per_hour = snapshot.usd_per_hour
    rate = f", about ${per_hour:.2f}/h" if per_hour is not None else ""
    return (
        f"estimated cost ${snapshot.estimated_usd:.4f}{rate} (an estimate: ${price.text_in}/1M "
        f"in, ${price.text_out}/1M out, read {price.as_of} from {price.source})"
    )


def summary_lines(
    stats: SessionStats, snapshot: CostSnapshot, video: VideoCounters | None
) -> list[str]:
    lines = []
    if stats.reply_latencies_s:
        median = (stats.median_reply_latency_s or 0.0) * 1000
        last = (stats.last_reply_latency_s or 0.0) * 1000
        turns = len(stats.reply_latencies_s)
        lines.append(f"reply latency: median {median:.0f} ms, last {last:.0f} ms ({turns} turns)")
    lines.append(_tokens_line(snapshot))
    if video is not None:
        lines.append(f"frames: {video.sent} sent, {video.skipped_unchanged} skipped (unchanged)")
    lines.append(_price_line(snapshot))
    return lines
