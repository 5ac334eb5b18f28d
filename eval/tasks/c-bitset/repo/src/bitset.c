#include <stdlib.h>
#include "bitset.h"

struct bitset {
  size_t bits;
};

bitset *bitset_new(size_t bits) {
  bitset *set = malloc(sizeof *set);
  if (set) set->bits = bits;
  return set;
}
void bitset_set(bitset *set, size_t bit) { (void)set; (void)bit; }
void bitset_clear(bitset *set, size_t bit) { (void)set; (void)bit; }
bool bitset_test(const bitset *set, size_t bit) { (void)set; (void)bit; return false; }
size_t bitset_count(const bitset *set) { (void)set; return 0; }
void bitset_free(bitset *set) { free(set); }
