"""YAML syntax errors come out in plain words with a one-line fix, for every kind of error
PyYAML raises (reader, scanner, parser, composer), whichever loader read the file: the pure
Python SafeLoader or libyaml's CSafeLoader, which words its errors differently.
"""

from __future__ import annotations

import pytest
import yaml

from schemac.errors import SpecErrors
from schemac.spec.load import load_yaml
from schemac.spec.yaml_messages import explain_yaml_error

LOADERS = [yaml.SafeLoader, yaml.CSafeLoader]

# name: (YAML text, the error class, (line, col), words the message must contain)
CASES = {
    "bad indentation of a key": (
        "tables:\n  a:\n    columns: {}\n     description: x\n",
        yaml.parser.ParserError, (4, 6), ["bad indentation", "indented 5 spaces", "indented 4"],
    ),
    "key indented under a plain value": (
        "tables:\n  a:\n    description: x\n     columns: {}\n",
        yaml.scanner.ScannerError, (4, 6), ["bad indentation", "deeper than the line above (4)", "by 4 spaces"],
    ),
    "key indented less than its siblings": (
        "tables:\n  a:\n    x: 1\n   y: 2\n",
        yaml.parser.ParserError, (4, 4), ["bad indentation", "indented 3 spaces"],
    ),
    "list item indented wrong in a list of mappings": (
        "a:\n  - x: 1\n   y: 2\n",
        yaml.parser.ParserError, (3, 4), ["bad indentation", "indented 3 spaces"],
    ),
    "list item where a key belongs": (
        "version: 1\n- tables\n",
        yaml.parser.ParserError, (2, 1), ["a list item ('- ') where a key was expected", "under a key"],
    ),
    "tab in the indentation": (
        "tables:\n\tpatients: {}\n",
        yaml.scanner.ScannerError, (2, 1), ["tab character", "replace the tab with spaces"],
    ),
    "tab after spaces": (
        "tables:\n  patients:\n  \tcolumns: {}\n",
        yaml.scanner.ScannerError, (3, 3), ["tab character"],
    ),
    "unclosed double quote": (
        'a: "hello\nb: 2\n',
        yaml.scanner.ScannerError, (1, 4), ['the quote " opened here is never closed', 'add the closing "'],
    ),
    "unclosed single quote": (
        "a: 'hello\nb: 2\n",
        yaml.scanner.ScannerError, (1, 4), ["the quote ' opened here is never closed"],
    ),
    "unclosed quote before a document separator": (
        'a: "x\n---\n"\n',
        yaml.scanner.ScannerError, (1, 4), ["never closed"],
    ),
    "missing colon (line followed by a key)": (
        "tables:\n  a:\n    description x\n    columns: {}\n",
        yaml.scanner.ScannerError, (3, 5), ["'description x' has no ':' after its key", "key: value"],
    ),
    "missing colon (simple key)": (
        "version: 1\ntables\nenums: {}\n",
        yaml.scanner.ScannerError, (2, 1), ["'tables' has no ':' after its key"],
    ),
    "key over 1024 characters": (
        "tables:\n  " + "k" * 1100 + ": 1\n",
        yaml.scanner.ScannerError, (2, 3), ["longer than 1024 characters", "shorten it"],
    ),
    "two colons on a line": (
        "a: b: c\n",
        yaml.scanner.ScannerError, (1, 5), ["a second ': ' on one line", "quotes"],
    ),
    "list item on the key's line": (
        "a: - b\n",
        yaml.scanner.ScannerError, (1, 4), ["cannot start on the line of its key"],
    ),
    "complex key": (
        "a: ? b\n",
        yaml.scanner.ScannerError, (1, 4), ["'?' starts a complex key"],
    ),
    "character that cannot start a value": (
        "a: @mention\n",
        yaml.scanner.ScannerError, (1, 4), ["'@' cannot start a value", 'quotes, e.g. "@mention"'],
    ),
    "backtick": (
        "a: `code`\n",
        yaml.scanner.ScannerError, (1, 4), ["'`' cannot start a value"],
    ),
    "unknown escape": (
        'a: "C:\\q"\n',
        yaml.scanner.ScannerError, (1, 7), ["not a valid escape", "single quotes"],
    ),
    "short hex escape": (
        'a: "\\x4"\n',
        yaml.scanner.ScannerError, (1, 5), ["not a valid escape"],
    ),
    "unclosed [": (
        "a: [1, 2\nb: 3\n",
        yaml.parser.ParserError, (1, 4), ["the '[' opened here is not closed", "add the ']'"],
    ),
    "unclosed {": (
        "a: {x: 1\nb: 3\n",
        yaml.parser.ParserError, (1, 4), ["the '{' opened here is not closed", "add the '}'"],
    ),
    "colon inside a flow mapping value": (
        "a: {b: c: d}\n",
        yaml.parser.ParserError, (1, 4), ["the '{' opened here is not closed", "quote any item that contains ': '"],
    ),
    "value starting with a closing bracket": (
        "a: ]\n",
        yaml.parser.ParserError, (1, 4), ["a value cannot start with ']'", "quotes"],
    ),
    "anchor without a name": (
        "a: &\n",
        yaml.scanner.ScannerError, (1, 5), ["anchors and aliases", "quotes"],
    ),
    "undefined alias": (
        "a: *nope\n",
        yaml.composer.ComposerError, (1, 4), ["anchors and aliases"],
    ),
    "duplicate anchor": (
        "a: &x 1\nb: &x 2\n",
        yaml.composer.ComposerError, (2, 4), ["anchors and aliases"],
    ),
    "undefined tag handle": (
        "a: !x!y 1\n",
        yaml.parser.ParserError, (1, 4), ["'!' starts a YAML tag"],
    ),
    "unterminated verbatim tag": (
        "a: !<foo 1\n",
        yaml.scanner.ScannerError, (1, 9), ["'!' starts a YAML tag"],
    ),
    "bad URI escape in a tag": (
        "a: !<%zz> 1\n",
        yaml.scanner.ScannerError, None, ["'!' starts a YAML tag"],
    ),
    "block scalar indicator": (
        "a: |x\n  text\n",
        yaml.scanner.ScannerError, (1, 5), ["after '|' or '>'", "next line"],
    ),
    "block scalar indentation 0": (
        "a: |0\n  text\n",
        yaml.scanner.ScannerError, (1, 5), ["after '|' or '>'"],
    ),
    "YAML directive of another version": (
        "%YAML 2.0\n---\na: 1\n",
        yaml.parser.ParserError, (1, 1), ["YAML directive", "remove the line"],
    ),
    "duplicate YAML directive": (
        "%YAML 1.1\n%YAML 1.1\n---\na: 1\n",
        yaml.parser.ParserError, (2, 1), ["YAML directive"],
    ),
    "malformed directive": (
        "%YAML x.1\n---\na: 1\n",
        yaml.scanner.ScannerError, (1, 7), ["YAML directive"],
    ),
    "duplicate TAG directive": (
        "%TAG !x! tag:a\n%TAG !x! tag:b\n---\na: 1\n",
        yaml.parser.ParserError, (2, 1), [],  # a tag or a directive: either message names the '%' or '!'
    ),
    "two documents": (
        "a: 1\n---\nb: 2\n",
        yaml.composer.ComposerError, (2, 1), ["second YAML document", "remove the '---'"],
    ),
    "text after the document end": (
        "a: 1\n...\nb\n",
        yaml.parser.ParserError, (3, 1), ["after the end of the document", "remove the '...' line"],
    ),
}


def _error(loader, text: str) -> yaml.YAMLError:
    try:
        instance = loader(text)
        try:
            instance.get_single_node()
        finally:
            instance.dispose()
    except yaml.YAMLError as exc:
        return exc
    raise AssertionError("the YAML was read without an error")


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
@pytest.mark.parametrize("name", list(CASES))
def test_every_error_kind_in_plain_words(name, loader):
    text, kind, position, words = CASES[name]
    exc = _error(loader, text)
    assert isinstance(exc, kind)
    line, col, message = explain_yaml_error(exc, text)
    if position and not (loader is yaml.CSafeLoader and name == "bad URI escape in a tag"):
        assert (line, col) == position, message
    for w in words:
        assert w in message, message
    assert "YAML syntax error" not in message  # recognised, not the parser's own words
    assert "<block" not in message and "expected <" not in message
    assert "; " in message  # what is wrong; how to fix it


def test_the_error_kinds_cover_every_pyyaml_loading_error_class():
    kinds = {kind for _t, kind, _p, _w in CASES.values()} | {yaml.reader.ReaderError}
    assert kinds == {yaml.scanner.ScannerError, yaml.parser.ParserError, yaml.composer.ComposerError, yaml.reader.ReaderError}


def test_reader_error_names_the_control_character():
    exc = _error(yaml.SafeLoader, "a: b\x07\n")
    assert isinstance(exc, yaml.reader.ReaderError)
    assert explain_yaml_error(exc, "a: b\x07\n") == (1, 5, "YAML cannot contain the control character U+0007; remove it")


@pytest.mark.parametrize("name", ["bad indentation of a key", "tab in the indentation", "unclosed double quote", "missing colon (simple key)"])
def test_load_reports_the_plain_message_at_its_position(name):
    text, _kind, (line, col), words = CASES[name]
    with pytest.raises(SpecErrors) as raised:
        load_yaml(text, "schema.yaml")
    (error,) = raised.value.errors
    assert str(error).startswith(f"schema.yaml:{line}:{col}: ")
    assert words[0] in str(error)


def test_the_issue_example_bad_indentation_mentions_indentation(tmp_path):
    """The case from the issue: a key indented one space too far gave "expected <block end>"."""
    from helpers import run_cli

    (tmp_path / "schema.yaml").write_text(
        "version: 1\ntables:\n  patients:\n    columns: {}\n     description: Patients.\n"
    )
    result = run_cli("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("schema.yaml:5:6: bad indentation: this line is indented 5 spaces")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
def test_positions_count_lines_as_editors_do(loader):
    """CRLF is one line break; U+2028 inside a value is not one (YAML's own line counter says it is)."""
    crlf = "tables:\r\n  a: 1\r\n\tb: 2\r\n"
    assert explain_yaml_error(_error(loader, crlf), crlf)[:2] == (3, 1)
    separator = 'a: "x\u2028y"\nb: "open\n'
    line, col, message = explain_yaml_error(_error(loader, separator), separator)
    assert (line, col) == (2, 4) and "never closed" in message
