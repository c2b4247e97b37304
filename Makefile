# The two quick-start commands: `make report` and `make test`. Each creates its own virtual
# environment (.venv) from pyproject.toml and the tested versions in requirements/constraints.txt.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CALIBRATION := --calibration data_samples/calibration.csv --calibration-standard data_samples/calibration_standard.csv

.PHONY: report test lint notebooks samples clean

$(STAMP): pyproject.toml requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[test]"
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/qainsights report --data data_samples/audits.parquet $(CALIBRATION) --output reports/monthly_quality_report.html --exports reports

test: $(STAMP)
	$(BIN)/python -m pytest
	$(BIN)/ruff check qainsights tests benchmarks

lint: $(STAMP)
	$(BIN)/ruff check qainsights tests benchmarks
	$(BIN)/ruff format --check qainsights tests benchmarks

# Re-execute the curated notebooks in place (after a deliberate change to their numbers).
notebooks: $(STAMP)
	$(BIN)/qainsights report --data data_samples/audits.parquet $(CALIBRATION) --notebook notebooks/01_monthly_quality_report.ipynb --output reports/monthly_quality_report.html
	cd notebooks && for notebook in [0-9][0-9]_*.ipynb; do \
		[ "$$notebook" = 01_monthly_quality_report.ipynb ] || ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace "$$notebook"; \
	done

samples: $(STAMP)
	$(BIN)/qainsights samples --output data_samples

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .hypothesis
