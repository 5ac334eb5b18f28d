#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checksum.h"

int main(void) {
  int failures = 0;
  const char *wiki = "Wikipedia";
  if (adler32((const unsigned char *)wiki, strlen(wiki)) != 0x11E60398u) { printf("Wikipedia\n"); failures++; }
  const char *fox = "The quick brown fox jumps over the lazy dog";
  if (adler32((const unsigned char *)fox, strlen(fox)) != 0x5BDC0FDAu) { printf("fox\n"); failures++; }
  /* 4 MiB of 0xFF: the sums overflow 32 bits unless reduced often enough. */
  size_t length = 4u << 20;
  unsigned char *big = malloc(length);
  memset(big, 0xFF, length);
  uint32_t a = 1, b = 0;
  for (size_t i = 0; i < length; i++) { a = (a + 0xFF) % 65521u; b = (b + a) % 65521u; }
  if (adler32(big, length) != ((b << 16) | a)) { printf("4 MiB\n"); failures++; }
  free(big);
  return failures != 0;
}
