"""The published reference values are written once, in tests/reference/<topic>.py, with a source.

Every constant of a reference module is followed by a docstring naming where the number comes
from (book, edition and table, or the package, version and call that printed it). The test modules
import the values: a number of five or more significant digits that a reference module holds must
not be typed again in a test module (the data and independent computations of the tests are
other numbers).
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REFERENCE = TESTS / "reference"
MODULES = sorted(path for path in REFERENCE.glob("*.py") if path.name != "__init__.py")
CONSTANT = re.compile(r"[A-Z][A-Z0-9_]*")
MIN_DIGITS = 5


def number_literals(path: Path) -> list[tuple[int, str]]:
    """The (line, text) of every float literal in a Python file."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return [
        (token.start[0], token.string)
        for token in tokens
        if token.type == tokenize.NUMBER and re.search(r"[.eE]", token.string)
    ]


def significant_digits(text: str) -> int:
    mantissa = re.split(r"[eE]", text.replace("_", ""))[0].replace(".", "")
    return len(mantissa.lstrip("0"))


def test_every_reference_module_has_its_note():
    # <topic>.py holds the numbers of <topic>.md, <topic>_data.py the data sets of its cases.
    assert MODULES, "no reference modules"
    for path in MODULES:
        note = REFERENCE / f"{path.stem.removesuffix('_data')}.md"
        assert note.exists(), f"{path.name} has no note {note.name}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_every_reference_constant_names_its_source(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert ast.get_docstring(tree), f"{path.name} has no module docstring"
    body = tree.body
    missing = []
    for statement, following in zip(body, [*body[1:], None], strict=True):
        if isinstance(statement, ast.Assign):
            targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            targets = [statement.target.id]
        else:
            continue
        if not any(CONSTANT.fullmatch(name) for name in targets):
            continue
        documented = (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
            and len(following.value.value.split()) >= 3
        )
        if not documented:
            missing.extend(targets)
    assert not missing, f"{path.name}: constants without a source docstring: {missing}"


def test_tests_do_not_retype_reference_values():
    # A reference value is retyped when a test holds the same number to as many digits; a data
    # value that happens to equal a longer printed one (74.004 and a mean printed as 74.0040) is
    # not a copy of it.
    reference: dict[float, tuple[int, str]] = {}
    for path in MODULES:
        for line, text in number_literals(path):
            digits = significant_digits(text)
            if digits >= MIN_DIGITS:
                known = reference.get(float(text), (digits + 1, ""))
                if digits < known[0]:
                    reference[float(text)] = (digits, f"{path.name}:{line}")
    retyped = [
        f"{path.relative_to(TESTS)}:{line}: {text} (in {reference[float(text)][1]})"
        for path in sorted(TESTS.rglob("*.py"))
        if REFERENCE not in path.parents
        for line, text in number_literals(path)
        if float(text) in reference and significant_digits(text) >= reference[float(text)][0]
    ]
    assert not retyped, "import these from tests/reference instead:\n" + "\n".join(retyped)
