"""How long a reply waits before it starts to sound: an adaptive pre-roll, as a pure policy.

The service sends reply audio in bursts that usually run ahead of real time, so most replies can
start the moment their first chunk arrives (pre-roll 0). Only delivery that falls behind real time
needs a cushion, and the one sign of that which costs the user something is an underrun (a reply
running dry mid-sentence). So:

- a turn starts after `preroll_ms` (0 to begin with);
- an underrun lifts the pre-roll to cover the lateness seen so far (at least `after_underrun_ms`),
  and from then on the policy tracks how late chunks arrive: each new turn waits for the worst
  lateness seen this spell, times a headroom (a spell begins at an underrun or a shrink);
- a stable spell (`stable_spell_s` of reply audio played without an underrun) shrinks it back to
  what that spell's lateness needed, and to 0 once delivery ran ahead again.

*Lateness* of a chunk: how much later it arrived than a real-time schedule anchored at its turn's
first chunk (`arrival - first_arrival - audio_before_it`). It is a property of the delivery, not of
playback, so it can be measured whatever the pre-roll was. No I/O and no clock of its own: every
call takes `now` (monotonic seconds), so tests drive it with a fake clock.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrerollRules:
    """The policy as data (milliseconds of reply audio held back before a turn starts)."""

    start_ms: float = 0.0  # untaught: play the first chunk at once
    after_underrun_ms: float = 200.0  # an underrun lifts the pre-roll at least this far
    growth: float = 2.0  # each further underrun multiplies it by this
    headroom: float = 1.5  # the pre-roll covers the worst lateness seen times this
    max_ms: float = 600.0  # never more: past this the wait itself is the problem
    stable_spell_s: float = 20.0  # reply audio played without an underrun that counts as stable
    shrink: float = 0.5  # a stable spell takes the pre-roll down at least this much ...
    floor_ms: float = 25.0  # ... and below this back to start_ms (tracking stops)


PREROLL_RULES = PrerollRules()


@dataclass
class _Turn:
    turn_id: int
    first_at: float
    pushed_s: float = 0.0


class AdaptivePreroll:
    """Feed it arrivals, underruns and played audio; read `preroll_ms` when a turn starts."""

    def __init__(self, rules: PrerollRules = PREROLL_RULES) -> None:
        self.rules = rules
        self.preroll_ms = rules.start_ms
        self.tracking = False  # an underrun happened and no stable spell has ended it since
        self.underruns = 0
        self.spell_late_ms = 0.0  # worst lateness seen since the spell began
        self.spell_played_s = 0.0  # reply audio played since the last underrun or shrink
        self._turn: _Turn | None = None

    def arrived(self, turn_id: int, audio_s: float, now: float) -> float:
        """A chunk of `audio_s` s for `turn_id` arrived at `now`; returns its lateness (ms)."""
        turn = self._turn
        if turn is None or turn.turn_id != turn_id:
            turn = self._turn = _Turn(turn_id, now)
        late_ms = max(0.0, (now - turn.first_at - turn.pushed_s) * 1000.0)
        turn.pushed_s += audio_s
        self.spell_late_ms = max(self.spell_late_ms, late_ms)
        return late_ms

    def turn_starting(self) -> float:
        """The pre-roll for a turn about to wait for its start (tracks lateness once taught)."""
        if self.tracking:
            self._raise_to(self.spell_late_ms * self.rules.headroom)
        return self.preroll_ms

    def underrun(self) -> float:
        """A turn ran dry and went on after an audible gap: lift the pre-roll; returns it."""
        self.underruns += 1
        rules = self.rules
        taught = max(rules.after_underrun_ms, self.spell_late_ms * rules.headroom)
        self._raise_to(max(taught, self.preroll_ms * rules.growth) if self.tracking else taught)
        self.tracking = True
        self.spell_played_s = self.spell_late_ms = 0.0  # a new spell begins at an underrun
        return self.preroll_ms

    def played(self, audio_s: float) -> None:
        """`audio_s` seconds of reply audio went to the device; a long enough run is stable."""
        self.spell_played_s += audio_s
        if self.spell_played_s < self.rules.stable_spell_s:
            return
        need = self.spell_late_ms * self.rules.headroom
        lowered = min(self.preroll_ms, max(need, self.preroll_ms * self.rules.shrink))
        if lowered < self.rules.floor_ms:
            lowered, self.tracking = self.rules.start_ms, False
        self.preroll_ms = lowered
        self.spell_played_s = 0.0
        self.spell_late_ms = 0.0

    def _raise_to(self, value_ms: float) -> None:
        self.preroll_ms = min(self.rules.max_ms, max(self.preroll_ms, value_ms))
