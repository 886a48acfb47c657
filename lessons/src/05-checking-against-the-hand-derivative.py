# Lesson 5 source. Build with: python tools/build_lessons.py 05  (format: see that script)

# %% [markdown]
r"""
# Lesson 5 · Checking autograd against a derivative by hand

**In this lesson**
- two inputs at once: $Q = 3a^3 - b^2$;
- `backward(gradient=...)` for a vector output, and the `.sum()` shortcut;
- comparing autograd's answer with the textbook derivative, entry by entry;
- clearing a gradient with `.grad.zero_()`.
"""

# %% id=import
import gradviz as torch
import gradviz

# %% [markdown]
r"""
## Two leaves

Both `a` and `b` ask for gradients, so autograd will fill `a.grad` and `b.grad`.
"""

# %% id=make-a doc=002:2
a = torch.tensor([2.0, 3.0], requires_grad=True)
print(a)

# %% id=make-b doc=002:3
b = torch.tensor([6.0, 4.0], requires_grad=True)
print(b)

# %% [markdown]
r"""
$$Q = 3a^3 - b^2$$

is computed entry by entry: $Q_1 = 3\cdot 8 - 36 = -12$ and $Q_2 = 3 \cdot 27 - 16 = 65$.
"""

# %% id=make-q doc=002:4
Q = 3*a**3 - b**2
print(Q)

# %% [markdown]
r"""
The graph has two branches, one per leaf: on the left $b 	o b^2$, on the right
$a 	o a^3 	o 3a^3$; they meet in the subtraction that made `Q`.
"""

# %% display id=draw-q
gradviz.draw(Q)

# %% [markdown]
r"""
## What the answer should be

Differentiate each entry:

$$\frac{\partial Q}{\partial a} = 9a^2 = (36,\ 81), \qquad \frac{\partial Q}{\partial b} = -2b = (-12,\ -8).$$

$Q$ has two entries, so `backward` needs a weight for each (lesson 4). Weights of 1 mean
"$\partial Q / \partial Q = 1$ for every entry", which is the same as calling `Q.sum().backward()`.
"""

# %% display id=animate-q
gradviz.animate(Q, torch.tensor([1., 1.]), names={"a": a, "b": b})

# %% id=q-backward doc=002:5
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)

# %% [markdown]
r"""
Now compare, entry by entry. `==` on tensors gives a tensor of `True`/`False`, one per entry.
"""

# %% id=q-check doc=002:6
# the gradients autograd stored in the leaves
print(a.grad)
print(b.grad)

# the same numbers from the formulas above?
print(9*a**2 == a.grad)
print(-2*b == b.grad)

# %% [markdown]
r"""
Exact equality is fine here because every number involved is a small whole number. With
arbitrary decimals, prefer `torch.allclose`, which allows for rounding.

## Again, and clean up afterwards

We build $Q$ a second time from fresh leaves and go through the same steps.
"""

# %% id=q2-forward doc=002:25
a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
Q = 3*a**3 - b**2
print(Q)

# %% id=q2-backward doc=002:26
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)
print(a.grad)

# %% [markdown]
r"""
`a.grad.zero_()` sets the stored gradient to zero in place (and shows the result). Why you would
want that is the subject of lesson 7.
"""

# %% id=q2-zero doc=002:27
a.grad.zero_()

# %% [markdown]
r"""
Now the `.sum()` shortcut. `backward()` frees the graph once it is done, so we rebuild $Q$ first.
Look at what happens to the two gradients: `a.grad` was zeroed, so it shows $9a^2$ again; `b.grad`
was **not** zeroed, so the new $-2b$ is added to the old one.
"""

# %% id=q-sum doc=002:29
Q = 3*a**3 - b**2
Q.sum().backward()
print(a.grad)
print(b.grad)

# %% [markdown]
r"""
## Try it

Let $f = a^2 b$ (entry by entry) with $a = (2, 3)$, $b = (6, 4)$. Work out
$\partial f / \partial a = 2ab$ and $\partial f / \partial b = a^2$, then put both in `my_guess`
and run the reveal cell.
"""

# %% id=try-guess
my_guess = None  # [[da1, da2], [db1, db2]], e.g. [[1.0, 2.0], [3.0, 4.0]]

# %% id=try-reveal
a = torch.tensor([2.0, 3.0], requires_grad=True)
b = torch.tensor([6.0, 4.0], requires_grad=True)
f = a**2 * b
f.sum().backward()

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    guess_a = torch.tensor(my_guess[0], dtype=torch.float)
    guess_b = torch.tensor(my_guess[1], dtype=torch.float)
    print("your guess:", guess_a, guess_b)
    print("autograd:  ", a.grad, b.grad)
    right = torch.allclose(guess_a, a.grad) and torch.allclose(guess_b, b.grad)
    print("All right!" if right else "Not quite: compare the two lines.")
