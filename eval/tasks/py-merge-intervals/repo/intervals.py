"""Interval arithmetic."""


def merge(intervals):
    return sorted(intervals)
