"""The Rasa server with the project's changes to Rasa installed: `python -m kratom_assistant
run --model ... --endpoints ... --credentials ...` takes exactly `rasa`'s own arguments."""

from rasa.__main__ import main as rasa_main

from kratom_assistant import rasa_compat

if __name__ == "__main__":
    rasa_compat.install()
    rasa_main()
