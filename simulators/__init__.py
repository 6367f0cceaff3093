"""fieldsim: faithful, stateful simulators of five field-service partner APIs."""

__version__ = "0.1.0"

API_NAMES = ("capo", "stadsnet", "cloudplan", "capitech", "werkbon")
