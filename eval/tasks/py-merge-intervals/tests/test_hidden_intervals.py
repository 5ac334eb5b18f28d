import unittest

from intervals import merge


class TestMerge(unittest.TestCase):
    def test_overlapping(self):
        self.assertEqual(merge([[1, 3], [2, 6], [8, 10], [15, 18]]), [[1, 6], [8, 10], [15, 18]])

    def test_touching_and_unsorted(self):
        self.assertEqual(merge([[5, 7], [1, 2], [2, 5]]), [[1, 7]])

    def test_contained(self):
        self.assertEqual(merge([[1, 10], [2, 3], [4, 5]]), [[1, 10]])

    def test_input_untouched(self):
        data = [[3, 4], [1, 2]]
        merge(data)
        self.assertEqual(data, [[3, 4], [1, 2]])
