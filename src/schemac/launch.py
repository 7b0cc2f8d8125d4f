"""The console entry point: signals become clean exits, armed before anything heavy is imported.

SIGINT, SIGTERM and SIGHUP raise `Interrupted` in the main thread, so every `finally` runs:
verify's throwaway server is stopped and its folder removed, compile's staging is discarded.
Further signals are ignored while that cleanup runs. Then one line goes to stderr and the
process exits with 128 + the signal number (SIGINT 130, SIGTERM 143, SIGHUP 129).
"""

from __future__ import annotations

import signal
import sys

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """A signal arrived; a BaseException so no `except Exception` (nor click's KeyboardInterrupt handling) swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum: int, _frame) -> None:
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)  # let the cleanup finish
    raise Interrupted(signum)


def main() -> None:
    for s in SIGNALS:
        signal.signal(s, _interrupt)
    try:
        from .cli import app

        app()
    except Interrupted as exc:
        name = signal.Signals(exc.signum).name
        sys.stderr.write(f"schemac: stopped by {name}; what it had started was stopped and removed\n")
        sys.exit(128 + exc.signum)
