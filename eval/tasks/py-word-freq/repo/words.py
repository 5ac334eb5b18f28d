"""Word counts."""


def top_words(text, k):
    return []
