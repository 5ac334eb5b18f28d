import unittest

import roman


class TestModule(unittest.TestCase):
    def test_has_functions(self):
        self.assertTrue(callable(roman.to_roman))
        self.assertTrue(callable(roman.from_roman))
