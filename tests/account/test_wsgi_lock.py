"""The gateway's state lock: snapshots exclude requests, nested requests never deadlock."""

from __future__ import annotations

import threading

from labtui.account.wsgi import ReadWriteLock


def test_writer_waits_for_readers_and_excludes_them() -> None:
    lock = ReadWriteLock()
    lock.acquire_read()
    wrote = threading.Event()

    def writer() -> None:
        lock.acquire_write()
        wrote.set()
        lock.release_write()

    thread = threading.Thread(target=writer)
    thread.start()
    assert not wrote.wait(0.2)  # a reader is active
    # A nested reader (a request made while serving another) still gets in.
    nested = threading.Thread(target=lambda: (lock.acquire_read(), lock.release_read()))
    nested.start()
    nested.join(timeout=2)
    assert not nested.is_alive()
    lock.release_read()
    assert wrote.wait(2)
    thread.join()


def test_readers_wait_for_an_active_writer() -> None:
    lock = ReadWriteLock()
    lock.acquire_write()
    read = threading.Event()

    def reader() -> None:
        lock.acquire_read()
        read.set()
        lock.release_read()

    thread = threading.Thread(target=reader)
    thread.start()
    assert not read.wait(0.2)
    lock.release_write()
    assert read.wait(2)
    thread.join()
