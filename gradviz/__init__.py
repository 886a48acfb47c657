"""gradviz: a PyTorch-compatible autograd engine on NumPy that draws its own graphs."""
