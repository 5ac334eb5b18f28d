import unittest

from words import top_words


class TestTopWords(unittest.TestCase):
    def test_counts_case_insensitively(self):
        self.assertEqual(top_words("The cat and the hat. THE end!", 1), [("the", 3)])

    def test_ties_alphabetical(self):
        self.assertEqual(top_words("b a c b a c d", 3), [("a", 2), ("b", 2), ("c", 2)])

    def test_apostrophes(self):
        self.assertEqual(top_words("don't stop, don't", 2), [("don't", 2), ("stop", 1)])

    def test_k_larger_than_words(self):
        self.assertEqual(top_words("one two", 5), [("one", 1), ("two", 1)])
