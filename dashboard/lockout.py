"""Lock-out after repeated failed log-ins: a count within a time window, per username.

Rule: failed log-ins of a username are counted within a sliding window of ``window_seconds``.
When the count reaches ``max_failures`` the username is locked for ``window_seconds`` from that
last failure; while locked, every log-in is refused before the password is checked (even the right
one) and is not counted. When the lock ends the count starts again from zero; a successful log-in
also clears it.

Where it lives: one :class:`Lockout` per users file in a process-wide registry (:func:`shared`),
so it holds across reruns and across every browser session served by this Streamlit process
(a new tab or a cleared cookie does not reset it). It is kept in memory: a restart of the server
clears it, and several server replicas each keep their own.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True)
class Status:
    """One username's state: failures counted in the window, and until when it is locked (None: not)."""

    failures: int
    locked_until: float | None


class Lockout:
    """Failed log-ins per username; thread-safe (Streamlit serves sessions from several threads)."""

    def __init__(self, max_failures: int, window_seconds: float, clock: Clock = time.time) -> None:
        if max_failures < 1 or window_seconds <= 0:
            raise ValueError("max_failures must be ≥ 1 and window_seconds > 0")
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}

    def _refresh(self, username: str, now: float) -> None:
        """Drop an expired lock and failures older than the window (caller holds the lock)."""
        until = self._locked_until.get(username)
        if until is not None and now >= until:
            del self._locked_until[username]
            self._failures.pop(username, None)
        recent = self._failures.get(username)
        if recent is not None:
            while recent and now - recent[0] >= self.window_seconds:
                recent.popleft()
            if not recent:
                del self._failures[username]

    def locked_until(self, username: str) -> float | None:
        """The time (clock seconds) the username's lock ends, or None when it is not locked."""
        with self._lock:
            self._refresh(username, self._clock())
            return self._locked_until.get(username)

    def is_locked(self, username: str) -> bool:
        """True while the username is locked."""
        return self.locked_until(username) is not None

    def record_failure(self, username: str) -> None:
        """Count a failed log-in; lock the username when the count reaches the limit. Ignored while locked."""
        with self._lock:
            now = self._clock()
            self._refresh(username, now)
            if username in self._locked_until:
                return
            recent = self._failures.setdefault(username, deque())
            recent.append(now)
            if len(recent) >= self.max_failures:
                self._locked_until[username] = now + self.window_seconds
                recent.clear()

    def clear(self, username: str) -> None:
        """Forget the username's failures and lock (after a successful log-in, or by an admin)."""
        with self._lock:
            self._failures.pop(username, None)
            self._locked_until.pop(username, None)

    def status(self, usernames: list[str]) -> dict[str, Status]:
        """The state of each username, for the user list."""
        with self._lock:
            now = self._clock()
            result = {}
            for username in usernames:
                self._refresh(username, now)
                failures = len(self._failures.get(username, ()))
                result[username] = Status(failures, self._locked_until.get(username))
            return result


_REGISTRY: dict[str, Lockout] = {}
_REGISTRY_LOCK = threading.Lock()


def shared(key: str, max_failures: int, window_seconds: float, clock: Clock | None = None) -> Lockout:
    """The process-wide Lockout for ``key`` (the users file) with these settings, created on first use.

    Changing the settings (in the users file) starts a new, empty Lockout. ``clock`` is used only
    when the Lockout is created (tests inject a fake clock this way).
    """
    with _REGISTRY_LOCK:
        entry = _REGISTRY.get(key)
        if entry is None or (entry.max_failures, entry.window_seconds) != (max_failures, window_seconds):
            entry = Lockout(max_failures, window_seconds, clock or time.time)
            _REGISTRY[key] = entry
        return entry
