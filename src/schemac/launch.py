"""The console entry point: signals become clean exits, armed before anything heavy is imported.

SIGINT, SIGTERM and SIGHUP raise `Interrupted` in the main thread, so every `finally` runs:
verify's throwaway server is stopped and its folder removed, compile's staging is discarded.
Further signals are ignored while that cleanup runs. Then one line goes to stderr and the
process exits with 128 + the signal number (SIGINT 130, SIGTERM 143, SIGHUP 129).
"""

from __future__ import annotations

import gc
import signal
import sys

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """A signal arrived; a BaseException so no `except Exception` (nor click's KeyboardInterrupt handling) swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


STOPPED_BY: int | None = None  # the stop signal the handler received, if any (the first: the others are ignored after it)


def _interrupt(signum: int, _frame) -> None:
    global STOPPED_BY
    STOPPED_BY = signum
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)  # let the cleanup finish
    _quiet_unwinding()
    raise Interrupted(signum)


def _quiet_unwinding() -> None:
    """While a stopped command unwinds, libraries may complain on stderr about the work the signal cut (psycopg
    logs the rollback of a query it was sending, finalizers report errors): the one line below says it all."""
    sys.unraisablehook = lambda _unraisable: None
    import logging

    try:
        psycopg_logger = logging.getLogger("psycopg")
    except (AttributeError, NameError):  # the signal cut the import of logging itself: nothing has logged yet
        return
    # a level above CRITICAL on "psycopg" silences its child loggers too ("psycopg.transaction" logs the failed
    # rollback); `disabled` alone covers only the one logger
    psycopg_logger.setLevel(logging.CRITICAL + 1)
    psycopg_logger.disabled = True


def _proved_current(args: list[str]) -> bool:
    """`schemac check` whose outputs fingerprint.sum proves current: said (as the command says it) before typer,
    Pydantic or the pipeline is imported. False for every other command line, and whenever anything differs."""
    from .fingerprint import plain_check_args, up_to_date

    plain = plain_check_args(args)
    proved = plain and up_to_date(plain[1], plain[2])
    if not proved:
        return False
    quiet, _spec, out = plain
    if not quiet:
        from .terminal import paint, up_to_date as up_to_date_message

        sys.stdout.write(paint(up_to_date_message(out, *proved), "green", sys.stdout) + "\n")
    return True


def main() -> None:
    # A command builds all its objects up front and keeps them until it ends, so the cyclic
    # garbage collector would only re-walk them: on a spec of thousands of tables its full
    # passes cost half of compile. Nothing in the pipeline leaves cycles worth collecting, and
    # the process ends with the command, so the collector stays off (for the script only:
    # `schemac.cli.app`, as tests invoke it, is unchanged).
    gc.disable()
    for s in SIGNALS:
        signal.signal(s, _interrupt)
    try:
        if _proved_current(sys.argv[1:]):
            return
        from .cli import app

        app()
    except SystemExit:
        # the command has finished and said so: a signal now would only cut Python's own shutdown
        # (which gives the signal back its default action) and turn a finished run into a killed one
        for s in SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        raise
    except BaseException as exc:
        # a library may turn the Interrupted it was unwinding into its own error without chaining it (pydantic-core's
        # SchemaError while a grammar model is built): the handler's record still says a signal stopped the command
        signum = signal_behind(exc) or STOPPED_BY
        if signum is None:
            raise
        name = signal.Signals(signum).name
        sys.stderr.write(f"schemac: stopped by {name}; what it had started was stopped and removed\n")
        sys.exit(128 + signum)


def signal_behind(exc: BaseException | None) -> int | None:
    """The signal that ended the command: Interrupted itself, or an error Python raised because Interrupted arrived
    inside a hook it wraps (a RuntimeError from __set_name__, while a module the command imports builds its classes)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, Interrupted):
            return exc.signum
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None
