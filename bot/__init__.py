"""The assistant's own Python: safety guard, text normalisation, content audit, tooling."""
