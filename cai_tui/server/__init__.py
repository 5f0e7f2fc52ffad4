"""The CAI REST API over a LocalStore."""
