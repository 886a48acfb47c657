"""torch.utils: the pieces of it that tutorials touch (hooks)."""
from . import hooks  # noqa: F401
