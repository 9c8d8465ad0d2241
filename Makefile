# Set-up and everyday commands. Everything installs into .venv from pyproject.toml + constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home

.PHONY: install run test test-spark ui bench lint manifest demo-data status clean dbt-docs browser shared-domains spark

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

manifest: install
	cd dbt_project && ICP_DUCKDB_PATH=$${ICP_DUCKDB_PATH:-$(CURDIR)/data/warehouse/icp_warehouse.duckdb} \
		../$(BIN)/dbt parse --quiet --profiles-dir .

run: install manifest  ## install, build demo data if the landing folder is empty, run everything
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/icp run --demo-if-empty

test: install manifest  ## install and run the test suite (the Spark engine's tests: make test-spark)
	$(BIN)/pytest -n 2 --dist loadfile -q -m "not spark"

test-spark: spark manifest  ## Java 17 + the [spark] extra, then the Spark engine's tests (marker spark; 8 to 19 min on this shared 2-core machine: docs/scale-out.md)
	$(BIN)/pytest -q -m spark

ui: install manifest  ## Dagster UI on http://127.0.0.1:3000 with the full lineage
	@mkdir -p $(DAGSTER_HOME)
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

demo-data: install
	$(BIN)/icp demo-data

status: install
	$(BIN)/icp status

bench: install manifest  ## scale benchmark: 10k/100k/1M accounts vs engines' floor and pandas (bench/results/)
	$(BIN)/python bench/run_bench.py $(BENCH_ARGS)

shared-domains: install  ## regenerate dbt seed shared_domains from its libraries
	$(BIN)/python -m icp_pipeline.lib.landing.shared_domains

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf data dbt_project/target dbt_project/logs

dbt-docs: install manifest  ## dbt docs (every model and column) on http://127.0.0.1:8080
	cd dbt_project && ICP_DUCKDB_PATH=$${ICP_DUCKDB_PATH:-$(CURDIR)/data/warehouse/icp_warehouse.duckdb} \
		../$(BIN)/dbt docs generate --profiles-dir . && ../$(BIN)/dbt docs serve --profiles-dir . --port 8080

browser:  ## Debian's headless Chromium for the report's rendering test (needs root; skipped tests say so without it)
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

spark: install  ## ICP_ENGINE=spark: Debian's Java 17 (needs root) and the [spark] extra (pyspark, dbt-spark)
	@command -v java >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }
	@java -version 2>&1 | head -1
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev,spark]"
