#!/bin/sh
# The tiny program the example pipeline builds: prints a greeting.
name="${1:-world}"
printf 'Hello, %s!\n' "$name"
