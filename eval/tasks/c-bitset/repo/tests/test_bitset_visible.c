#include <stdio.h>
#include "bitset.h"

int main(void) {
  bitset *set = bitset_new(10);
  if (!set || bitset_count(set) != 0) { printf("a new set is empty\n"); return 1; }
  bitset_free(set);
  return 0;
}
