#!/bin/sh
# Tests src/greet.sh and writes a JUnit report, as a CI test step would.
set -u
out="${1:-reports}"
mkdir -p "$out"
pass=0; fail=0; cases=""
check () {
  if [ "$2" = "$3" ]; then
    pass=$((pass + 1)); cases="$cases<testcase classname=\"greet\" name=\"$1\"/>"
  else
    fail=$((fail + 1)); cases="$cases<testcase classname=\"greet\" name=\"$1\"><failure message=\"expected '$3', got '$2'\"/></testcase>"
  fi
}
check default "$(sh src/greet.sh)" "Hello, world!"
check named "$(sh src/greet.sh Ada)" "Hello, Ada!"
printf '<?xml version="1.0"?>\n<testsuite name="greet" tests="%d" failures="%d">%s</testsuite>\n' \
  $((pass + fail)) "$fail" "$cases" > "$out/junit-greet.xml"
[ "$fail" -eq 0 ]
