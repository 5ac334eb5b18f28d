#!/bin/sh
# The visible tests and, when the harness has copied them in, the hidden ones.
set -- test/*.test.js; [ -d test/hidden ] && set -- "$@" test/hidden/*.test.js
exec node --test "$@" 2>&1
