#!/bin/sh
# Every source file with a translatable string is listed in po/POTFILES.in
# (the classic bug: a string marked for translation that never reaches the
# translators), and every listed file exists.
set -u
top=$1
status=0
cd "$top"
for f in $(grep -rlE '\b(N_|_|C_)\(|g_dngettext|translatable="yes"' src --include='*.c' --include='*.ui'); do
  if ! grep -qx "$f" po/POTFILES.in; then
    echo "not in po/POTFILES.in: $f"
    status=1
  fi
done
for f in $(grep -v '^#' po/POTFILES.in); do
  if [ ! -f "$f" ]; then
    echo "listed in po/POTFILES.in but missing: $f"
    status=1
  fi
done
[ $status = 0 ] && echo "po/POTFILES.in lists every file with translatable strings"
exit $status
