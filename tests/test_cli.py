import subprocess
import sys

import pytest

from qainsights import __version__
from qainsights.cli import SUBCOMMANDS, _parser, main


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == f"qainsights {__version__}"


def test_help_imports_no_data_library():
    # The command's help must answer without loading pandas, numpy or matplotlib.
    code = (
        "import sys\n"
        "from qainsights.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_every_subcommand_has_a_summary_an_example_and_its_defaults(capsys):
    commands = next(a for a in _parser()._actions if a.dest == "command")
    assert len(commands.choices) == len(SUBCOMMANDS)
    for name, sub in commands.choices.items():
        summary = next(c.help for c in commands._choices_actions if c.dest == name)
        assert summary
        assert "\n" not in summary
        text = sub.format_help()
        assert f"qainsights {name} --" in text.split("examples:")[1]
        assert "``" not in text
        for action in sub._actions:
            if action.option_strings and action.default not in (None, False, [], "==SUPPRESS=="):
                assert f"(default: {action.default})" in " ".join(text.split())


def test_top_level_help_lists_the_subcommands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "``" not in text
    for name in ("validate", "report", "samples"):
        assert f"    {name} " in text


def test_min_n_flag_and_its_former_name(capsys):
    report = ["report", "--data", "export.csv"]
    assert _parser().parse_args(report).min_n == 10
    assert _parser().parse_args([*report, "--min-n", "5"]).min_n == 5
    assert capsys.readouterr().err == ""
    assert _parser().parse_args([*report, "--min-cell-n", "7"]).min_n == 7
    err = capsys.readouterr().err
    assert "--min-cell-n was renamed --min-n" in err
    assert "Write --min-n instead." in err
    commands = next(a for a in _parser()._actions if a.dest == "command")
    assert "--min-cell-n" not in commands.choices["report"].format_help()


def test_a_missing_optional_package_names_the_extra_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "duckdb", None)  # importing it raises ModuleNotFoundError
    data = tmp_path / "audits.csv"
    data.write_text("audit_id\n1\n")
    assert main(["dashboard", "--data", str(data), "--output", str(tmp_path / "d.html")]) == 2
    message = capsys.readouterr().err
    assert "optional package 'duckdb'" in message
    assert 'pip install "qainsights[mart]"' in message
