import unittest

from words import top_words


class TestVisible(unittest.TestCase):
    def test_empty_text(self):
        self.assertEqual(top_words("", 3), [])
