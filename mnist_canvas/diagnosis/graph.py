"""What a model's ONNX graph says about its architecture.

    shape = read_graph(classifier)   # Graph(convolutions=0, dense=2, …)

An MLP has no convolution; a saturating activation is a sigmoid or tanh
between hidden layers (one that only turns the final scores into
probabilities does not count).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..models.classifier import Classifier

SATURATING = ("Sigmoid", "Tanh", "HardSigmoid", "Softsign")
DENSE = ("Gemm", "MatMul")
CONVOLUTIONS = ("Conv", "ConvTranspose", "ConvInteger", "QLinearConv")


@dataclass(frozen=True)
class Graph:
    ops: dict[str, int]  # operator → how many
    saturating: int  # sigmoid/tanh nodes whose output feeds another layer
    other_domain: bool  # operators outside ONNX's core (an SVM, a tree…)

    @property
    def convolutions(self) -> int:
        return sum(self.ops.get(op, 0) for op in CONVOLUTIONS)

    @property
    def dense(self) -> int:
        return sum(self.ops.get(op, 0) for op in DENSE)

    @property
    def is_mlp(self) -> bool:
        return self.dense > 0 and not self.convolutions and not self.other_domain


def _source(classifier: Classifier):
    session = classifier.session
    while not hasattr(session, "source") and hasattr(session, "session"):
        session = session.session  # an imported model's BatchSession
    return getattr(session, "source", None)


def read_graph(classifier: Classifier) -> Graph | None:
    """The graph's operators (None when the model's file cannot be read)."""
    import onnx

    source = _source(classifier)
    try:
        model = (
            onnx.load_from_string(source)
            if isinstance(source, bytes)
            else (onnx.load(source))
        )
    except Exception:  # a file ONNX Runtime runs but onnx cannot parse
        return None
    nodes = list(model.graph.node)
    outputs = {o.name for o in model.graph.output}
    readers = Counter(i for node in nodes for i in node.input)
    saturating = sum(
        1
        for node in nodes
        if node.op_type in SATURATING
        and not (set(node.output) & outputs)
        and any(readers[o] for o in node.output)
    )
    other = any(node.domain not in ("", "ai.onnx") for node in nodes)
    return Graph(dict(Counter(n.op_type for n in nodes)), saturating, other)
