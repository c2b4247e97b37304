import re

import pandas as pd
import pytest

from qainsights.cli import main
from qainsights.datasets import simulate_audits


@pytest.fixture(scope="module")
def small_export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    audits = simulate_audits(seed=4, start="2026-08-03", weeks=9, audits_per_week=400).audits
    path = folder / "audits.csv"
    audits.to_csv(path, index=False)
    return path


def test_cli_renders_a_self_contained_report(small_export, tmp_path, capsys):
    output = tmp_path / "out" / "report.html"
    assert (
        main(["report", "--data", str(small_export), "--output", str(output), "--target", "0.9"])
        == 0
    )
    assert f"Wrote {output}" in capsys.readouterr().out
    html = output.read_text()
    assert "Monthly Quality Report" in html
    assert "Report month: 2026-09" in html  # the data end on 2026-10-04: September is complete
    images = re.findall(r"<img[^>]*>", html)
    assert len(images) == 3
    assert all('src="data:image/png;base64,' in tag for tag in images)  # embedded
    assert not re.search(r'src="https?://', html)  # opens offline
    assert "import qainsights" not in html  # code hidden
    assert "from qainsights" not in html
    for heading in (
        "Headline accuracy",
        "over- and under-enforcement",
        "Accuracy by site",
        "Sampling statement",
    ):
        assert heading in html


def test_cli_writes_the_samples(tmp_path):
    assert main(["samples", "--output", str(tmp_path)]) == 0
    standard = pd.read_csv(tmp_path / "calibration_standard.csv")
    assert list(standard.columns) == ["item_id", "label"]


def test_cli_requires_data(capsys):
    with pytest.raises(SystemExit):
        main(["report"])
    assert "--data" in capsys.readouterr().err
