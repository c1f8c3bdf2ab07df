"""What the project's trainable graph components share: Rasa's constructor arguments, and
one state object written to the model by train() and read back by load().

Each component (the intent classifier, the substance matcher, the safety screen) says what
its state is: `use(state)` takes it (None before training), `persist(state)` keeps it.
"""

import pickle
from typing import Any, Dict, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

# Plain pickle, not joblib: joblib unpickles in pure Python, 0.4 s of the server's
# start-up for the vocabularies' 190,000 strings; pickle's C unpickler takes 0.04 s.
STATE_FILE = "state.pickle"


class StoredComponent(GraphComponent):
    def __init__(
        self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource, state: Optional[Any] = None
    ) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.use(state)

    def use(self, state: Optional[Any]) -> None:
        raise NotImplementedError

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "StoredComponent":
        return cls(config, model_storage, resource)

    def persist(self, state: Any) -> Resource:
        self.use(state)
        with self._model_storage.write_to(self._resource) as directory:
            with open(directory / STATE_FILE, "wb") as file:
                pickle.dump(state, file, protocol=pickle.HIGHEST_PROTOCOL)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "StoredComponent":
        try:
            with model_storage.read_from(resource) as directory:
                with open(directory / STATE_FILE, "rb") as file:
                    state = pickle.load(file)
        except ValueError:  # nothing was stored: trained on no examples
            state = None
        return cls(config, model_storage, resource, state)
