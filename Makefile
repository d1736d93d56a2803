# Two commands for a newcomer:  make run   (install and launch)   make test   (install and test)
PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: run test system-run system-test venv package smoke clean

run: system-run $(STAMP)
	$(VENV)/bin/liveview

test: system-test $(STAMP)
	bash scripts/run-tests.sh

system-run:
	@bash scripts/setup-system.sh run

system-test:
	@bash scripts/setup-system.sh test

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

package: system-run $(STAMP)
	bash packaging/build.sh

# The frozen one-folder bundle, run offscreen with --self-test, and the diagnostic bundle that
# checks what slimming changed (video through the small OpenCV's FFmpeg, ICU, ...): what CI checks.
smoke: system-test $(STAMP)
	bash packaging/build.sh --bundle-only
	bash -c '. scripts/test-env.sh && bash packaging/smoke_test.sh'
	bash packaging/linux/frozen_checks.sh

clean:
	rm -rf $(VENV) build dist test-output .coverage
