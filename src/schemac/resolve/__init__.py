"""Building the model from a validated spec: names, types, keys, policies, lint settings."""
