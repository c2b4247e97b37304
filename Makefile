# The two quick-start commands, `make report` and `make test`, and `make docs`. Each purpose has its own
# virtual environment, created the first time from pyproject.toml and the tested versions in
# requirements/constraints.txt:
#   .venv-report  the library and what rendering the report needs (the [report] extra)
#   .venv         the test suite (the [test] extra: every engine, Jupyter for nbval, ruff)
#   .venv-docs    the documentation site (the [docs] extra)
#   .venv-oldest  the oldest supported set (requirements/oldest.txt), for `make test-oldest`
# uv builds them when it is on the PATH (`pip install uv`; much faster), pip otherwise. Neither
# compiles every module's bytecode up front: Python writes it for what it imports, in every
# recipe here even where PYTHONDONTWRITEBYTECODE is set, since the tests start dozens of Python
# processes (notebook kernels, the command line) that would each compile pandas, statsmodels
# and matplotlib from source again (some 9 s a process).
PYTHON ?= python3
OLDEST_PYTHON ?= python3.10
UV ?= $(shell command -v uv 2>/dev/null)
CALIBRATION := --calibration data_samples/calibration.csv --calibration-standard data_samples/calibration_standard.csv
SPHINX_OPTS ?= -W --keep-going -q
unexport PYTHONDONTWRITEBYTECODE

# $(call environment,FOLDER,EXTRAS,PYTHON,CONSTRAINTS): a virtual environment with the checkout installed.
ifneq ($(strip $(UV)),)
define environment
	$(UV) venv --quiet --allow-existing --python $(3) $(1)
	$(UV) pip install --quiet --python $(1)/bin/python -c $(4) -e ".[$(2)]"
	touch $(1)/.installed
endef
else
define environment
	$(3) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --upgrade pip
	$(1)/bin/python -m pip install --quiet --no-compile -c $(4) -e ".[$(2)]"
	touch $(1)/.installed
endef
endif

.PHONY: report test test-oldest lint docs dist notebooks samples sizes clean

.venv-report/.installed: pyproject.toml requirements/constraints.txt
	$(call environment,.venv-report,report,$(PYTHON),requirements/constraints.txt)

.venv/.installed: pyproject.toml requirements/constraints.txt
	$(call environment,.venv,test,$(PYTHON),requirements/constraints.txt)

.venv-docs/.installed: pyproject.toml requirements/constraints.txt
	$(call environment,.venv-docs,docs,$(PYTHON),requirements/constraints.txt)

.venv-oldest/.installed: pyproject.toml requirements/oldest.txt
	$(call environment,.venv-oldest,test,$(OLDEST_PYTHON),requirements/oldest.txt)

report: .venv-report/.installed
	.venv-report/bin/qainsights report --data data_samples/audits.parquet $(CALIBRATION) --output reports/monthly_quality_report.html --exports reports

# Two workers, each test file (so each notebook) whole on one of them.
PARALLEL := -n 2 --dist loadfile
test: .venv/.installed
	.venv/bin/python -m pytest $(PARALLEL)
	.venv/bin/ruff check qainsights tests benchmarks

# The unit tests and doctests on the oldest supported versions. The notebooks are left out (their
# committed outputs come from the newest set, and pandas 2.2 prints some tables differently), and so
# is Spark (tested on the newest set: pyspark 4.0 leaves sockets open on Python 3.10, and later
# releases need a newer pyarrow than the oldest set's), and so is reading a Hyper extract back
# (pantab 5.3 crashes reading with the oldest set's pyarrow 14; tested on the newest set).
test-oldest: .venv-oldest/.installed
	.venv-oldest/bin/python -m pytest $(PARALLEL) -m "not spark" qainsights tests \
		--deselect tests/mart/test_mart.py::test_parquet_and_hyper_exports_read_back

lint: .venv/.installed
	.venv/bin/ruff check qainsights tests benchmarks
	.venv/bin/ruff format --check qainsights tests benchmarks

# The documentation site, warnings as errors: docs/_build/html/index.html.
docs: .venv-docs/.installed
	rm -rf docs/_build docs/api
	.venv-docs/bin/sphinx-build $(SPHINX_OPTS) -b html docs docs/_build/html
	@echo "Open docs/_build/html/index.html"

# The wheel and the sdist in dist/, checked by twine.
dist:
	rm -rf dist .venv-dist
	$(PYTHON) -m venv .venv-dist
	.venv-dist/bin/python -m pip install --quiet build twine
	.venv-dist/bin/python -m build
	.venv-dist/bin/twine check --strict dist/*

# Re-execute the curated notebooks in place (after a deliberate change to their numbers), then strip
# what changes on every run (timings, papermill's timestamps, the Python patch version), so a second
# run leaves `git status` clean. The kernels draw inline whatever MPLBACKEND says.
INLINE := MPLBACKEND=module://matplotlib_inline.backend_inline
notebooks: .venv/.installed
	$(INLINE) .venv/bin/qainsights report --data data_samples/audits.parquet $(CALIBRATION) --notebook notebooks/01_monthly_quality_report.ipynb --output reports/monthly_quality_report.html
	cd notebooks && for notebook in [0-9][0-9]_*.ipynb; do \
		[ "$$notebook" = 01_monthly_quality_report.ipynb ] || \
		$(INLINE) ../.venv/bin/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.record_timing=False "$$notebook" || exit 1; \
	done
	.venv/bin/python tests/notebook_metadata.py notebooks/[0-9][0-9]_*.ipynb

samples: .venv-report/.installed
	.venv-report/bin/qainsights samples --output data_samples

# The size on disk of each environment built so far, one at a time (uv hard-links files shared
# between environments, and one du call counts a shared file once).
sizes:
	@for env in .venv-report .venv .venv-docs .venv-oldest; do [ ! -d $$env ] || du -sh $$env; done

clean:
	rm -rf .venv .venv-report .venv-docs .venv-oldest .venv-dist reports dist docs/_build docs/api .pytest_cache .ruff_cache .hypothesis
	find qainsights tests benchmarks notebooks -name __pycache__ -type d -prune -exec rm -rf {} +
