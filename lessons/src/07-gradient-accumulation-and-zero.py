# Lesson 7 source. Build with: python tools/build_lessons.py 07  (format: see that script)

# %% [markdown]
r"""
# Lesson 7 · Gradients add up: `.grad.zero_()`

**In this lesson**
- `backward()` **adds** its result to `.grad`; it never overwrites it;
- so in a loop, gradients pile up unless you clear them;
- `weights.grad.zero_()` clears them, once per step.
"""

# %% id=import
import gradviz as torch
import gradviz

# %% [markdown]
r"""
## A loop without clearing

The "model output" $\sum_i (w_i + 3)$ has slope 1 in every weight:
$\partial / \partial w_i \sum_j (w_j + 3) = 1$. Each pass through the loop computes that same
gradient, yet the printed `weights.grad` grows: 1, then 2, then 3.
"""

# %% id=acc-plus doc=000:16
weights = torch.ones(3, requires_grad=True)

for epoch in range(3):
    model_output = (weights + 3).sum()
    model_output.backward()
    print(weights.grad)

# %% [markdown]
r"""
The player below runs the same three passes on fresh weights. Watch the `AccumulateGrad` node
at the leaf: each pass *adds* its 1 to what is already stored.
"""

# %% display id=animate-acc
w = torch.ones(3, requires_grad=True)
gradviz.animate_loop(lambda: (w + 3).sum(), n=3, names={"weights": w})

# %% [markdown]
r"""
Why does PyTorch add instead of overwrite? Because adding is what the chain rule needs when a
tensor is used in several places (or by several losses): the contributions must be summed.
`backward()` cannot know whether an old value in `.grad` is a stale leftover or a contribution
you still want, so clearing it is your job.

## Clearing once per step

Put `weights.grad.zero_()` at the end of the loop body (after the gradient has been used) and
every pass starts from zero again.
"""

# %% id=acc-plus-zero doc=000:17
weights = torch.ones(3, requires_grad=True)

for epoch in range(3):
    model_output = (weights + 3).sum()
    model_output.backward()
    print(weights.grad)
    weights.grad.zero_()

# %% display id=animate-acc-zero
w = torch.ones(3, requires_grad=True)
gradviz.animate_loop(lambda: (w + 3).sum(), n=3, zero_grad="each", names={"weights": w})

# %% [markdown]
r"""
## The same with $\sum_i 3 w_i$

Now the slope is 3 for every weight. Running the loop once, twice and three times without
clearing shows the pile growing: 3, then 6, then 9.
"""

# %% id=acc-times-1 doc=004:81
import gradviz as torch

weights = torch.ones(4, requires_grad=True)

for epoch in range(1):
    model_output = (weights*3).sum()
    model_output.backward()
    print(weights.grad)

# %% id=acc-times-2 doc=004:82
import gradviz as torch

weights = torch.ones(4, requires_grad=True)

for epoch in range(2):
    model_output = (weights*3).sum()
    model_output.backward()
    print(weights.grad)

# %% id=acc-times-3 doc=004:83
import gradviz as torch

weights = torch.ones(4, requires_grad=True)

for epoch in range(3):
    model_output = (weights*3).sum()
    model_output.backward()
    print(weights.grad)

# each pass added another 3: nothing cleared the stored gradient

# %% id=acc-times-zero doc=004:84
import gradviz as torch

weights = torch.ones(4, requires_grad=True)

for epoch in range(3):
    model_output = (weights*3).sum()
    model_output.backward()
    print(weights.grad)
    # clear the stored gradient before the next pass adds to it
    weights.grad.zero_()

# %% [markdown]
r"""
`.grad` is `None` until the first `backward()`, so call `zero_()` *after* a backward pass (as
here), not before the first one.
"""

# %% id=acc-times-zero-2 doc=003:100
weights = torch.ones(4, requires_grad=True)

for epoch in range(3):
    model_output = (weights * 3).sum()
    model_output.backward()

    print(weights.grad)
    weights.grad.zero_()

# %% [markdown]
r"""
## Try it

`w` is never changed below, and nothing is cleared. Since
$\partial / \partial w_i \sum_j w_j^2 = 2 w_i$, what is `w.grad` after four passes?
"""

# %% id=try-guess
my_guess = None  # two numbers, e.g. [1.0, 1.0]

# %% id=try-reveal
w = torch.ones(2, requires_grad=True)
for step in range(4):
    (w * w).sum().backward()

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    print("your guess:", torch.tensor(my_guess, dtype=torch.float))
    print("autograd:  ", w.grad)
    print("All right!" if torch.allclose(torch.tensor(my_guess, dtype=torch.float), w.grad) else "Not quite: compare the two lines.")
