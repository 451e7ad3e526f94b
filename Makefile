# sm-pipeline-iam: the README's two commands are `make synth` and `make test`.
# Each sets up what it needs first (Python venv, Node 22, the CDK CLI), idempotently.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
# Node 22 from node_modules first: jsii and the CDK CLI then run on a supported Node.
export PATH := $(CURDIR)/node_modules/.bin:$(BIN):$(PATH)
export CDK_DISABLE_CLI_TELEMETRY := true

.PHONY: setup synth test lint typecheck unit integ bench test-times clean deploy-local

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -c constraints.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The main job: synthesize the sample app into cdk.out/.
synth: setup
	cdk synth --no-notices --output cdk.out --quiet $(CDK_ARGS)

lint: setup
	ruff check .

typecheck: setup
	mypy --strict sm_pipeline_iam

# The fast tests: everything but the integration suite (tests/integ).
unit: setup
	pytest -m "not integ"

# The integration suite: the real CDK CLI against a local moto server (a few minutes).
integ: setup
	pytest -m integ

# The whole test suite: lint, types, then the unit and the integration tests.
test: lint typecheck unit integ

# Deploy the sample app for real: the CDK CLI against a local moto server, read back, destroy.
# The sample's round trip (tests/integ/deploy_local.py) on the library's sm_pipeline_iam.rehearse
# (server, patches, read-back), run as a program; `sm-pipeline-iam rehearse` does it for any app.
deploy-local: setup
	PYTHONPATH=$(CURDIR)/tests $(BIN)/python -m integ.deploy_local $(DEPLOY_ARGS)

bench: setup
	$(BIN)/python bench/run.py

# Wall-clock minutes of `make unit` and `make test` here, without their setup, and the core
# count (targets on 2 cores: 5 and 15 minutes). TEST_TIMES_ARGS=--unit: the unit suite only.
test-times: setup
	$(BIN)/python bench/test_times.py $(TEST_TIMES_ARGS)

clean:
	rm -rf cdk.out .pytest_cache .mypy_cache .ruff_cache
