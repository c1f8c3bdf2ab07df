"""What runs in production: everything the Rasa server and the action server import.

nlu/       NLU components (intent classifier, substance names, text normalisation, language)
safety/    the safety screen, its models and reviewed patterns, the safety-net policy
channels/  REST, socket.io and the messaging platforms, each message prepared first
stores/    the conversation store and the Redis lock store
rasa_compat.py  the project's changes to Rasa's internals, installed by __main__.py
stored_component.py  what the trainable NLU components share

It never imports tools/ or tests/ and reads no repository file at run time
(tests/unit/test_layout.py).
"""
