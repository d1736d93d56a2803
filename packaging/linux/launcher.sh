#!/bin/sh
# /usr/bin/liveview: start the bundle installed under /opt/liveview.
exec /opt/liveview/liveview "$@"
