"""Entity ids drawn from the seed's random stream, and the namespace of derived ones."""

from __future__ import annotations

import random
import uuid

ID_NAMESPACE = uuid.UUID("5b0e7a4e-3c55-4a86-9a57-2f0c4f1d7e10")


class Ids:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def __call__(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
