import unittest

from dates import days_between, weekday_name


class TestDates(unittest.TestCase):
    def test_days(self):
        self.assertEqual(days_between("2024-01-01", "2024-03-01"), 60)
        self.assertEqual(days_between("2023-01-01", "2023-03-01"), 59)
        self.assertEqual(days_between("2000-02-28", "1900-02-28"), -36524)
        self.assertEqual(days_between("2024-05-05", "2024-05-05"), 0)

    def test_invalid(self):
        for bad in ("2023-02-29", "2024-13-01", "yesterday"):
            self.assertRaises(ValueError, days_between, bad, "2024-01-01")

    def test_weekday(self):
        self.assertEqual(weekday_name("2000-01-01"), "Saturday")
        self.assertEqual(weekday_name("2024-02-29"), "Thursday")
