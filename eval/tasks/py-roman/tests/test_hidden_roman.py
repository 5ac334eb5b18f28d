import unittest

from roman import from_roman, to_roman


class TestRoman(unittest.TestCase):
    def test_to_roman(self):
        for n, text in [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (90, "XC"), (400, "CD"), (1994, "MCMXCIV"), (3999, "MMMCMXCIX")]:
            self.assertEqual(to_roman(n), text)

    def test_round_trip(self):
        for n in range(1, 4000):
            self.assertEqual(from_roman(to_roman(n)), n)

    def test_invalid(self):
        for n in (0, 4000, -1):
            self.assertRaises(ValueError, to_roman, n)
        for text in ("", "IIII", "IC", "ABC", "VX", "MMMM"):
            self.assertRaises(ValueError, from_roman, text)
