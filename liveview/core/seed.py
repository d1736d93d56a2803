"""Continue: an earlier conversation as the seed of a new session. Pure: no I/O, no wire format.

Used for `--continue ID` / the window's Continue (a kept session) and when a resumption handle
turns out stale (the live transcript so far): the user keeps the thread either way.

How it goes in depends on the model (catalogue `history_in_client_content`):
- `SeedMode.TURNS`: the setup carries `historyConfig.initialHistoryInClientContent: true`, and
  the turns go in one `clientContent` with their roles (`user` / `model`) and `turnComplete:
  false`, before the first new turn;
- `SeedMode.CONTEXT`: one plain `user` text turn that tells the model what was said before.

It is bounded to a share of what the model's context holds (tokens estimated at ~4 characters
each). A conversation too long for that is shortened by fixed local rules, first and last turns
kept whole and the middle cut to its first words, and says so: no model summarised it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from liveview.core.history import StoredSession, TurnRole
from liveview.core.transcript import Entry, Role, iso_time
from liveview.protocol.catalogue import ModelInfo

USER, MODEL = "user", "model"  # clientContent roles
SUMMARY_LABEL = "Summary of an earlier conversation, shortened by liveview, not by a model"
CONTEXT_HEADER = (
    "For context: an earlier conversation with this user{when}, kept by liveview. It is not a "
    "question; wait for the user's next turn."
)
CUT_OFF_MARK = " [cut off by the user]"
ELLIPSIS = "…"


class SeedMode(Enum):
    TURNS = "turns"  # clientContent turns with roles (historyConfig.initialHistoryInClientContent)
    CONTEXT = "context"  # one plain-context user turn


@dataclass(frozen=True)
class SeedPolicy:
    chars_per_token: float = 4.0
    # At most this share of the model's input context: the new session needs the rest for its
    # own frames (256 tokens each at 1 fps) and speech (25 tokens/s).
    context_share: float = 0.25
    margin_tokens: int = 2_000  # the system instruction, tool declarations, setup
    turn_overhead_tokens: int = 4  # role and framing of each turn
    keep_first: int = 2  # turns kept whole at the start (how it began) ...
    keep_last: int = 6  # ... and at the end (where it was)
    middle_chars: tuple[int, ...] = (240, 120, 60)  # the middle turns, shorter at each step

    def budget_tokens(self, model: ModelInfo) -> int:
        limit = model.input_token_limit
        return max(0, min(int(limit * self.context_share), limit - self.margin_tokens))


DEFAULT_POLICY = SeedPolicy()


@dataclass(frozen=True)
class Seed:
    mode: SeedMode
    turns: tuple[tuple[str, str], ...]  # (role, text): role is "user" or "model"
    summarised: bool  # shortened by the local rules (labelled so in the text)
    estimated_tokens: int
    conversation_turns: int  # user/model turns in the conversation it was made from

    @property
    def empty(self) -> bool:
        return not self.turns


# -- the conversation: user and model turns only ------------------------------------------------


def _merge(turns: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Consecutive turns of one role become one (two things said in a row), empties go."""
    merged: list[tuple[str, str]] = []
    for role, text in turns:
        text = text.strip()
        if not text:
            continue
        if merged and merged[-1][0] == role:
            merged[-1] = (role, f"{merged[-1][1]}\n{text}")
        else:
            merged.append((role, text))
    return merged


def conversation_of(session: StoredSession) -> list[tuple[str, str]]:
    """A kept session's user and model turns (tools, code, notices left out: a new session
    cannot answer an old call)."""
    roles = {TurnRole.USER: USER, TurnRole.MODEL: MODEL}
    return _merge(
        [
            (roles[t.record.role], t.record.text + (CUT_OFF_MARK if t.record.interrupted else ""))
            for t in session.turns
            if t.record.role in roles
        ]
    )


def conversation_of_entries(entries: Sequence[Entry]) -> list[tuple[str, str]]:
    """The same from live transcript entries (a stale handle: the session so far)."""
    roles = {Role.USER_SPEECH: USER, Role.USER_TEXT: USER, Role.MODEL: MODEL}
    return _merge(
        [
            (roles[e.role], e.text + (CUT_OFF_MARK if e.interrupted else ""))
            for e in entries
            if e.role in roles
        ]
    )


# -- shortening ---------------------------------------------------------------------------------


def _cut(text: str, chars: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= chars:
        return flat
    return (flat[:chars].rsplit(" ", 1)[0] or flat[:chars]) + ELLIPSIS


def _summary(middle: Sequence[tuple[str, str]], chars: int) -> tuple[str, str]:
    if chars <= 0:
        body = f"{len(middle)} turns here were left out to fit."
    else:
        lines = [f"{'User' if r == USER else 'Model'}: {_cut(t, chars)}" for r, t in middle]
        body = f"{len(middle)} turns cut to their first words:\n" + "\n".join(lines)
    return USER, f"{SUMMARY_LABEL}. {body}"


Shape = tuple[list[tuple[str, str]], bool]


def _shapes(turns: list[tuple[str, str]], policy: SeedPolicy) -> Iterator[Shape]:
    """The conversation, then shorter and shorter versions of it, each with `summarised`."""
    yield turns, False
    first, last = policy.keep_first, policy.keep_last
    if len(turns) > first + last:
        head, middle, tail = turns[:first], turns[first:-last], turns[-last:]
        for chars in (*policy.middle_chars, 0):
            yield [*head, _summary(middle, chars), *tail], True
    for keep in range(min(last, len(turns)) - 1, 0, -1):  # fewer and fewer whole turns
        tail = turns[-keep:]
        yield [_summary(turns[:-keep], 0), *tail], True


def _tokens(turns: Sequence[tuple[str, str]], policy: SeedPolicy) -> int:
    per_char = 1.0 / policy.chars_per_token
    return sum(math.ceil(len(t) * per_char) + policy.turn_overhead_tokens for _, t in turns)


def _as_context(turns: Sequence[tuple[str, str]], when: str) -> list[tuple[str, str]]:
    header = CONTEXT_HEADER.format(when=f" ({when})" if when else "")
    lines = [t if t.startswith(SUMMARY_LABEL) else f"{r.capitalize()}: {t}" for r, t in turns]
    return [(USER, "\n\n".join([header, *lines]))]


def _render(turns: list[tuple[str, str]], mode: SeedMode, when: str) -> list[tuple[str, str]]:
    return turns if mode is SeedMode.TURNS else _as_context(turns, when)


def _squeezed(
    turns: list[tuple[str, str]], mode: SeedMode, when: str, policy: SeedPolicy, budget: int
) -> list[tuple[str, str]]:
    """Last resort: the newest turn alone, its beginning cut so that it fits."""
    before = [_summary(turns[:-1], 0)] if len(turns) > 1 else []
    role, text = turns[-1]
    frame = _tokens(_render([*before, (role, "")], mode, when), policy)
    room = int((budget - frame) * policy.chars_per_token) - len(ELLIPSIS)
    while room > 0:
        kept = text if len(text) <= room else ELLIPSIS + text[-room:]
        rendered = _render([*before, (role, kept)], mode, when)
        if _tokens(rendered, policy) <= budget:
            return rendered
        room -= int(policy.chars_per_token)  # rounding: a token less, and again
    return []


def build_seed(
    conversation: Sequence[tuple[str, str]],
    model: ModelInfo,
    policy: SeedPolicy = DEFAULT_POLICY,
    *,
    when: str = "",
) -> Seed:
    """The seed for a new session on `model`; `when` dates the plain-context form."""
    turns = _merge(conversation)
    mode = SeedMode.TURNS if model.history_in_client_content else SeedMode.CONTEXT
    budget = policy.budget_tokens(model)
    if not turns or budget <= 0:
        return Seed(mode, (), False, 0, len(turns))
    for shaped, summarised in _shapes(turns, policy):
        rendered = _render(shaped, mode, when)
        tokens = _tokens(rendered, policy)
        if tokens <= budget:
            return Seed(mode, tuple(rendered), summarised, tokens, len(turns))
    rendered = _squeezed(turns, mode, when, policy, budget)
    # Nothing may fit at all (a tiny budget): then nothing is seeded, and nothing summarised.
    summarised = any(SUMMARY_LABEL in text for _, text in rendered)
    return Seed(mode, tuple(rendered), summarised, _tokens(rendered, policy), len(turns))


def seed_for_session(
    session: StoredSession, model: ModelInfo, policy: SeedPolicy = DEFAULT_POLICY
) -> Seed:
    """Continue a kept session on `model` (the new session's model, not the old one's)."""
    return build_seed(
        conversation_of(session), model, policy, when=iso_time(session.meta.started_at)
    )


def seed_for_stale_handle(
    entries: Sequence[Entry], model: ModelInfo, policy: SeedPolicy = DEFAULT_POLICY
) -> Seed:
    """A fresh session after a stale resumption handle: the conversation so far, seeded."""
    return build_seed(
        conversation_of_entries(entries), model, policy, when="before the connection was renewed"
    )
