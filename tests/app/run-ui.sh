#!/bin/sh
# Runs one UI test on an X server of its own (Xvfb), so tests run in
# parallel and on machines without a display. PW_TEST_DISPLAY=:N uses an
# existing server instead (to watch a test run).
set -u

if [ -n "${PW_TEST_DISPLAY:-}" ]; then
  DISPLAY=$PW_TEST_DISPLAY exec "$@"
fi

command -v Xvfb >/dev/null || { echo "Bail out! Xvfb is missing: install the xvfb package" ; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/pw-xvfb.XXXXXX")
mkfifo "$dir/display"
# -displayfd: the server picks a free display and tells us which.
Xvfb -displayfd 3 -screen 0 1920x1200x24 -nolisten tcp 3>"$dir/display" 2>"$dir/log" &
xvfb=$!
read -r number < "$dir/display"
rm -f "$dir/display"

# A session bus of its own too (notifications, GApplication), as a desktop
# session has: dbus-run-session, from dbus-daemon.
command -v dbus-run-session >/dev/null || { echo "Bail out! dbus-run-session is missing: install the dbus-daemon package"; kill "$xvfb"; exit 1; }
DISPLAY=:$number dbus-run-session -- "$@"
status=$?

kill "$xvfb" 2>/dev/null
wait "$xvfb" 2>/dev/null
rm -rf "$dir"
exit $status
