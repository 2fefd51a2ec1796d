"""Ctrl-C for ``chump-typed listen``: the first one ends the stream the way
:meth:`Listener.close <chump_typed.receive.Listener.close>` does, from another thread.

A ``KeyboardInterrupt`` is raised wherever the main thread happens to be, which may be
inside websockets or urllib3 with one of their locks held (Python's own
documentation warns that most code cannot be made safe against it); the stream's
clean-up could then wait for ever. So, while a listener runs in the main thread, the
first Ctrl-C only starts a thread that closes it, and the loop ends between frames; a
second Ctrl-C interrupts at once, as usual.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Generator
from types import FrameType
from typing import Final

__all__ = ["ctrl_c_closes"]

#: How long the command waits, after the stream ended, for the closing thread.
CLOSE_WAIT: Final = 5.0


class CtrlC:
    """Whether Ctrl-C was pressed within :func:`ctrl_c_closes`'s block."""

    def __init__(self) -> None:
        self.pressed = False
        self.closing: threading.Thread | None = None


@contextlib.contextmanager
def ctrl_c_closes(close: Callable[[], object]) -> Generator[CtrlC, None, None]:
    """Within the block, the first Ctrl-C calls *close* from a new thread. Outside the
    main thread (where signals are not delivered) the block runs as it is."""
    state = CtrlC()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def first(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the next one
        state.pressed = True
        state.closing = threading.Thread(target=close, name="ctrl-c", daemon=True)
        state.closing.start()

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield state
    finally:
        # None: a handler not set from Python, which cannot be put back.
        signal.signal(
            signal.SIGINT, signal.default_int_handler if previous is None else previous
        )
        if state.closing is not None:
            state.closing.join(CLOSE_WAIT)
