"""The command line follows the usual conventions: --version, -h, shell completion, help
without type labels, exit codes 0/1/2, NO_COLOR and colour only on a terminal, a compile
summary that counts what changed, and --quiet.

Every command runs as a real process (the installed `schemac` script); the colour tests
give it a real pseudo-terminal.
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import SCHEMAC, run_cli

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7]|4[0-8]|10[0-7])(?:;[0-9;]*)?m")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "schema.yaml", tmp_path / "schema.yaml")
    return tmp_path


def in_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run schemac with stdout and stderr on a pseudo-terminal; returns (exit code, everything it printed)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([SCHEMAC, *args], cwd=cwd, env=env, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def env_without_colour_settings(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS", "TERM")}
    return {**env, "TERM": "xterm-256color", "COLUMNS": "100", **extra}


# ---------------------------------------------------------------- --version and -h


def test_version_prints_the_installed_version(tmp_path):
    for flag in ("--version", "-V"):
        result = run_cli(flag, cwd=tmp_path)
        assert result.returncode == 0
        assert result.stdout.strip() == f"schemac {version('schemac')}"


def test_short_help_works_for_the_app_and_every_command(tmp_path):
    for args in ([], ["compile"], ["check"], ["validate"], ["lint"], ["verify"], ["init"], ["completion"]):
        short, long = run_cli(*args, "-h", cwd=tmp_path), run_cli(*args, "--help", cwd=tmp_path)
        assert short.returncode == 0, short.stderr
        assert "Usage: schemac" in short.stdout
        assert short.stdout == long.stdout


def test_help_shows_no_type_labels(tmp_path):
    for args in ([], ["compile"], ["verify"], ["lint"], ["init"], ["completion"]):
        out = run_cli(*args, "--help", cwd=tmp_path, ).stdout
        assert not re.search(r"<(bool|str|int|Path)>", out), out
    assert "PATH" in run_cli("compile", "--help", cwd=tmp_path).stdout  # values are named, flags are not


# ---------------------------------------------------------------- shell completion


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script_for_each_shell(tmp_path, shell):
    result = run_cli("completion", shell, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "_SCHEMAC_COMPLETE=complete_" + shell in result.stdout or f"complete_{shell}" in result.stdout
    program = shutil.which(shell)
    if os.environ.get("CI") and not program:
        pytest.fail(f"{shell} is missing; scripts/setup.sh installs it (CI is set, so this is a failure)")
    if program:  # where the shell is installed, the script must load in it and complete
        if shell == "bash":
            check = (
                f'source <("{SCHEMAC}" completion bash) && complete -p schemac && '
                'COMP_WORDS=(schemac com) COMP_CWORD=1 && _schemac_completion schemac && echo "got: ${COMPREPLY[*]}"'
            )
        elif shell == "zsh":
            check = f'autoload -Uz compinit && compinit -u && source <("{SCHEMAC}" completion zsh) && print "got: ${{+functions[_schemac_completion]}}"'
        else:
            check = f'"{SCHEMAC}" completion fish | source; and complete --do-complete "schemac li"'
        env = {**os.environ, "PATH": f"{Path(SCHEMAC).parent}{os.pathsep}{os.environ.get('PATH', '')}", "HOME": str(tmp_path)}
        loaded = subprocess.run([program, "-c", check], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env)
        assert loaded.returncode == 0, loaded.stderr
        if shell == "bash":
            assert "_schemac_completion schemac" in loaded.stdout
            assert "got: compile completion" in loaded.stdout
        if shell == "zsh":
            assert "got: 1" in loaded.stdout
        if shell == "fish":
            assert loaded.stdout.startswith("lint\t"), loaded.stdout


def test_completion_answers_the_shells_queries(tmp_path):
    """What the loaded scripts ask schemac (environment protocol), and its answers."""
    base = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    bash = subprocess.run(
        [SCHEMAC], env={**base, "_SCHEMAC_COMPLETE": "complete_bash", "COMP_WORDS": "schemac com", "COMP_CWORD": "1"},
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert bash.stdout.split() == ["compile", "completion"]
    zsh = subprocess.run(
        [SCHEMAC], env={**base, "_SCHEMAC_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": "schemac ver"},
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert '"verify"' in zsh.stdout
    fish = subprocess.run(
        [SCHEMAC],
        env={**base, "_SCHEMAC_COMPLETE": "complete_fish", "_TYPER_COMPLETE_ARGS": "schemac li", "_TYPER_COMPLETE_FISH_ACTION": "get-args"},
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert fish.stdout.startswith("lint\t")


def test_completion_refuses_an_unknown_shell_as_a_usage_error(tmp_path):
    result = run_cli("completion", "tcsh", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown shell 'tcsh'; use one of: bash, zsh, fish" in result.stderr


# ---------------------------------------------------------------- exit codes


def test_exit_codes_are_documented_in_the_help(tmp_path):
    assert "Exit codes: 0 success; 1" in run_cli("--help", cwd=tmp_path).stdout.replace("\n", " ").replace("  ", " ")


def test_exit_code_0_on_success_1_on_findings_or_differences_2_on_usage_errors(project):
    assert run_cli("validate", cwd=project).returncode == 0
    assert run_cli("check", cwd=project).returncode == 1  # nothing compiled yet: a difference
    assert run_cli("compile", cwd=project).returncode == 0
    assert run_cli("check", cwd=project).returncode == 0
    assert run_cli("no-such-command", cwd=project).returncode == 2
    assert run_cli("compile", "--no-such-option", cwd=project).returncode == 2
    assert run_cli("lint", "--format", "xml", cwd=project).returncode == 2
    assert run_cli("validate", "--spec", "missing.yaml", cwd=project).returncode == 2
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("type: uuid", "type: uuidd", 1))
    assert run_cli("validate", cwd=project).returncode == 1  # a problem in the spec


# ---------------------------------------------------------------- colour


def test_no_colour_when_output_is_not_a_terminal(project):
    for args in (["compile"], ["check"], ["--help"], ["validate", "--spec", "missing.yaml"]):
        result = subprocess.run([SCHEMAC, *args], cwd=project, env=env_without_colour_settings(), capture_output=True, text=True)
        assert not ANSI.search(result.stdout + result.stderr), args


def test_colour_on_a_terminal_and_none_with_no_color(project):
    code, shown = in_terminal(["compile"], project, env_without_colour_settings())
    assert code == 0
    assert COLOUR.search(shown), repr(shown)
    code, shown = in_terminal(["check"], project, env_without_colour_settings(NO_COLOR="1"))
    assert code == 0 and "up to date" in shown
    assert not ANSI.search(shown), repr(shown)
    code, shown = in_terminal(["--help"], project, env_without_colour_settings(NO_COLOR="1"))
    assert code == 0 and "Usage" in shown
    assert not COLOUR.search(shown), repr(shown)
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("type: uuid", "type: uuidd", 1))
    code, shown = in_terminal(["validate"], project, env_without_colour_settings())
    assert code == 1 and "\x1b[31m" in shown  # the failure summary in red
    code, shown = in_terminal(["validate"], project, env_without_colour_settings(NO_COLOR="1"))
    assert code == 1 and "found; nothing written" in shown and not ANSI.search(shown)


# ---------------------------------------------------------------- compile's summary and --quiet


def test_compile_reports_only_what_changed(project):
    first = run_cli("compile", cwd=project)
    assert first.returncode == 0
    # the seven documents, the first migration's state and migrations.sum
    assert first.stdout.count("created  compiled/") == 9
    assert "migration compiled/migrations/001_initial_schema.sql" in first.stdout.splitlines()
    assert first.stdout.splitlines()[-1] == "compiled: 9 of 9 files changed, 0 injected documents refreshed"
    migration = project / "compiled" / "DB_SCHEMA.md"
    migration.write_text("edited by hand\n")
    (project / "compiled" / "stray.txt").write_text("x\n")
    second = run_cli("compile", cwd=project)
    assert second.stdout.splitlines() == [
        "updated  compiled/DB_SCHEMA.md",
        "removed  compiled/stray.txt",
        "no migration: nothing the database holds changed",
        "compiled: 2 of 9 files changed, 0 injected documents refreshed",
    ]
    third = run_cli("compile", cwd=project)
    assert third.stdout == "compiled: up to date (9 files, 0 injected documents; no change for a migration)\n"
    for result in (first, second, third):
        assert "(s)" not in result.stdout + result.stderr


def test_quiet_silences_success_but_not_problems(project):
    for args in (["compile"], ["compile"], ["check"], ["validate"], ["lint"]):
        result = run_cli("--quiet", *args, cwd=project)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "", args
    (project / "compiled" / "schema.json").write_text("{}\n")
    result = run_cli("-q", "check", cwd=project)
    assert result.returncode == 1
    assert "1 file out of date" in result.stderr
    spec = project / "schema.yaml"
    spec.write_text(spec.read_text().replace("type: uuid", "type: uuidd", 1))
    result = run_cli("-q", "compile", cwd=project)
    assert result.returncode == 1 and "unknown column type 'uuidd'" in result.stderr


def test_show_and_install_completion_detect_the_shell(tmp_path):
    """--show-completion / --install-completion find the shell they run in (here bash) by themselves."""
    env = {**os.environ, "HOME": str(tmp_path)}
    shown = subprocess.run(["bash", "-c", f'"{SCHEMAC}" --show-completion'], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "_schemac_completion" in shown.stdout and "complete_bash" in shown.stdout
    installed = subprocess.run(["bash", "-c", f'"{SCHEMAC}" --install-completion'], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert "_schemac_completion" in (tmp_path / ".bash_completions" / "schemac.sh").read_text()
    assert ".bash_completions/schemac.sh" in (tmp_path / ".bashrc").read_text()


def test_show_and_install_completion_for_a_named_shell(tmp_path):
    env = {**os.environ, "HOME": str(tmp_path)}
    shown = subprocess.run([SCHEMAC, "--show-completion", "zsh"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert shown.returncode == 0 and shown.stdout.startswith("#compdef schemac"), shown.stderr
    installed = subprocess.run([SCHEMAC, "--install-completion", "fish"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    assert "complete_fish" in (tmp_path / ".config" / "fish" / "completions" / "schemac.fish").read_text()
