"""A signal that lands while a command imports a module is still a clean stop, not a traceback."""

from __future__ import annotations

import signal

from schemac.launch import Interrupted, signal_behind


def test_interrupted_wrapped_by_class_creation_is_recognised():
    try:
        try:
            raise Interrupted(signal.SIGTERM)
        except Interrupted as inner:  # what Python does when __set_name__ raises during class creation
            raise RuntimeError("Error calling __set_name__") from inner
    except RuntimeError as exc:
        assert signal_behind(exc) == signal.SIGTERM


def test_other_errors_are_not_signals():
    assert signal_behind(ValueError("x")) is None
    assert signal_behind(Interrupted(signal.SIGINT)) == signal.SIGINT
