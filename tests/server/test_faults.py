"""Each fault switch does what it says, planned ahead or thrown at open connections."""

from __future__ import annotations

import asyncio
import json

import pydantic
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from liveview.errors import ConfigError
from liveview.server import Fault, FaultSwitches, LocalLiveServer, parse_fault_spec
from tests.support.oracle import validate_server_message
from tests.support.peer import (
    GEMINI_PATH,
    audio,
    client_text,
    closed_with,
    content,
    open_peer,
    text_setup,
)

QUIET_S = 1.0  # how long "nothing arrives" is watched for


async def assert_quiet(peer, seconds: float = QUIET_S) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TimeoutError):
        await peer.recv(timeout_s=seconds)


async def test_drop_after_setup_cuts_tcp_without_a_close_frame(server: LocalLiveServer) -> None:
    server.faults.drop_next_connection(at="setup", count=2)
    for _ in range(2):
        peer = await open_peer(server.url)  # setupComplete came first
        assert await closed_with(peer) == (None, "")
    assert [c.dropped for c in server.connections] == [True, True]
    healthy = await open_peer(server.url)
    await healthy.send(client_text("still there?"))
    await healthy.turn()
    await healthy.close()


async def test_drop_at_accept_and_mid_turn(server: LocalLiveServer) -> None:
    server.faults.drop_next_connection(at="accept")
    server.faults.drop_next_connection(at="turn")
    peer = await open_peer(server.url, wait_setup_complete=False)
    assert await closed_with(peer) == (None, "")
    peer = await open_peer(server.url)
    await peer.send(client_text("cut me off"))
    first = await peer.recv()
    assert "modelTurn" in content(first) or "sessionResumptionUpdate" in first
    assert await closed_with(peer) == (None, "")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (1011, "Internal error occurred."),
        (1007, "Request contains an invalid argument."),
        (1008, "Your API key was reported as leaked. Please use another API key."),
    ],
)
async def test_close_with_the_service_reason_texts(
    server: LocalLiveServer, code: int, reason: str
) -> None:
    server.faults.close_next_connection(code)
    peer = await open_peer(server.url)
    assert await closed_with(peer) == (code, reason)
    assert server.connections[-1].closed_with == (code, reason)


async def test_internal_error_at_turn_and_custom_reason(server: LocalLiveServer) -> None:
    server.faults.internal_error_next(at="turn")
    server.faults.close_next_connection(1011, "The service is currently unavailable.")
    peer = await open_peer(server.url)
    await peer.send(client_text("go"))
    assert await closed_with(peer) == (1011, "Internal error occurred.")
    peer = await open_peer(server.url)
    assert await closed_with(peer) == (1011, "The service is currently unavailable.")


async def test_stall_after_setup_reads_on_but_never_answers(server: LocalLiveServer) -> None:
    server.faults.stall_next_connection(at="setup")
    peer = await open_peer(server.url)
    await peer.send(client_text("anyone?"))
    await assert_quiet(peer)
    assert server.connections[-1].received_kinds == ["setup", "clientContent"]
    await peer.close()


async def test_stall_at_accept_never_sends_setup_complete(server: LocalLiveServer) -> None:
    server.faults.stall_next_connection(at="accept")
    peer = await open_peer(server.url, wait_setup_complete=False)
    await assert_quiet(peer)
    await peer.close()


async def test_malformed_json(server: LocalLiveServer) -> None:
    server.faults.send_malformed_next(at="setup")
    peer = await open_peer(server.url)
    raw = await asyncio.wait_for(peer.ws.recv(), 5)
    with pytest.raises(json.JSONDecodeError):
        json.loads(raw)
    await peer.close()


async def test_unknown_fields_ride_on_a_real_message(server: LocalLiveServer) -> None:
    server.faults.send_unknown_fields_next(at="accept")
    peer = await open_peer(server.url, wait_setup_complete=False)
    peer.validate = False
    message = await peer.recv()
    assert "setupComplete" in message and "futureTopLevelField" in message
    assert "futureField" in message["setupComplete"]
    with pytest.raises(pydantic.ValidationError):
        validate_server_message(message)  # the SDK's schema forbids them: a real test of tolerance
    await peer.close()


async def test_slow_reading_holds_messages_back(server: LocalLiveServer) -> None:
    server.faults.read_bytes_per_s = 40_000
    peer = await open_peer(server.url, text_setup())
    chunk = audio(bytes(15_000))  # ~20 kB of JSON each: half a second of reading
    for _ in range(6):
        await peer.send(chunk)
    await asyncio.sleep(0.2)
    assert len(server.connections[-1].received) < 4, "reading is throttled"
    async with asyncio.timeout(20):
        while len(server.connections[-1].received) < 7:
            await asyncio.sleep(0.1)
    server.faults.read_bytes_per_s = None
    await peer.close()


async def test_faults_thrown_at_open_connections(server: LocalLiveServer) -> None:
    peers = [await open_peer(server.url) for _ in range(2)]
    server.faults.drop_now()
    assert [await closed_with(p) for p in peers] == [(None, "")] * 2

    peer = await open_peer(server.url)
    server.faults.close_now(1011)
    assert await closed_with(peer) == (1011, "Internal error occurred.")

    peer = await open_peer(server.url)
    server.faults.go_away_now(0.5)
    assert await peer.recv() == {"goAway": {"timeLeft": "0.5s"}}
    assert (await closed_with(peer))[0] == 1008

    peer = await open_peer(server.url)
    server.faults.stall_now()
    await peer.send(client_text("hello?"))
    await assert_quiet(peer)
    await peer.close()


async def test_faults_planned_at_construction() -> None:
    faults = FaultSwitches([(Fault("close", "setup", 1011), 1)])
    async with LocalLiveServer(faults=faults) as server:
        peer = await open_peer(server.url)
        assert (await closed_with(peer))[0] == 1011


def test_fault_specs() -> None:
    assert parse_fault_spec("drop") == (Fault("drop", "setup"), 1)
    assert parse_fault_spec("close:1007@turn*3") == (Fault("close", "turn", 1007), 3)
    assert parse_fault_spec("unknown-fields@accept*all") == (
        Fault("unknown_fields", "accept"),
        None,
    )
    for bad in ("explode", "drop@never", "close:abc", "drop*x"):
        with pytest.raises(ConfigError):
            parse_fault_spec(bad)


def test_now_faults_need_a_running_server() -> None:
    with pytest.raises(ConfigError):
        FaultSwitches().drop_now()


async def test_reject_refuses_the_upgrade_with_http_429(server: LocalLiveServer) -> None:
    server.faults.reject_next_connection()
    with pytest.raises(InvalidStatus) as caught:
        await connect(server.url + GEMINI_PATH, compression=None)
    response = caught.value.response
    assert response.status_code == 429
    assert json.loads(response.body)["error"]["status"] == "RESOURCE_EXHAUSTED"
    peer = await open_peer(server.url)  # only the next connection
    await peer.close()
    assert parse_fault_spec("reject*2") == (Fault("reject", "accept", 429), 2)
