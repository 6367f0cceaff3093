"""Shared machinery used the same way by all five simulated APIs."""
