#include <stdio.h>
#include <string.h>
#include "words.h"

static int check(const char *input, const char *expected) {
  char buffer[128];
  strcpy(buffer, input);
  reverse_words(buffer);
  if (strcmp(buffer, expected) == 0) return 0;
  printf("reverse_words(\"%s\") = \"%s\", expected \"%s\"\n", input, buffer, expected);
  return 1;
}

int main(void) {
  int failures = 0;
  failures += check("the quick brown fox", "fox brown quick the");
  failures += check("a b", "b a");
  failures += check("", "");
  failures += check("hello world again", "again world hello");
  return failures != 0;
}
