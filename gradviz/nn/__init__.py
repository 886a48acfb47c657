"""torch.nn: modules, parameters, the functional API and weight initialisation."""
from __future__ import annotations

from . import _ops  # noqa: F401  (registers the op classes behind nn.functional)
from . import _ops_act  # noqa: F401  (the activations' op classes)
from . import _ops_loss  # noqa: F401  (the loss and layer op classes)
from . import functional, init
from .modules import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, Dropout, Flatten, GELU, Identity, L1Loss, LeakyReLU, Linear,
    LogSoftmax, Module, ModuleList, MSELoss, NLLLoss, ReLU, Sequential, Sigmoid, Softmax, Tanh,
)
from .modules_act import *  # noqa: F401,F403  (SiLU, ELU, Softplus, ...: more activations)
from .modules_act import __all__ as _act_all
from .modules_loss import (  # noqa: E402
    CosineSimilarity, Embedding, HingeEmbeddingLoss, HuberLoss, KLDivLoss, LayerNorm, MarginRankingLoss, PoissonNLLLoss,
    SmoothL1Loss, SoftMarginLoss, TripletMarginLoss,
)
from .parameter import Parameter

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "Flatten", "GELU", "Identity", "L1Loss",
    "LeakyReLU", "Linear", "LogSoftmax", "Module", "ModuleList", "MSELoss", "NLLLoss", "Parameter", "ReLU",
    "Sequential", "Sigmoid", "Softmax", "Tanh", "functional", "init",
    "CosineSimilarity", "Embedding", "HingeEmbeddingLoss", "HuberLoss", "KLDivLoss", "LayerNorm", "MarginRankingLoss",
    "PoissonNLLLoss", "SmoothL1Loss", "SoftMarginLoss", "TripletMarginLoss",
]
__all__ += _act_all
