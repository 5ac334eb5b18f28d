#include "words.h"

void reverse_words(char *s) {
  (void)s;
}
