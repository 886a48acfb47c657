# Lesson 1 source. Build with: python tools/build_lessons.py 01  (format: see that script)

# %% [markdown]
r"""
# Lesson 1 · Tensors and `requires_grad`

**In this lesson**
- make tensors: `torch.rand`, `torch.tensor`, `torch.randn`, `torch.ones`;
- ask autograd to watch a tensor with `requires_grad=True`, and spot that in the printout;
- read and switch the flag afterwards, and see how it passes on to results.

**How these notebooks work.** We use *gradviz*, a small teaching library that copies PyTorch's
autograd. We import it under the name `torch`, so every line you type here is also valid PyTorch,
and the printed results are the same as PyTorch 2.13 prints. gradviz adds two things PyTorch
does not have: `gradviz.draw` (a picture of the graph) and `gradviz.animate` (the backward pass,
step by step). You will meet them in lesson 2.

**Random numbers.** Before we draw random numbers we call `torch.manual_seed(n)`. The same seed
always gives the same numbers, here and in real PyTorch, so your output matches the one stored in
the notebook.
"""

# %% id=import doc=000:1 doc=002:1 doc=003:52
import gradviz as torch

# %% [markdown]
r"""
## A tensor is a box of numbers

A tensor holds numbers in a grid: one number (a *scalar*), a row (a *vector*), a table (a
*matrix*) or more dimensions. `torch.rand(3)` makes a vector of three numbers, each picked at
random between 0 and 1.
"""

# %% id=rand doc=000:2
torch.manual_seed(0)
x = torch.rand(3)
x

# %% [markdown]
r"""
## Asking for gradients

Training a model means asking: *if I nudge these numbers, how does the result change?* That
question is answered by derivatives (gradients). Autograd can compute them for us, but only for
tensors we mark in advance with `requires_grad=True`.

Below we use the same seed as above, so we get the same three numbers. The only difference is
the tag `requires_grad=True` at the end of the printout: autograd is now watching `x`.
"""

# %% id=rand-grad doc=000:3
torch.manual_seed(0)
x = torch.rand(3, requires_grad=True)
x

# %% [markdown]
r"""
Instead of random numbers you can type them in with `torch.tensor`. Write them with a decimal
point (`1.` rather than `1`): gradients exist only for floating-point tensors, and PyTorch refuses
`requires_grad=True` on a tensor of whole numbers.
"""

# %% id=tensor-grad doc=003:53
# If we want gradients with respect to x, we say so when we create it.
x = torch.tensor([1., 2., 3.], requires_grad=True)
print(x)

# %% [markdown]
r"""
`torch.randn` draws from the *normal* distribution (centred on 0, so negative numbers appear).
The `import` line is repeated here only because the original tutorial had it in this cell;
importing twice does no harm.
"""

# %% id=randn-grad doc=004:68
import gradviz as torch

torch.manual_seed(1)
x = torch.randn(3, requires_grad=True)
print(x)

# %% [markdown]
r"""
Tensors can have two dimensions. `torch.ones(2, 2)` is a 2 × 2 table of ones.
"""

# %% id=ones-grad doc=001:1
import gradviz as torch
x = torch.ones(2, 2, requires_grad=True)
x

# %% [markdown]
r"""
## Reading and switching the flag

Every tensor has an attribute `.requires_grad`. Tensors start with `False` unless you ask
otherwise.

The cell below makes a random 3 × 3 tensor `a` and then replaces it with
$\dfrac{a/2}{3a}$. Whatever the random numbers were, every entry becomes $\frac{1}{6} \approx 0.1667$.
"""

# %% id=a-randn doc=001:7
torch.manual_seed(2)
a = torch.randn(3,3)
a = ((a/2)/(a*3))
a

# %% id=a-flag doc=001:8
a.requires_grad

# %% [markdown]
r"""
`requires_grad_(True)` switches the flag on. The trailing underscore is a PyTorch habit: a method
whose name ends in `_` changes the tensor *in place* instead of making a new one. It also
returns the tensor, which is why the notebook shows it.
"""

# %% id=a-flag-on doc=001:9
a.requires_grad_(True)

# %% id=a-flag-check doc=001:10
a.requires_grad

# %% [markdown]
r"""
From now on, whatever we compute from `a` is recorded. The result `b` below remembers the
operation that made it in `b.grad_fn` (a sum, so `SumBackward0`). The strange number after `at`
is where the object lives in memory; it changes on every run. Lesson 2 is all about `grad_fn`.
"""

# %% id=a-sum doc=001:11
b = (a*a).sum()
b.grad_fn

# %% [markdown]
r"""
## The flag passes on

A result needs gradients as soon as **one** of its inputs does. If no input asks for gradients,
the result does not either.
"""

# %% id=spread
p = torch.tensor([1.0, 2.0])
q = torch.tensor([3.0, 4.0], requires_grad=True)
print((p + p).requires_grad)
print((p + q).requires_grad)

# %% [markdown]
r"""
## Try it

Using `p` (no gradients) and `q` (gradients) from above, predict `requires_grad` for

- `r = p * 2`
- `s = q * p`
- `t = s.sum()`

Put your three answers in the list below (for example `[True, False, True]`), run the cell, then
run the reveal cell.
"""

# %% id=try-guess
my_guess = None  # your prediction for [r, s, t], e.g. [True, False, True]

# %% id=try-reveal
r = p * 2
s = q * p
t = s.sum()
answer = [r.requires_grad, s.requires_grad, t.requires_grad]

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    print("your guess:", my_guess)
    print("autograd:  ", answer)
    print("All right!" if list(my_guess) == answer else "Not quite: compare the two lines.")
