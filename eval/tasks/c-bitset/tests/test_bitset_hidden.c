#include <stdio.h>
#include "bitset.h"

#define CHECK(cond) do { if (!(cond)) { printf("failed: %s (line %d)\n", #cond, __LINE__); failures++; } } while (0)

int main(void) {
  int failures = 0;
  bitset *set = bitset_new(130);
  CHECK(set != NULL);
  bitset_set(set, 0);
  bitset_set(set, 63);
  bitset_set(set, 64);
  bitset_set(set, 129);
  bitset_set(set, 129);
  CHECK(bitset_test(set, 0) && bitset_test(set, 63) && bitset_test(set, 64) && bitset_test(set, 129));
  CHECK(!bitset_test(set, 1) && !bitset_test(set, 65) && !bitset_test(set, 128));
  CHECK(bitset_count(set) == 4);
  bitset_clear(set, 63);
  CHECK(!bitset_test(set, 63));
  CHECK(bitset_count(set) == 3);
  bitset_free(set);
  return failures != 0;
}
