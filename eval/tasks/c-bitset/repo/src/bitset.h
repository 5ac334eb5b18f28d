#ifndef BITSET_H
#define BITSET_H
#include <stdbool.h>
#include <stddef.h>
typedef struct bitset bitset;
bitset *bitset_new(size_t bits);
void bitset_set(bitset *set, size_t bit);
void bitset_clear(bitset *set, size_t bit);
bool bitset_test(const bitset *set, size_t bit);
size_t bitset_count(const bitset *set);
void bitset_free(bitset *set);
#endif
