#!/usr/bin/env bash
# Source this file: it makes sure a display (Xvfb) with a window manager (openbox) and a sound
# server (PulseAudio) exist for the tests, starting each only when none is there, and exports
# DISPLAY / PULSE_SERVER for the children. Every desktop has a window manager, and titles, focus,
# stacking and frames depend on it, so the tests run under one. A tray host (trayer) is started by
# the tests that need it (tests/conftest.py: tray_host).
#   . scripts/test-env.sh
# Virtual devices it sets up in PulseAudio (idempotent):
#   liveview_speaker        null sink used as the playback device (record liveview_speaker.monitor)
#   liveview_mic_feed       null sink the tests play speech into
#   liveview_mic            that sink's monitor remapped as a real source (monitors are hidden
#                           from QMediaDevices.audioInputs())
set -u

_lv_display_ok() { [ -n "${DISPLAY:-}" ] && xdpyinfo >/dev/null 2>&1; }

if ! _lv_display_ok; then
    export DISPLAY=:99
    if ! xdpyinfo >/dev/null 2>&1; then
        Xvfb :99 -screen 0 1920x1080x24 -nolisten tcp >/tmp/liveview-xvfb.log 2>&1 &
        for _ in $(seq 1 50); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
    fi
fi

# A window manager owns _NET_SUPPORTING_WM_CHECK on the root window; a stale one (the manager
# died) points at a window that no longer exists.
_lv_wm_ok() {
    local id
    id=$(xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | awk '/window id/ {print $NF}')
    [ -n "$id" ] && xprop -id "$id" _NET_WM_NAME >/dev/null 2>&1
}

if _lv_display_ok && ! _lv_wm_ok && command -v openbox >/dev/null 2>&1; then
    # --sm-disable: no session manager here. setsid: it outlives the shell that sourced this.
    setsid openbox --sm-disable >/tmp/liveview-openbox.log 2>&1 < /dev/null &
    for _ in $(seq 1 50); do _lv_wm_ok && break; sleep 0.1; done
fi

if ! pactl info >/dev/null 2>&1; then
    # As root PulseAudio refuses to run per-user unless told; --system=false keeps it a user daemon.
    pulseaudio -D --exit-idle-time=-1 --system=false --disallow-exit >/tmp/liveview-pulse.log 2>&1 || true
    for _ in $(seq 1 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
fi

if pactl info >/dev/null 2>&1; then
    if ! pactl list short sinks | grep -q liveview_speaker; then
        pactl load-module module-null-sink sink_name=liveview_speaker \
            sink_properties=device.description=liveview_speaker >/dev/null
    fi
    if ! pactl list short sinks | grep -q liveview_mic_feed; then
        pactl load-module module-null-sink sink_name=liveview_mic_feed \
            sink_properties=device.description=liveview_mic_feed >/dev/null
    fi
    if ! pactl list short sources | grep -q 'liveview_mic\b'; then
        pactl load-module module-remap-source source_name=liveview_mic \
            master=liveview_mic_feed.monitor source_properties=device.description=liveview_mic >/dev/null
    fi
    pactl set-default-sink liveview_speaker
    pactl set-default-source liveview_mic
    # An idle null sink starts slowly; a low-latency stream kept attached keeps it running.
    # One keep-alive per sink (match the exact command line it is started with). Without it an
    # idle null sink is suspended, and the microphone remapped from its monitor stops delivering.
    for sink in liveview_speaker liveview_mic_feed; do
        if ! pgrep -f "pacat --latency-msec=30 --device=$sink " >/dev/null; then
            (pacat --latency-msec=30 --device=$sink --volume=0 /dev/zero >/dev/null 2>&1 &)
        fi
    done
fi
