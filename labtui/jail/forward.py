"""The only way out of a jail's network: chosen loopback ports, relayed by the lab.

Inside the jail, ``_inside.py`` listens on 127.0.0.1:PORT in the jail's own network
namespace and hands the listening sockets to the lab over a Unix socket. The lab
accepts on them here and connects each connection to 127.0.0.1:PORT on the real
loopback (the sandbox endpoint, a setup script's aws bridge). A port not forwarded,
any other address and any name lookup have nowhere to go (design.md §6.1).

One thread per jail accepts; each relayed connection gets two pumping threads, so a
handler that stops reading stalls only its own connection.
"""

from __future__ import annotations

import array
import contextlib
import select
import socket
import threading

_CHUNK = 65536


class PortRelay:
    """Relays the connections of one jail; ``close()`` ends them all."""

    def __init__(self, handover: socket.socket) -> None:
        self._handover = handover
        self._wake_read, self._wake_write = socket.socketpair()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="labtui-jail-relay", daemon=True)
        self._thread.start()

    def _receive_listeners(self) -> list[tuple[socket.socket, int]]:
        fds = array.array("i")
        try:
            message, ancillary, _, _ = self._handover.recvmsg(
                1024, socket.CMSG_SPACE(64 * fds.itemsize)
            )
        except OSError:
            return []
        finally:
            self._handover.close()
        for level, kind, data in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
        ports = [int(p) for p in message.decode().split(",") if p.isdigit()]
        listeners = [socket.socket(fileno=fd) for fd in fds]
        return list(zip(listeners, ports, strict=False))

    def _serve(self) -> None:
        ready, _, _ = select.select([self._handover, self._wake_read], [], [])
        if self._wake_read in ready:
            self._handover.close()
            return
        listeners = dict(self._receive_listeners())
        for listener in listeners:
            self._track(listener)
        while listeners:
            try:
                ready, _, _ = select.select([*listeners, self._wake_read], [], [])
            except (OSError, ValueError):
                break  # closed under us by close()
            if self._wake_read in ready:
                break
            for listener in ready:
                try:
                    inner, _ = listener.accept()
                except OSError:
                    continue
                self._connect(inner, listeners[listener])

    def _connect(self, inner: socket.socket, port: int) -> None:
        try:
            outer = socket.create_connection(("127.0.0.1", port), timeout=5)
            outer.settimeout(None)
        except OSError:
            inner.close()  # nothing listens on the host: the handler sees a reset
            return
        if not (self._track(inner) and self._track(outer)):
            return
        for source, target in ((inner, outer), (outer, inner)):
            threading.Thread(
                target=self._pump, args=(source, target), name="labtui-jail-pump", daemon=True
            ).start()

    def _track(self, sock: socket.socket) -> bool:
        with self._lock:
            if self._closed:
                sock.close()
                return False
            self._open.add(sock)
            return True

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while chunk := source.recv(_CHUNK):
                target.sendall(chunk)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_RDWR)
                source.shutdown(socket.SHUT_RDWR)
        with self._lock:
            # the second pump of a pair to finish closes both sockets
            done = source in self._open and target not in self._open
            self._open.discard(source)
        if done:
            source.close()
            target.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sockets, self._open = list(self._open), set()
        with contextlib.suppress(OSError):
            self._wake_write.send(b"x")
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._thread.join(timeout=1)
        self._wake_read.close()
        self._wake_write.close()
