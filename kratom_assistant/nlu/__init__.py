"""NLU components that run inside Rasa's pipeline (config.yml)."""
