"""The bench's Socket.IO clients: one interface, two implementations.

`LeanSocket` speaks just enough Socket.IO 5 over an Engine.IO 4 WebSocket (text
packets, the default namespace, events, acks, ping/pong) on aiohttp, and skips
decoding every event but `op`. It costs a few times less CPU per received
message than python-socketio's AsyncClient (`SioSocket`), which matters here: at
50 clients every edit is 49 messages to receive, on the same two cores as the
server, and a client process that falls behind inflates what it measures.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable


class Refused(Exception):
    """The server refused the Socket.IO connection (e.g. bad credentials)."""


class LeanSocket:
    def __init__(self, on_op: Callable[[dict], None], session):
        self.on_op = on_op
        self.session = session  # shared aiohttp.ClientSession (connection limit off)
        self.ws = None
        self.acks: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.connected = False
        self.reader: asyncio.Task | None = None

    async def connect(self, url: str, auth: dict | None, timeout: float) -> None:
        ws_url = "ws" + url[len("http") :] + "/socket.io/?EIO=4&transport=websocket"
        self.ws = await self.session.ws_connect(ws_url, timeout=timeout, max_msg_size=0)
        opened = await self.ws.receive(timeout)
        if not isinstance(opened.data, str) or not opened.data.startswith("0"):
            raise Refused(f"no Engine.IO open packet: {opened!r}")
        await self.ws.send_str("40" + (json.dumps(auth) if auth else ""))
        while True:
            reply = await self.ws.receive(timeout)
            if not isinstance(reply.data, str):
                raise Refused(f"connection closed: {reply!r}")
            if reply.data.startswith("40"):
                break
            if reply.data.startswith("44"):
                raise Refused(reply.data[2:])
            if reply.data == "2":
                await self.ws.send_str("3")
        self.connected = True
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                data = msg.data
                if not isinstance(data, str):
                    break
                if data.startswith('42["op",'):
                    self.on_op(json.loads(data[2:])[1])
                elif data.startswith("43"):
                    bracket = data.index("[")
                    future = self.acks.pop(int(data[2:bracket]), None)
                    if future is not None and not future.done():
                        args = json.loads(data[bracket:])
                        future.set_result(args[0] if args else None)
                elif data == "2":
                    await self.ws.send_str("3")
                elif data.startswith(("41", "1")):
                    break
        finally:
            self.connected = False
            for future in self.acks.values():
                if not future.done():
                    future.set_exception(ConnectionError("disconnected"))
            self.acks.clear()

    async def call(self, event: str, data, timeout: float):
        self.next_id += 1
        ack_id = self.next_id
        future = asyncio.get_running_loop().create_future()
        self.acks[ack_id] = future
        await self.ws.send_str(f"42{ack_id}" + json.dumps([event, data]))
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.acks.pop(ack_id, None)

    async def disconnect(self) -> None:
        if self.ws is not None and not self.ws.closed:
            try:
                await self.ws.send_str("41")
            finally:
                await self.ws.close()
        if self.reader is not None:
            await asyncio.gather(self.reader, return_exceptions=True)


class SioSocket:
    """python-socketio's AsyncClient behind the same interface."""

    def __init__(self, on_op: Callable[[dict], None], _session=None):
        import socketio

        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.sio.on("op", on_op)

    @property
    def connected(self) -> bool:
        return self.sio.connected

    async def connect(self, url: str, auth: dict | None, timeout: float) -> None:
        import socketio

        try:
            await self.sio.connect(url, transports=["websocket"], wait_timeout=timeout, auth=auth)
        except socketio.exceptions.ConnectionError as exc:
            raise Refused(str(exc)) from exc

    async def call(self, event: str, data, timeout: float):
        import socketio

        try:
            return await self.sio.call(event, data, timeout=timeout)
        except socketio.exceptions.TimeoutError:
            raise TimeoutError(event) from None

    async def disconnect(self) -> None:
        await self.sio.disconnect()


KINDS = {"lean": LeanSocket, "sio": SioSocket}
