"""The model registry: a name → an architecture, its options and a description.

    >>> ModelConfig("cnn").dropout, REGISTRY["cnn-bn"].summary[:4]
    (False, 'CNN:')

Plain data, no torch: reading what a checkpoint is (the app, the catalogue)
never loads torch. `architectures.build_model(config)` builds the network.
Every model takes (N, 1, 28, 28) float inputs and returns (N, 10) logits.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

DEFAULT_MODEL = "cnn-bn-wide-x2"  # the model the app and tools run when none is named
DEFAULT_ARCH = "cnn-bn"  # train.py's architecture when none is named
# Activation names → torch.nn class names (built in `architectures`).
ACTIVATIONS: dict[str, str] = {"relu": "ReLU", "sigmoid": "Sigmoid"}


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild a model; stored inside each checkpoint."""

    arch: str = DEFAULT_ARCH
    activation: str = "relu"
    dropout: bool | None = None  # None: the architecture's own default

    def __post_init__(self) -> None:
        if self.arch not in REGISTRY:
            raise ValueError(
                f"Unknown model {self.arch!r}; known: {', '.join(REGISTRY)}"
            )
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation {self.activation!r}; "
                f"known: {', '.join(ACTIVATIONS)}"
            )
        if self.dropout is None:
            object.__setattr__(self, "dropout", REGISTRY[self.arch].dropout)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ModelConfig:
        known = {"arch", "activation", "dropout"}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Architecture:
    dropout: bool  # its default
    summary: str
    # (member architecture, count) for a model that averages the logits of
    # that many members, each trained on its own with its own seed; None for a
    # single network.
    averages: tuple[str, int] | None = None


REGISTRY: dict[str, Architecture] = {
    "mlp": Architecture(False, "MLP, one hidden layer of 256"),
    "cnn": Architecture(False, "CNN: one convolution, pooling, dense"),
    "cnn-dropout": Architecture(True, "CNN: two convolutions with dropout"),
    "cnn-bn": Architecture(
        True, "CNN: five convolutions, BatchNorm, dropout (train.py's default)"
    ),
    "cnn-bn-wide": Architecture(
        True,
        "CNN: cnn-bn with 128 channels at 7×7",
    ),
    "cnn-bn-wide-x2": Architecture(
        True,
        "two cnn-bn-wide trained apart (seeds n, n + 1), their logits averaged "
        "in one network (the app's default)",
        averages=("cnn-bn-wide", 2),
    ),
}
