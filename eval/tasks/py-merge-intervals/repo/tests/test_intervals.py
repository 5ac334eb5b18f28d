import unittest

from intervals import merge


class TestVisible(unittest.TestCase):
    def test_empty(self):
        self.assertEqual(merge([]), [])
