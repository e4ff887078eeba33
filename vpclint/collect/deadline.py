"""Time limits of a collection: a deadline each call checks before it starts, and daemon workers the main thread
can stop waiting for.

Python can't kill a thread. So a region that blows its deadline is not stopped: the main thread stops waiting for
it, keeps what it had committed, and records the rest as unread. The workers are daemon threads (never joined at
exit) that hold no lock while they wait on the network, and every call they start checks the deadline first (a
``before-send`` hook on each client checks it again before every retry), so an abandoned region makes at most the
one call already in flight, itself bounded by the read timeout.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Iterable, Optional, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class CollectionFault(Exception):
    """A failure the collector itself detects (a deadline passed, a pagination loop): recorded with ``code``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class Deadline:
    """A point in time (``time.monotonic``) after which no new call may start; ``None`` seconds never expires."""

    def __init__(self, seconds: Optional[float], what: str = "deadline") -> None:
        self.seconds, self.what = seconds, what
        self.end = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> Optional[float]:
        """Seconds left (at least 0), or None without a limit."""
        return None if self.end is None else max(0.0, self.end - time.monotonic())

    def expired(self) -> bool:
        return self.end is not None and time.monotonic() >= self.end

    def check(self) -> None:
        """Raise ``DeadlineExceeded`` once the deadline has passed."""
        if self.expired():
            raise CollectionFault("DeadlineExceeded", f"{self.what} of {self.seconds:g} s passed before this call")

    def sleep(self, seconds: float) -> None:
        """Sleep ``seconds``, or until the deadline, whichever comes first."""
        left = self.remaining()
        time.sleep(seconds if left is None else min(seconds, left))

    def earliest(self, other: "Deadline") -> "Deadline":
        """The deadline that comes first of this and ``other``."""
        if other.end is None or (self.end is not None and self.end <= other.end):
            return self
        return other


def guard_client(client: Any, deadline: Deadline) -> Any:
    """Make every attempt of every call of ``client`` (retries included) check ``deadline`` before it is sent."""
    def before_send(**_: Any) -> None:
        deadline.check()

    client.meta.events.register("before-send", before_send)
    return client


def start_daemon(target: Callable[[], None], name: str) -> threading.Thread:
    """Start ``target`` on a daemon thread: the interpreter never waits for it at exit."""
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


def daemon_map(function: Callable[[T], R], items: Iterable[T], workers: int, name: str = "vpclint") -> list[R]:
    """``[function(i) for i in items]`` on at most ``workers`` daemon threads, in order. ``function`` must not
    raise (return the exception instead): an exception escaping it is re-raised here."""
    todo = list(enumerate(items))
    results: dict[int, Any] = {}
    lock = threading.Lock()
    done = threading.Condition(lock)
    failure: list[BaseException] = []

    def work() -> None:
        while True:
            with lock:
                if not todo:
                    return
                index, item = todo.pop(0)
            try:
                value: Any = function(item)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                value = None
                with lock:
                    failure.append(exc)
            with done:
                results[index] = value
                done.notify_all()

    count = len(todo)
    for number in range(min(max(1, workers), count)):
        start_daemon(work, f"{name}-{number}")
    with done:
        done.wait_for(lambda: len(results) == count)
    if failure:
        raise failure[0]
    return [results[i] for i in range(count)]
