"""What the project's trainable graph components share: Rasa's constructor arguments, and
one state object written to the model by train() and read back by load().

Each component (the intent classifier, the substance matcher, the safety screen) says what
its state is: `use(state)` takes it (None before training), `persist(state)` keeps it.
"""

from typing import Any, Dict, Optional, Text

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

STATE_FILE = "state.joblib"


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
            joblib.dump(state, directory / STATE_FILE)
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
                state = joblib.load(directory / STATE_FILE)
        except ValueError:  # nothing was stored: trained on no examples
            state = None
        return cls(config, model_storage, resource, state)
