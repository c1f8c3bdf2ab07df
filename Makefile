# The two commands: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
RASA   := $(VENV)/bin/rasa
MODEL  := models/current.tar.gz
# The model depends on the data, the domain, the config and the code of the NLU components
# and policy it trains (a change to any of them retrains).
# The folders too: removing a corpus file changes its folder, and retrains.
TRAINING_INPUTS := config.yml $(wildcard domain/*.yml) $(shell find data -name '*.yml' -o -name '*.txt' -o -type d 2>/dev/null) \
                   $(wildcard kratom_assistant/nlu/*.py kratom_assistant/safety/*.py kratom_assistant/safety/*.yml) \
                   kratom_assistant/stored_component.py
export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
# No telemetry or error reports leave the machine.
export RASA_TELEMETRY_ENABLED := false
PYTEST := $(PY) -m pytest -p no:cacheprovider

.PHONY: help setup system-packages train run scaleout load test test-unit test-model test-servers \
        test-browser test-stories lint validate audit content review signoff eval bench purge stats lock clean

help:
	@echo "make run           set up, train if needed, start the assistant (REST + socket.io on :5005, widget demo on :8080)"
	@echo "make test          set up, train if needed, run every check (all the tiers below)"
	@echo "make test-unit     lint and unit tests: no model, no servers, no root (under two minutes)"
	@echo "make test-model    the trained model in process: held-out NLU, substance names"
	@echo "make test-servers  the real servers over REST, socket.io and each platform's webhook; the multi-instance set-up"
	@echo "make test-browser  the web widget in Debian's chromium"
	@echo "make content       regenerate the responses from the reviewed content (content/)"
	@echo "make review        the clinical reviewer's page of every answer (reports/review/index.html)"
	@echo "make eval          NLU cross-validation, held-out, red-team and content reports (reports/summary.md)"
	@echo "make bench         benchmark against Rasa's stock configuration (reports/bench.md)"
	@echo "make scaleout      two Rasa + two action servers behind nginx, Redis, PostgreSQL (:7000)"
	@echo "make load          100 simulated people for 5 minutes against it (reports/load.md)"
	@echo "make purge         delete conversations idle for more than RETENTION_DAYS (default 30)"
	@echo "make stats         daily counts from the conversation store, never its words (reports/stats/)"

# A virtual environment on Python 3.10 with the pinned dependencies: requirements.txt installs
# requirements/dev.txt (both servers' runtime.txt and actions.txt, and the test tools).
$(VENV)/.installed: requirements.txt $(wildcard requirements/*.txt) constraints.txt tools/find_python310.sh
	@PY310=$$(tools/find_python310.sh) || exit 1; \
	  echo "Creating $(VENV) with $$PY310"; \
	  "$$PY310" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	@touch $@

# The widget's browser-side package (socket.io-client, served by the demo page: no CDN).
web/node_modules/.installed: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund
	@touch $@

# Debian's chromium, which the widget's browser tests drive (Playwright downloads no browser).
/usr/bin/chromium:
	@if [ "$$(id -u)" -ne 0 ]; then \
	  echo "The browser tests need Debian's chromium at /usr/bin/chromium: install it as root with" >&2; \
	  echo "  apt-get update && apt-get install -y chromium" >&2; \
	  exit 1; \
	fi
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# Debian's redis-server, postgresql and nginx for the multi-instance set-up and its tests
# (installed if missing, never started as services).
system-packages:
	@deploy/local/install.sh

setup: $(VENV)/.installed web/node_modules/.installed /usr/bin/chromium system-packages

# Train only when a training input changed since the last model.
$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS)
	$(RASA) train --domain domain --fixed-model-name current --out models --force
	@touch $@

train: $(MODEL)

run: $(MODEL) web/node_modules/.installed
	$(PY) -m tools.serve

# Two Rasa servers and two action servers behind nginx, Redis and PostgreSQL, on 127.0.0.1.
scaleout: $(MODEL) system-packages
	$(PY) -m tools.scaleout

# 100 simulated people for 5 minutes against the multi-instance front (reports/load.md).
load: $(MODEL) system-packages
	$(PY) -m tools.load

# --- Checks -----------------------------------------------------------------------------
test: lint validate audit test-unit test-model test-stories test-servers test-browser
	$(PY) -m tools.bench --smoke

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test-unit: lint
	$(PYTEST) tests/unit

test-model: $(MODEL)
	$(PYTEST) tests/model

# The conversation tests (tests/test_stories.yml), whole conversations through the model.
test-stories: $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out results/stories

test-servers: $(MODEL) system-packages
	$(PYTEST) tests/servers

test-browser: $(MODEL) web/node_modules/.installed /usr/bin/chromium
	$(PYTEST) tests/browser

validate: $(VENV)/.installed
	$(RASA) data validate --domain domain --fail-on-warnings

audit: $(VENV)/.installed
	$(PY) -m tools.content_audit

# The responses generated from the reviewed content (content/): domain/content_*.yml.
content: $(VENV)/.installed
	$(PY) -m tools.content_build

# One page for the clinical reviewer (reports/review/), and recording their sign-off.
review: $(VENV)/.installed
	$(PY) -m tools.content_review

signoff: $(VENV)/.installed
	$(PY) -m tools.content_review --signoff

# NLU cross-validation and held-out reports, red-team figures, content table: reports/summary.md
eval: $(MODEL)
	$(PY) -m tools.evaluate

# Latency, throughput, start-up, memory and training time, against Rasa's stock config.
bench: $(MODEL)
	$(PY) -m tools.bench

# Retention: delete stored conversations idle for more than RETENTION_DAYS (default 30).
purge: $(VENV)/.installed
	$(PY) -m tools.purge

# Counts per day (conversations, topics, refusals, crisis replies...) from the conversation
# store, never a message's text or a sender id: reports/stats/ (python -m tools.stats --help).
stats: $(VENV)/.installed
	$(PY) -m tools.stats

# Re-resolve the pins after editing requirements/*.txt.
lock: setup
	$(PY) -m pip freeze --exclude-editable | sed '1i # Full lock of the resolved environment (pip freeze on Python 3.10); see requirements/.' > constraints.txt

clean:
	rm -rf $(VENV) models results reports .pytest_cache web/node_modules
