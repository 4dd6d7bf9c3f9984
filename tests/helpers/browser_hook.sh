#!/bin/sh
# BROWSER stand-in for the e2e tests: hands the URL the CLI opens to the test
# (which drives Chromium) through a FIFO. The test's leak scan records it.
printf '%s\n' "$1" > "$TEST_BROWSER_FIFO"
