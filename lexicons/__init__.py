"""Packaged lexicons: one YAML file per rule, read through coach.resources."""
