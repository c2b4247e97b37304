from pathlib import Path

from qainsights.audits import schema_frame
from qainsights.audits._checks import RULES

DICTIONARY = (Path(__file__).resolve().parents[2] / "docs" / "data_dictionary.md").read_text()


def test_every_canonical_column_is_documented_with_its_description():
    for row in schema_frame().itertuples():
        assert f"| `{row.column}` | {row.type} | {row.role} |" in DICTIONARY
        assert row.description in DICTIONARY


def test_every_validation_rule_is_documented():
    for rule in RULES:
        assert f"| `{rule}` |" in DICTIONARY
