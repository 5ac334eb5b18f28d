#ifndef CHECKSUM_H
#define CHECKSUM_H
#include <stddef.h>
#include <stdint.h>
/* The Adler-32 checksum of RFC 1950. */
uint32_t adler32(const unsigned char *data, size_t length);
#endif
