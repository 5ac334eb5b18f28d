#include "checksum.h"

uint32_t adler32(const unsigned char *data, size_t length) {
  (void)data;
  (void)length;
  return 1;
}
