#ifndef WORDS_H
#define WORDS_H
/* Reverses the order of the space-separated words of s, in place. */
void reverse_words(char *s);
#endif
