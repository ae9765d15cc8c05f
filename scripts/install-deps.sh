#!/usr/bin/env bash
# scripts/install-deps.sh — installs the Debian 12 packages gradlab needs,
# only those missing. Called by the Makefile before every configure, so it
# must be quick and silent-ish when everything is already there.
#
#   scripts/install-deps.sh              build, test and train dependencies
#   scripts/install-deps.sh --reference  + python3-torch/scipy/numpy (golden
#                                        data and side-by-side benchmarks;
#                                        never needed by a test)
#   scripts/install-deps.sh --fuzz       + clang-14 and its sanitizer/fuzzer
#                                        runtimes (fuzz and sanitize scripts)
#   scripts/install-deps.sh --dist       + Open MPI (dist/, `gradlab train
#                                        --distributed`, the two-process tests)
#   scripts/install-deps.sh --check      only report what is missing; exit 1
#                                        if anything is, install nothing
#
# Environment: GRADLAB_WITH_REFERENCE=1, GRADLAB_WITH_FUZZ=1 and
# GRADLAB_WITH_DIST=1 are the same as --reference, --fuzz and --dist.
#
# Runs apt-get as root, or through sudo. Without either it prints the exact
# apt-get command to run and exits with status 1.
set -euo pipefail

# Build and test: compiler, CMake + Ninja, and the libraries of DESIGN.md §1.
# dataset-fashion-mnist: the real data for `make train`
# (/usr/share/datasets/fashion-mnist). gnuplot-nox: optional, makes the
# trainer's SVG plots (it falls back to its own SVG writer without it); small
# enough that we install it by default. bubblewrap: the grader's sandbox.
# wamerican: /usr/share/dict/words, the default word list of `--dataset words`.
# clang-format: the format check CI runs. libdnnl-dev: oneDNN, the bf16 matmul
# on AVX512_BF16 CPUs (core/detail/half_gemm.h); ocl-icd-opencl-dev only
# because Debian's oneDNN CMake package looks for OpenCL (gradlab runs oneDNN
# on the CPU only).
BASE_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libopenblas-dev
  libgtest-dev libgmock-dev librapidcheck-dev
  libspdlog-dev zlib1g-dev libcli11-dev nlohmann-json3-dev
  libbenchmark-dev
  dataset-fashion-mnist
  gnuplot-nox
  bubblewrap wamerican clang-format
  libdnnl-dev ocl-icd-opencl-dev
)
REFERENCE_PACKAGES=(python3-torch python3-scipy python3-numpy)
FUZZ_PACKAGES=(clang-14 libclang-rt-14-dev)
DIST_PACKAGES=(openmpi-bin libopenmpi-dev)

usage() {
  # The header comment above, without the '# '.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

want_reference=${GRADLAB_WITH_REFERENCE:-0}
want_fuzz=${GRADLAB_WITH_FUZZ:-0}
want_dist=${GRADLAB_WITH_DIST:-0}
check_only=0
for arg in "$@"; do
  case "$arg" in
    --reference) want_reference=1 ;;
    --fuzz) want_fuzz=1 ;;
    --dist) want_dist=1 ;;
    --check) check_only=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "install-deps: unknown option '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done

packages=("${BASE_PACKAGES[@]}")
if [[ "$want_reference" != 0 ]]; then packages+=("${REFERENCE_PACKAGES[@]}"); fi
if [[ "$want_fuzz" != 0 ]]; then packages+=("${FUZZ_PACKAGES[@]}"); fi
if [[ "$want_dist" != 0 ]]; then packages+=("${DIST_PACKAGES[@]}"); fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "install-deps: dpkg-query not found: this is not a Debian system." >&2
  echo "install-deps: install the equivalents of these yourself, then re-run:" >&2
  echo "  ${packages[*]}" >&2
  echo "install-deps: continuing; CMake will name anything still missing." >&2
  exit 0
fi

# A package counts as present only when dpkg says "install ok installed"
# (not merely known, half-configured or removed with config files left).
missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} Debian packages present."
  exit 0
fi

apt_install="apt-get install -y --no-install-recommends ${missing[*]}"
echo "install-deps: missing Debian packages: ${missing[*]}"

if [[ "$check_only" != 0 ]]; then
  echo "install-deps: --check given, installing nothing. To install:" >&2
  echo "  apt-get update && $apt_install" >&2
  exit 1
fi

# Root runs apt-get directly; otherwise sudo, if there is one.
sudo_cmd=()
uid=$(id -u)
if [[ "$uid" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo_cmd=(sudo)
    echo "install-deps: not root, using sudo."
  else
    echo "install-deps: cannot install: not root and sudo is not available." >&2
    echo "install-deps: as root, run:" >&2
    echo "  apt-get update && $apt_install" >&2
    echo "install-deps: then re-run the make command." >&2
    exit 1
  fi
fi

run_apt() {
  if ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive "$@"; then
    echo "install-deps: failed: ${sudo_cmd[*]:+${sudo_cmd[*]} }$*" >&2
    echo "install-deps: as root, run:" >&2
    echo "  apt-get update && $apt_install" >&2
    exit 1
  fi
}

echo "install-deps: installing: ${missing[*]}"
run_apt apt-get update
run_apt apt-get install -y --no-install-recommends "${missing[@]}"
echo "install-deps: installed ${#missing[@]} package(s)."
