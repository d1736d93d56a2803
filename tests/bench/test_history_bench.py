"""`liveview bench history` runs end to end at a small size and reports what it promises (the
speed targets themselves are for the benchmark's JSON, not for a test)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.history import child_env


def test_the_history_benchmark_reports_search_and_live_figures() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "liveview", "bench", "history", "--json",
         "--sessions", "60", "--turns", "40", "--repeat", "1", "--interval-ms", "1"],
        capture_output=True, text=True, timeout=300, env=child_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["build"]["sessions"] == 60 and report["build"]["turns"] >= 60 * 4
    assert report["search"]["queries_timed"] > 20
    assert set(report["search"]["by_kind"]) == {"rare", "mid", "common", "two_words",
                                                "prefix", "miss"}  # fmt: skip
    assert report["search"]["by_kind"]["miss"]["hits_per_query"] == 0
    assert report["search"]["by_kind"]["common"]["hits_per_query"] > 0
    live = report["live"]
    assert live["turns"] == live["written"] == 40 and live["dropped"] == 0
    assert {"met", "target_p99_ms", "loop_lag_p99_ms"} <= set(live)
    assert set(report["search"]) >= {"met", "target_median_ms", "ms"}
