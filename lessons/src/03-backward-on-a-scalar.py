# Lesson 3 source. Build with: python tools/build_lessons.py 03  (format: see that script)

# %% [markdown]
r"""
# Lesson 3 · `backward()` on a scalar

**In this lesson**
- calling `.backward()` on a single number walks the graph from the end back to the leaves;
- the answer, $\partial z / \partial x$, lands in `x.grad`;
- we check it against the derivative worked out by hand, and watch the walk step by step.
"""

# %% id=import
import gradviz as torch
import gradviz

# %% [markdown]
r"""
## The graph from lesson 2

Same seed, same `x`, same three steps:
$y = x + 2$, then $2y^2$ for each entry, then the mean of the three entries.
"""

# %% id=rebuild
torch.manual_seed(0)
x = torch.rand(3, requires_grad=True)
y = x + 2
z = y*y*2
z = z.mean()
z

# %% [markdown]
r"""
## The derivative by hand

Written out, the result is one number:

$$z = \frac{1}{3}\sum_{i=1}^{3} 2\,(x_i + 2)^2 .$$

Only the $i$-th term of the sum depends on $x_i$, so by the chain rule

$$\frac{\partial z}{\partial x_i} = \frac{1}{3}\cdot 2 \cdot 2\,(x_i + 2) = \frac{4}{3}\,(x_i + 2).$$

`backward()` finds the same thing without any algebra: it starts at $z$ with
$\partial z / \partial z = 1$ and, node by node, multiplies by each operation's local derivative
(the chain rule), until it reaches the leaf and adds the result into `x.grad`.

Press ▶ to watch it. The animation only *shows* the walk; it does not store anything.
"""

# %% display id=animate-z
gradviz.animate(z, names={"x": x})

# %% id=backward doc=000:7
z.backward()

# %% [markdown]
r"""
The gradient has the same shape as `x`: one slope per entry.
"""

# %% id=grad doc=000:8
x.grad

# %% [markdown]
r"""
Compare with the formula. We compute it inside `torch.no_grad()` (lesson 6) so that this check
is not itself recorded in a graph.
"""

# %% id=check
with torch.no_grad():
    by_hand = 4 / 3 * (x + 2)
print(by_hand)
print(torch.allclose(x.grad, by_hand))

# %% [markdown]
r"""
## With numbers we can follow

Take $x = (1, 2, 3)$. Then $y = (3, 4, 5)$ and $\frac{4}{3}y = (4,\ 5.3333,\ 6.6667)$: that is what
`x.grad` should be.
"""

# %% id=rebuild-123
x = torch.tensor([1., 2., 3.], requires_grad=True)
y = x + 2
z = y * y * 2

# %% id=mean-123 doc=003:56
# The mean turns the three numbers into one: the printout says MeanBackward0.
z = z.mean()
print(z)

# %% [markdown]
r"""
The graph ends in a single number, so `backward()` needs no extra argument.
"""

# %% display id=draw-123
gradviz.draw(z)

# %% display id=animate-123
gradviz.animate(z, names={"x": x})

# %% id=backward-123 doc=003:57
z.backward() # fills x.grad with dz/dx
print(x.grad)

# %% [markdown]
r"""
## A cube instead of a square

From lesson 2: $x$ is a 2 × 2 tensor of ones and

$$\text{out} = \frac{1}{4}\sum_{i} 3\,(x_i + 2)^3
\quad\Rightarrow\quad
\frac{\partial\,\text{out}}{\partial x_i} = \frac{1}{4}\cdot 9\,(x_i + 2)^2 = \frac{9 \cdot 9}{4} = 20.25
\ \text{ at } x_i = 1.$$
"""

# %% id=rebuild-ones
x = torch.ones(2, 2, requires_grad=True)
y = x+2
z = y * y * y * 3
out = z.mean()

# %% display id=animate-ones
gradviz.animate(out, names={"x": x})

# %% id=backward-ones doc=001:12
# out is a single number, so no argument is needed (it is the same as passing tensor(1.)).
out.backward()

# %% id=grad-ones doc=001:13
# d(out)/dx at x = 1: every entry should be 20.25.
x.grad

# %% [markdown]
r"""
## One more time, from start to finish

A *neuron* in its simplest form: inputs go in, one operation combines them, an output comes out.
Here the inputs are `x` and the number 2 and the operation is `+`. The drawing below shows just
that, as a computation graph.
"""

# %% id=neuron-x
torch.manual_seed(1)
x = torch.randn(3, requires_grad=True)
print(x)

# %% id=neuron-y doc=004:69
y = x + 2
print(y)

# y came out of an operation, so it has a grad_fn: an AddBackward0

# %% display id=draw-neuron
gradviz.draw(y, view="computation")

# %% id=neuron-z doc=004:70
z = y*y*2
print(z)

# z came out of a multiplication: MulBackward0

# %% id=neuron-mean doc=004:71
z = z.mean()
print(z)

# and the mean gives MeanBackward0

# %% [markdown]
r"""
The recipe is always the same: (1) compute forward, (2) call `backward()` on the final scalar,
(3) read the gradients from the leaves. The leaf `x` itself is not changed by `backward()`.
"""

# %% display id=animate-neuron
gradviz.animate(z, names={"x": x})

# %% id=neuron-backward doc=004:72
# backward pass: dz/dx goes into x.grad
z.backward() # dz/dx
print(x)
print(x.grad)

# %% [markdown]
r"""
## Try it

Let $s = \sum_i x_i^3$ with $x = (1, -2, 0.5)$. Work out $\partial s / \partial x$ by hand
(hint: the derivative of $x^3$ is $3x^2$), write it in `my_guess`, then run the reveal cell.
"""

# %% id=try-guess
my_guess = None  # three numbers, e.g. [1.0, 2.0, 3.0]

# %% id=try-reveal
x = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
s = (x ** 3).sum()
s.backward()

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    print("your guess:", torch.tensor(my_guess, dtype=torch.float))
    print("autograd:  ", x.grad)
    print("All right!" if torch.allclose(torch.tensor(my_guess, dtype=torch.float), x.grad) else "Not quite: compare the two lines.")
