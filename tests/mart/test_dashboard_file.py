"""The dashboard file: self-contained, small, and carrying the cube's sums exactly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import qainsights as qi
from qainsights.mart import dashboard_data, publish, quality_cube, write_dashboard

SAMPLE = Path(__file__).parents[2] / "data_samples" / "audits.parquet"


def payload(path: Path) -> dict:
    found = re.search(
        r'<script type="application/json" id="qi-data">(.*?)</script>', path.read_text()
    )
    return json.loads(found.group(1))


def test_the_shipped_sample_makes_a_dashboard_under_5_mb(tmp_path):
    path = write_dashboard(SAMPLE, output=tmp_path / "dashboard.html")
    assert path.stat().st_size < 5_000_000
    text = path.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", text)  # nothing fetched
    assert "default-src 'none'" in text
    assert sum(payload(path)["cells"]["n"]) == 103_998  # the sample's rows (data_samples/README.md)


def test_the_page_from_a_mart_equals_the_page_from_the_rows(tmp_path):
    audits = qi.simulate_audits(seed=2, weeks=6, audits_per_week=300).audits
    publish(audits, to=tmp_path / "q.duckdb")
    from_mart = write_dashboard(tmp_path / "q.duckdb", output=tmp_path / "a.html")
    from_rows = write_dashboard(audits, output=tmp_path / "b.html")
    assert payload(from_mart) == payload(from_rows)
    data = payload(from_mart)
    assert data["weighted"] is True
    assert data["z"] == pytest.approx(1.959963984540054, abs=1e-15)  # Φ⁻¹(0.975)
    assert sum(data["cells"]["errors"]) == audits["is_error"].sum()
    assert sum(data["causes"]["errors"]) == audits["is_error"].sum()
    weights = sum(data["cells"]["sum_w"])
    assert weights == pytest.approx(audits["weight"].sum(), rel=1e-12)


def test_labels_cannot_close_the_script_element(tmp_path):
    audits = qi.simulate_audits(seed=2, weeks=3, audits_per_week=200).audits
    audits = audits.assign(market=audits["market"].where(audits.index % 2 == 0, "</script><b>x"))
    path = write_dashboard(audits, output=tmp_path / "d.html")
    assert "</script><b>" not in path.read_text()
    assert "</script><b>x" in payload(path)["dims"]["market"]


def test_bad_confidence_level_raises():
    cube = quality_cube(qi.simulate_audits(seed=2, weeks=3, audits_per_week=200).audits)["cube"]
    with pytest.raises(ValueError, match="'ci' parameter of dashboard_data"):
        dashboard_data(cube, weighted=False, ci=95)


def test_the_page_carries_moderator_codes_not_ids_and_says_when_it_has_none(tmp_path):
    audits = qi.simulate_audits(seed=2, weeks=4, audits_per_week=300).audits
    path = write_dashboard(audits, output=tmp_path / "d.html")
    data = payload(path)
    clusters = data["clusters"]
    assert "each moderator's audits one cluster" in data["subtitle"]
    assert max(clusters["unit"]) + 1 == audits["moderator_id"].nunique()
    assert not set(audits["moderator_id"].astype(str)) & set(path.read_text().split('"'))
    assert sum(clusters["sum_w"]) == pytest.approx(audits["weight"].sum(), rel=1e-12)
    assert len(data["t"]) >= 1000
    assert data["t"][9] == pytest.approx(2.228138851986, abs=1e-9)  # t(0.975; 10), 12 decimals
    plain = write_dashboard(audits.drop(columns="moderator_id"), output=tmp_path / "p.html")
    assert payload(plain)["clusters"] is None
    assert "treat audits as independent" in payload(plain)["subtitle"]
