# Axiom Drop — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
APP_STAMP := $(VENV)/.installed-app
STAMP := $(VENV)/.installed-test

.PHONY: run test test-fast test-package test-live bench sandbox clean lock

# The app's dependencies come from the hashed lock (the versions the bundle is built with); the
# app itself runs from this checkout through a .pth file (what an editable install does, without
# building it: no setuptools run, no warnings), with the C text-log parser compiled in place (below).
# The test tools are added only by `make test`.
$(APP_STAMP): packaging/requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r packaging/requirements.lock
	$(PY) -c 'import sysconfig, pathlib; pathlib.Path(sysconfig.get_paths()["purelib"], "axiom_drop_checkout.pth").write_text("$(CURDIR)\n")'
	$(PY) packaging/build_native.py
	touch $(APP_STAMP)

# The C block paths (setup.py: one module per app/core/*/_native*.c, e.g. app.core.textlog._native,
# app.core.batching._native_csv), compiled in place by packaging/build_native.py when a source is
# newer than its module (or a module is missing); without a C compiler that says so in one line and
# the app reads in Python (AXIOM_DROP_REQUIRE_NATIVE=1 makes it an error).
EXT_SUFFIX := $(shell $(if $(wildcard $(PY)),$(PY),$(PYTHON)) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
NATIVE_SOURCES := $(wildcard app/core/*/_native*.c)
NATIVE := $(NATIVE_SOURCES:.c=$(EXT_SUFFIX))
$(NATIVE) &: $(NATIVE_SOURCES) $(wildcard app/core/*/_native*.h) setup.py packaging/build_native.py | $(APP_STAMP)
	$(PY) packaging/build_native.py

$(STAMP): $(APP_STAMP) pyproject.toml
	$(PY) -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["test"]))' > $(VENV)/test-requirements.txt
	$(PY) -m pip install -q -r $(VENV)/test-requirements.txt
	touch $(STAMP)

## Open the app (creates the venv and installs the app, without the test tools, the first time).
run: $(APP_STAMP) $(NATIVE)
	$(PY) -m app

## Run the test suite: offscreen Qt, the sandbox on loopback, and a real Secret Service
## (gnome-keyring in a private D-Bus session) when dbus-run-session and gnome-keyring exist.
## The bundle build has its own target (test-package), run by .ci/run too.
test: $(STAMP) $(NATIVE)
	$(VENV)/bin/lint-imports --no-cache
	QT_QPA_PLATFORM=offscreen QT_API=pyside6 tests/with_keyring.sh $(PY) -m pytest -q -m "not packaging and not live" $(PYTEST_ARGS)

## Build the PyInstaller bundle from a clean venv and run it (~1-2 min; .ci/run runs it after `make test`).
test-package: $(STAMP)
	QT_QPA_PLATFORM=offscreen QT_API=pyside6 tests/with_keyring.sh $(PY) -m pytest -q -m packaging $(PYTEST_ARGS)

## The tests without the slow marker (quick feedback while coding).
test-fast: $(STAMP) $(NATIVE)
	QT_QPA_PLATFORM=offscreen QT_API=pyside6 $(PY) -m pytest -q -m "not slow and not packaging and not live" $(PYTEST_ARGS)

## The live check against real Axiom (tests/live, README "Live check"): needs AXIOM_TOKEN (and as
## needed AXIOM_ORG_ID, AXIOM_URL/AXIOM_EDGE_URL, AXIOM_TEST_DATASET); skips, saying so, without it.
test-live: $(STAMP) $(NATIVE)
	$(PY) -m pytest -q -rs -m live tests/live $(PYTEST_ARGS)

## Benchmarks: print figures (never part of the test run). Needs root for the shaped-link rows
## (network namespaces); installs iproute2, curl and zstd when missing. ~4 min; BENCH_ARGS=--quick ~2 min.
bench: $(STAMP) $(NATIVE)
	@if [ "$$(id -u)" != 0 ]; then echo "make bench: not root — the shaped-link rows (network namespaces) are skipped; run 'sudo make bench' for them"; fi
	trap '$(PY) bench/netns.py --cleanup 2>/dev/null' EXIT INT TERM; $(PY) bench/run.py $(BENCH_ARGS)

## The C block paths under AddressSanitizer and UBSan (tools/fuzz_native, README "Text logs"): built
## apart in a temporary folder (the in-place modules are left alone) and given generated and mutated
## inputs for FUZZ_SECONDS in all, each C result compared with its Python path; exits non-zero with the
## case saved under build/fuzz/ on a difference, a sanitizer report or a hang. FUZZ_ARGS: e.g.
## "--only csv --jobs 2", "--replay build/fuzz/X.case". Needs gcc's libasan; slow, so not in make test.
FUZZ_SECONDS ?= 300
.PHONY: fuzz-native
fuzz-native: $(APP_STAMP)
	nice -n 10 $(PY) -m tools.fuzz_native --seconds $(FUZZ_SECONDS) $(FUZZ_ARGS)

## A local Axiom-compatible server on loopback.
sandbox: $(STAMP) $(NATIVE)
	$(PY) -m app sandbox

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
	rm -f app/core/*/_native*.so app/core/*/_native*.pyd

## The lock files the bundle is built from, with hashes, for every OS (uv's universal resolution):
## packaging/requirements.lock (the app's dependencies) and packaging/build.lock (those plus
## PyInstaller). Run after changing dependencies in pyproject.toml; tests/packaging/test_lock.py
## fails while the two disagree.
UV := build/uv-venv/bin/uv
LOCK_ARGS := --universal --generate-hashes --python-version 3.11 --quiet
lock:
	test -x $(UV) || { $(PYTHON) -m venv build/uv-venv && build/uv-venv/bin/pip install -q uv; }
	$(UV) pip compile pyproject.toml $(LOCK_ARGS) --custom-compile-command "make lock" -o packaging/requirements.lock
	$(UV) pip compile pyproject.toml packaging/build-requirements.in -c packaging/requirements.lock $(LOCK_ARGS) \
	    --custom-compile-command "make lock" -o packaging/build.lock
	$(MAKE) flatpak-deps

## The Flatpak's Python dependencies (packaging/flatpak/python3-deps.yaml) from requirements.lock:
## URLs and sha256s of the locked files from PyPI (make lock runs it; needs network).
.PHONY: flatpak-deps
flatpak-deps: $(STAMP)
	$(PY) packaging/flatpak/deps.py

## Packaged builds (packaging/): a one-folder PyInstaller bundle built in a fresh venv under
## build/, then dist/axiom-drop-VERSION-linux-ARCH.tar.gz; prints both sizes.
.PHONY: package install-desktop uninstall-desktop deb
package:
	$(PYTHON) packaging/build.py $(BUILD_ARGS)

dist/axiom-drop/axiom-drop:
	$(MAKE) package

## Install the bundle for this user: ~/.local/lib/axiom-drop, ~/.local/bin/axiom-drop, the menu
## entry, icons and AppStream metadata under ~/.local/share (builds the bundle first if missing;
## BUNDLE=path installs another one, e.g. an unpacked release tarball).
BUNDLE ?= dist/axiom-drop
install-desktop: $(BUNDLE)/axiom-drop
	packaging/linux/desktop-install.sh install $(BUNDLE)

uninstall-desktop:
	packaging/linux/desktop-install.sh uninstall

## A .deb from the bundle (builds the bundle first if missing): /opt/axiom-drop, /usr/bin/axiom-drop,
## the menu entry, icons and AppStream metadata; Depends from dpkg-shlibdeps; checked by lintian.
## Needs dpkg-dev (and lintian for the check). Install it with: sudo apt-get install ./dist/axiom-drop_*.deb
deb: $(BUNDLE)/axiom-drop
	$(PYTHON) packaging/linux/build_deb.py --bundle $(BUNDLE)

