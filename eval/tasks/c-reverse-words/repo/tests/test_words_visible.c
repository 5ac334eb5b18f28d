#include <stdio.h>
#include <string.h>
#include "words.h"

int main(void) {
  char one[] = "alone";
  reverse_words(one);
  if (strcmp(one, "alone") != 0) { printf("one word: got '%s'\n", one); return 1; }
  return 0;
}
