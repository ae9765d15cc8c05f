# Makefile — a thin wrapper: install missing Debian packages, configure with
# CMake (Ninja, Release), build, then train or test. Everything real lives in
# CMakeLists.txt; this file only strings the steps together.
#
#   make train   deps + configure + build the `gradlab` command + train the
#                default model into a fresh runs/<date-time>/ directory
#   make test    deps + configure + build everything + ctest
#   make build   deps + configure + build everything
#   make bench   build + run every benchmark in $(BUILD_DIR)/bench (short runs)
#   make clean   remove $(BUILD_DIR) (never touches runs/)
#
# Variables (make VAR=value ...):
#   BUILD_DIR=build   BUILD_TYPE=Release   JOBS=<nproc>   CTEST_JOBS=2
#   WERROR=1          warnings are errors (default when CI=true)
#   SKIP_DEPS=1       do not run scripts/install-deps.sh
#   CMAKE_ARGS=...    extra arguments for the CMake configure step
#   RUN_DIR=runs/x    where `make train` writes (must not exist yet)
#   TRAIN_ARGS=...    extra flags for `gradlab train` (see `gradlab train --help`)
#   CTEST_ARGS=...    extra flags for ctest, e.g. CTEST_ARGS='-R consumer'
#   BENCH_ARGS=...    flags for each benchmark program

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_JOBS ?= 2
CMAKE_ARGS ?=
TRAIN_ARGS ?=
CTEST_ARGS ?=
BENCH_ARGS ?= --benchmark_min_time=0.2

# CI=true (as set by most CI services) turns warnings into errors.
ifneq ($(filter true TRUE 1 yes,$(CI)),)
WERROR ?= 1
endif
WERROR ?= 0
GRADLAB_WERROR := $(if $(filter 1 ON on yes true TRUE,$(WERROR)),ON,OFF)

# The trainer refuses to overwrite a run directory, so each `make train`
# gets its own, named after the time it started.
ifndef RUN_DIR
RUN_DIR := runs/$(shell date +%Y%m%d-%H%M%S)
endif

GRADLAB := $(BUILD_DIR)/tools/gradlab

.DEFAULT_GOAL := build
.PHONY: deps configure build train test bench clean help

help:
	@sed -n '1,/^$$/p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

deps:
ifeq ($(SKIP_DEPS),1)
	@echo "make: SKIP_DEPS=1, not checking Debian packages"
else
	@bash scripts/install-deps.sh
endif

# Idempotent: an existing build directory is re-configured in place, keeping
# the generator it was created with (-G only on the first configure).
configure: deps
	@gen=(); [[ -f "$(BUILD_DIR)/CMakeCache.txt" ]] || gen=(-G Ninja); \
	cmake -S . -B "$(BUILD_DIR)" "$${gen[@]}" -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DGRADLAB_WERROR=$(GRADLAB_WERROR) $(CMAKE_ARGS)
	@# compile_commands.json at the repo root, for clangd and other editors.
	@if [[ -f "$(BUILD_DIR)/compile_commands.json" ]]; then \
	  ln -sfn "$(BUILD_DIR)/compile_commands.json" compile_commands.json; fi

build: configure
	cmake --build "$(BUILD_DIR)" -j$(JOBS)

# Builds only the `gradlab` command (not the tests), then trains the default
# model (the trainer's defaults; see README.md) into $(RUN_DIR).
train: configure
	cmake --build "$(BUILD_DIR)" -j$(JOBS) --target gradlab_cli
	@mkdir -p "$(dir $(RUN_DIR))"
	@echo "make: training into $(RUN_DIR)"
	"$(GRADLAB)" train --out "$(RUN_DIR)" $(TRAIN_ARGS)

test: build
	ctest --test-dir "$(BUILD_DIR)" --output-on-failure --no-tests=error -j$(CTEST_JOBS) $(CTEST_ARGS)

bench: build
	@found=0; \
	for b in "$(BUILD_DIR)"/bench/*; do \
	  [[ -f "$$b" && -x "$$b" ]] || continue; found=1; \
	  echo "== $$b"; "$$b" $(BENCH_ARGS); \
	done; \
	[[ $$found == 1 ]] || echo "make: no benchmark programs in $(BUILD_DIR)/bench yet"

clean:
	rm -rf "$(BUILD_DIR)"
	@if [[ -L compile_commands.json ]]; then rm -f compile_commands.json; fi
