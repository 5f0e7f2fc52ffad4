"""The dashboard's screens and modals, one module each with its stylesheet."""
