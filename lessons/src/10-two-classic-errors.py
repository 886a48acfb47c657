# Lesson 10 source. Build with: python tools/build_lessons.py 10  (format: see that script)

# %% [markdown]
r"""
# Lesson 10 · Two classic errors, and how to fix them

**In this lesson** you meet the two errors everyone meets when starting with autograd, read what
they mean, and fix them:

1. `element 0 of tensors does not require grad and does not have a grad_fn`
2. `grad can be implicitly created only for scalar outputs`

Two cells below fail on purpose: the error is the point of the cell. They carry the notebook tag
`raises-exception`, so *Run All* carries on past them (and the notebook tests check that each
fails with exactly this message).
"""

# %% id=import
import gradviz as torch
import gradviz

# %% [markdown]
r"""
## Error 1: nothing to differentiate

Below, `x` is made **without** `requires_grad=True`. Then nothing in the computation is tracked,
`z` has no `grad_fn`, and there is no graph for `backward()` to walk. The message says exactly
that: the tensor you called `backward()` on (element 0 of the list of outputs) neither requires
a gradient nor has a `grad_fn`.
"""

# %% raises id=error-no-grad doc=004:73
# x is created without requires_grad=True
torch.manual_seed(16)
x = torch.randn(3, requires_grad=False)
y = x + 2
z = y*y*2
z = z.mean()
z.backward() # dz/dx
print(x.grad)

# %% [markdown]
r"""
**Fix:** create `x` with `requires_grad=True` (or switch it on with `x.requires_grad_(True)`
before computing with it). Same seed, same numbers, and now it works:
"""

# %% id=fix-no-grad
torch.manual_seed(16)
x = torch.randn(3, requires_grad=True)
y = x + 2
z = y*y*2
z = z.mean()
z.backward()
print(x.grad)

# %% [markdown]
r"""
## Error 2: backward() on a vector, without weights

Now `x` is tracked, but `z` has three entries. `backward()` with no argument starts the walk
with $\partial z / \partial z = 1$, which only makes sense when $z$ is a single number. For a
vector, autograd will not guess how to weigh the entries (lesson 4).
"""

# %% raises id=error-vector doc=004:75
# z has three numbers: backward() alone cannot know how to weigh them
torch.manual_seed(17)
x = torch.randn(3, requires_grad=True)
y = x + 2
z = y*y*2
print(z)
v = torch.tensor([0.1, 1.0, 0.001], dtype=torch.float32)
z.backward() # dz/dx

# %% [markdown]
r"""
The failed call did not touch the graph, so we can still use it. **Fix 1:** hand `backward` one
weight per entry of `z`:
"""

# %% id=fix-vector doc=004:76
# one weight for each entry of z
v = torch.tensor([0.1, 1.0, 0.001], dtype=torch.float32)
z.backward(v) # v-weighted dz/dx
print(x.grad)

# %% [markdown]
r"""
**Fix 2:** turn the vector into one number first, for example with `.sum()` or `.mean()`; that
is what a loss does. `x.grad` is cleared first, otherwise the new gradient would be added to the
old one (lesson 7).
"""

# %% id=fix-vector-sum
x.grad.zero_()
z = (x + 2) * (x + 2) * 2
z.sum().backward()
print(x.grad)

# %% display id=animate-fix
gradviz.animate(((x + 2) * (x + 2) * 2).sum(), names={"x": x})

# %% [markdown]
r"""
## Try it

Which of these three lines raise an error? Predict `True` (raises) or `False` (works) for each,
then run the reveal cell.

1. `torch.ones(2).sum().backward()`
2. `torch.ones(2, requires_grad=True).sum().backward()`
3. `(torch.ones(2, requires_grad=True) * 2).backward()`
"""

# %% id=try-guess
my_guess = None  # e.g. [False, True, False]

# %% id=try-reveal
attempts = [
    lambda: torch.ones(2).sum().backward(),
    lambda: torch.ones(2, requires_grad=True).sum().backward(),
    lambda: (torch.ones(2, requires_grad=True) * 2).backward(),
]
answer = []
messages = []
for attempt in attempts:
    try:
        attempt()
        answer.append(False)
        messages.append("works")
    except RuntimeError as error:
        answer.append(True)
        messages.append(str(error))

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    print("your guess:", my_guess)
    print("autograd:  ", answer)
    for number, message in enumerate(messages, start=1):
        print(f"  {number}: {message}")
    print("All right!" if list(my_guess) == answer else "Not quite: compare the two lines.")
