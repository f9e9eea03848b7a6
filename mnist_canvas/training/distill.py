"""Knowledge distillation: a student learns its labels and its teachers'
probabilities.

The loss mixes the usual cross-entropy with the labels and, `weight` of it,
how far the student's probabilities are from the teachers' (their KL
divergence: the cross-entropy less the teachers' own entropy, so the same
gradient, and zero when the student agrees), both softened by a temperature T
(scaled by T², as Hinton et al. do, so the mix means the same at any T).
Softening is what carries the teachers' knowledge: on images they trained on,
their plain probabilities are nearly one-hot, while at T = 4 they tell that
this 7 looks a little like a 1 and not at all like a 0.

The teachers (the mean of their softened probabilities) read either each
training image once, un-augmented, before training starts, so distilling costs
no more per step than training alone and an image's augmented copies share its
target; or, `augmented`, each batch as the student sees it, so the target is
what the teachers make of that very view (a 7 rotated towards a 1 is taught
as the teachers read it), at the cost of their forward passes each step.
Each teacher is fed the values it was trained on (scaled and normalised, or
0–255).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from ..models.checkpoint_file import CheckpointError, load_checkpoint
from .values import batch_values, parent_unscaled


class Teachers:
    """Checkpoints read together: the mean of their softened probabilities.
    A teacher that cannot be read: ValueError."""

    def __init__(
        self, paths: Sequence[str], temperature: float = 1.0, device="cpu"
    ) -> None:
        self.temperature = temperature
        self.models: list[tuple[torch.nn.Module, bool]] = []
        for path in paths:
            try:
                teacher, metadata = load_checkpoint(path)
                unscaled = parent_unscaled(metadata)
            except (CheckpointError, OSError, ValueError) as error:
                raise ValueError(
                    f"The teacher {path} cannot be used: {error}"
                ) from None
            self.models.append((teacher.eval().to(device), unscaled))

    @torch.no_grad()  # its result is used in the student's loss
    def read(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 10): the teachers' mean probabilities for float (N, 1, 28, 28)
        images of grey levels 0–1, as training augments them, on the device
        the teachers were put on."""
        total = torch.zeros(len(x), 10, device=x.device)
        for teacher, unscaled in self.models:
            values = batch_values(x, unscaled)
            total += (teacher(values) / self.temperature).softmax(1)
        return total / len(self.models)


def teacher_probabilities(
    paths: Sequence[str], images: torch.Tensor, temperature: float = 1.0,
    batch: int = 1000,
) -> torch.Tensor:  # fmt: skip
    """(N, 10) float: the mean of the teachers' probabilities at `temperature`
    for each uint8 (N, 28, 28) image. A teacher that cannot be read: ValueError."""
    teachers = Teachers(paths, temperature)
    x = images.float().div(255.0).unsqueeze(1)
    return torch.cat([teachers.read(x[i : i + batch]) for i in range(0, len(x), batch)])


def distillation_loss(
    logits: torch.Tensor, labels: torch.Tensor, taught: torch.Tensor,
    weight: float, temperature: float, label_smoothing: float = 0.0,
) -> torch.Tensor:  # fmt: skip
    """(1 - weight) · CE(logits, labels) + weight · T² · KL(taught ‖ softmax(logits
    / T)), `taught` being the teachers' probabilities at temperature T."""
    hard = F.cross_entropy(logits, labels, label_smoothing=label_smoothing)
    student = (logits / temperature).log_softmax(1)
    soft = F.kl_div(student, taught, reduction="batchmean") * temperature**2
    return hard.lerp(soft, weight)
