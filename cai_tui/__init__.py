"""cai-tui: a terminal dashboard, API server and DMS simulator for CAI deployments."""

__version__ = "0.1.0"
