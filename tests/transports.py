"""Test transports that put overlapping calls in a known order, without sleeping."""

from __future__ import annotations

import threading

from chump_typed.protocol import HTTPRequest, HTTPResponse
from chump_typed.testing import FakePushover, FakeTransport


class HeldFirstAnswer(FakeTransport):
    """Lets the fake answer the first request (whose URL ends in *path*) at once, then
    holds that answer back until :attr:`release` is set: a later call overtakes it, as
    when two responses cross on the wire. :attr:`answered` is set once the fake has
    answered it."""

    def __init__(self, fake: FakePushover, *, path: str = "") -> None:
        super().__init__(fake)
        self.path = path
        self.answered = threading.Event()
        self.release = threading.Event()
        self._first = True
        self._lock = threading.Lock()

    def send(self, request: HTTPRequest) -> HTTPResponse:
        response = super().send(request)  # the fake answers in arrival order
        if not request.url.split("?")[0].endswith(self.path):
            return response
        with self._lock:
            first, self._first = self._first, False
        if first:
            self.answered.set()
            assert self.release.wait(timeout=30)
        return response
