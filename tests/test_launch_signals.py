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


def test_a_signal_whose_interrupted_a_library_swallowed_still_exits_as_the_signal():
    """pydantic-core builds a model's serializer in Rust: an Interrupted raised inside comes back as a SchemaError
    whose message only names it. The launcher then goes by the signal its handler received."""
    import subprocess
    import sys

    script = (
        "import signal, sys\n"
        "from schemac import launch\n"
        "def app():\n"
        "    try:\n"
        "        launch._interrupt(signal.SIGTERM, None)\n"
        "    except launch.Interrupted:\n"
        "        pass  # swallowed, as Rust code does: the error below has no cause and no context\n"
        "    raise ValueError('Error building serializer: Interrupted: 15')\n"
        "import schemac.cli\n"
        "schemac.cli.app = app\n"
        "launch.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 128 + signal.SIGTERM, done.stderr
    assert done.stderr == "schemac: stopped by SIGTERM; what it had started was stopped and removed\n"
