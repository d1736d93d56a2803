"""Sans-I/O core of the Gemini Live (BidiGenerateContent) protocol.

Standard library only: feed it text or bytes, drain events and outgoing messages. No asyncio, no
sockets, no clocks of its own (time is passed in).
"""

from __future__ import annotations
