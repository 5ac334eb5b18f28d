import unittest

import dates


class TestVisible(unittest.TestCase):
    def test_module(self):
        self.assertTrue(callable(dates.days_between))
