#!/bin/sh
# Builds each test program (tests/test_*.c, the hidden ones included once copied in) against src/ and runs it.
out=$(mktemp -d) || exit 2
status=0
for test in tests/test_*.c; do
  name=$(basename "$test" .c)
  if gcc -std=c11 -O1 -Wall -Isrc -o "$out/$name" "$test" src/*.c -lm && "$out/$name"; then echo "ok   $name"; else echo "FAIL $name"; status=1; fi
done
rm -rf "$out"
exit $status
