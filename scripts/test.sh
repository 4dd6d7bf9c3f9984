#!/usr/bin/env bash
# Every test, on a fresh machine with only Node.js/npm and apt. Installs what
# is missing (Deno 2.9.6 from npm; Chromium, shellcheck, ruby, curl, zsh, fish, bash-completion,
# python3, dash, busybox, bsdtar from apt), checks fmt/lint/types, runs the Deno suite, the Node.js
# suite and the mutants (scripts/mutants.ts), and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! deno --version 2>/dev/null | grep -q '^deno 2\.9\.6'; then
  if ! npm install -g deno@2.9.6 >/dev/null 2>&1; then
    echo "could not install deno@2.9.6 from npm" >&2
    exit 1
  fi
fi
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
for tool in shellcheck ruby curl zsh fish python3 dash busybox; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ -f /usr/share/bash-completion/bash_completion ] || missing+=(bash-completion)
# bsdtar 3.6, as macOS's tar: the archives must unpack with it (tests/packaging_test.ts).
command -v bsdtar >/dev/null || missing+=(libarchive-tools)
if [ ${#missing[@]} -gt 0 ]; then
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    echo "could not install ${missing[*]} with apt-get" >&2
    exit 1
  fi
fi

failed_checks=0
check_log=$(mktemp)
for check in "fmt --check" "lint" "check main.ts src scripts tests"; do
  # shellcheck disable=SC2086 # the check's words are meant to split
  if ! deno $check >"$check_log" 2>&1; then
    echo "deno $check failed:"
    cat "$check_log"
    failed_checks=$((failed_checks + 1))
  fi
done
rm -f "$check_log"

# No test writes into the checkout: what git sees there, ignored files included, is compared
# after the suites with what it saw before them (in a fresh clone: nothing).
checkout_state() { git status --porcelain --ignored --untracked-files=all 2>/dev/null | sort; }
checkout_before=$(checkout_state)

scratch=$(mktemp -d)
# Every test file removes what it makes, pass or fail (tests/helpers/scratch.ts; node's after()),
# and so does every process it starts: the suites run with a TMPDIR of their own, and whatever is
# left in it when they end is a failure. Short, because terminal_width_test's 80 columns hold paths.
suite_tmp=$(mktemp -d /tmp/at.XXXX)
trap 'rm -rf "$scratch" "$suite_tmp"' EXIT
log="$scratch/log"
passed=0
failed=0
# Runs `deno test …` and adds its summary to the counts. A crash with no
# summary, or a non-zero exit with no failed test, still counts as a failure.
deno_tests() {
  NO_COLOR=1 deno test "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]} summary p f
  summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$log" | tail -1)
  p=$(sed -E 's/.*\| ([0-9]+) passed.*/\1/' <<<"$summary")
  f=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ -z "$summary" ] || { [ "$status" -ne 0 ] && [ "${f:-0}" = 0 ]; }; then
    failed=$((failed + 1))
  fi
}

# Two test files at a time (most of them wait on processes, browsers and servers; --ignore
# replaces deno.json's test.exclude, so tests/node/ is named again); then the
# suite-wide leak scan, which must see every recording, in the same named run (tests/helpers/leaks.ts).
export LEAK_SCAN_RUN="$$-suite" TMPDIR="$suite_tmp"
deno_tests -A --no-check --parallel --ignore=tests/zz_leak_scan_test.ts,tests/node/ tests/
deno_tests -A --no-check tests/zz_leak_scan_test.ts
unset LEAK_SCAN_RUN TMPDIR
# Every JSDoc example type-checks and runs, with HOME in a scratch folder so
# that examples of the credentials library never touch the real one.
mkdir -p "$scratch/home"
deno_cache="${DENO_DIR:-$HOME/.cache/deno}"
# Their temporary folders go in the scratch folder too (examples show the API, not clean-up).
mkdir -p "$scratch/doc-tmp"
HOME="$scratch/home" TMPDIR="$scratch/doc-tmp" DENO_DIR="$deno_cache" deno_tests --doc --parallel -A src/ main.ts

# The credentials library on Node.js, from the npm package's build.
if deno run --quiet -A scripts/npm.ts --out "$scratch/npm" >"$scratch/npm.log" 2>&1; then
  ALMYTY_NPM_OUT="$scratch/npm" TMPDIR="$suite_tmp" node --test tests/node/ 2>&1 | tee "$log"
  node_pass=$(grep -E '^# pass ' "$log" | awk '{print $3}')
  node_fail=$(grep -E '^# fail ' "$log" | awk '{print $3}')
  passed=$((passed + ${node_pass:-0}))
  failed=$((failed + ${node_fail:-1}))
else
  cat "$scratch/npm.log"
  failed=$((failed + 1))
fi

# What the suites left behind in their TMPDIR: each file or folder is a failure.
left=$(find "$suite_tmp" -mindepth 1 -maxdepth 1 -printf '  %p\n' | sort)
if [ -n "$left" ]; then
  count=$(grep -c . <<<"$left")
  echo "the tests left ${count} file(s) or folder(s) behind in their TMPDIR:"
  echo "$left"
  failed=$((failed + count))
fi

# What the suites wrote into the checkout: each path is a failure.
wrote=$(comm -13 <(echo "$checkout_before") <(checkout_state))
if [ -n "$wrote" ]; then
  count=$(grep -c . <<<"$wrote")
  echo "the tests wrote ${count} path(s) into the checkout:"
  echo "$wrote"
  failed=$((failed + count))
fi

# Every rule's test really fails without the rule: scripts/mutants.ts breaks
# each one in a scratch copy and runs the tests named to catch it. Each mutant
# not killed (survived, stale or broken) counts as a failure.
# (Their runs use the suites' TMPDIR too: a run killed on its time limit leaves its folders there.)
TMPDIR="$suite_tmp" deno run --quiet -A scripts/mutants.ts 2>&1 | tee "$log"
mutants=$(grep -E '^mutants: [0-9]+ killed' "$log" | tail -1)
if [ -n "$mutants" ]; then
  not_killed=$(sed -E 's/.* ([0-9]+) survived, ([0-9]+) stale, ([0-9]+) broken.*/\1 + \2 + \3/' <<<"$mutants")
  failed=$((failed + not_killed))
else
  failed=$((failed + 1))
fi

failed=$((failed + failed_checks))
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
