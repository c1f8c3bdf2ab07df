"""The safety screen (crisis, dosing, off-topic), its models and reviewed patterns, and the
safety-net policy."""
