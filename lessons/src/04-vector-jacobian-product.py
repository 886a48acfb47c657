# Lesson 4 source. Build with: python tools/build_lessons.py 04  (format: see that script)

# %% [markdown]
r"""
# Lesson 4 · When the output is a vector: `backward(v)`

**In this lesson**
- why `backward()` needs an extra argument when the result has more than one number;
- what that argument `v` means: it weighs the outputs, and autograd returns $v^\top J$, the
  *vector-Jacobian product*;
- the same idea written as `backward(gradient=...)` and used half-way through a network.
"""

# %% id=import
import gradviz as torch
import gradviz

# %% [markdown]
r"""
## Many outputs, many slopes

If $z$ has three entries and $x$ has three entries, there are nine slopes
$\partial z_i / \partial x_j$. Arranged in a table they form the **Jacobian** matrix

$$J = \begin{pmatrix}
\frac{\partial z_1}{\partial x_1} & \frac{\partial z_1}{\partial x_2} & \frac{\partial z_1}{\partial x_3}\\
\frac{\partial z_2}{\partial x_1} & \frac{\partial z_2}{\partial x_2} & \frac{\partial z_2}{\partial x_3}\\
\frac{\partial z_3}{\partial x_1} & \frac{\partial z_3}{\partial x_2} & \frac{\partial z_3}{\partial x_3}
\end{pmatrix}.$$

Autograd never builds this table (for a real network it would be enormous). Instead you give
`backward` a vector $v$ with one weight per output, and it computes

$$x.\text{grad} = v^\top J,\qquad\text{that is}\qquad x.\text{grad}_j = \sum_i v_i\,\frac{\partial z_i}{\partial x_j},$$

the gradient of the single number $\sum_i v_i z_i$. When $z$ is the final loss, $v$ is just $1$;
that is why a scalar needs no argument.
"""

# %% id=vjp-forward doc=000:9 doc=002:24
# The output z below has three numbers, not one.
torch.manual_seed(5)
x = torch.rand(3, requires_grad=True)
y = x + 2
z = y*y*2

# %% id=vjp-v doc=000:10
v = torch.tensor([.01, .4, .6])

# %% [markdown]
r"""
Here $z_i = 2(x_i + 2)^2$ depends only on $x_i$, so $J$ is diagonal with entries
$4(x_i + 2)$, and $x.\text{grad}_i = v_i \cdot 4(x_i + 2)$.
In the player, `v` enters at the output (the bottom of the drawing) and travels back up to `x`.
"""

# %% display id=animate-vjp
gradviz.animate(z, v, names={"x": x})

# %% id=vjp-backward doc=000:11
z.backward(v)

# %% id=vjp-grad doc=000:12
x.grad

# %% id=vjp-check
with torch.no_grad():
    print(v * 4 * (x + 2))

# %% [markdown]
r"""
## The Jacobian, written out

With $x = (1, 2, 3)$ the diagonal entries $4(x_i + 2)$ are $12, 16, 20$:

$$J = \begin{pmatrix} 12 & 0 & 0\\ 0 & 16 & 0\\ 0 & 0 & 20 \end{pmatrix},\qquad
v = (1,\ 1.5,\ 1.5)\ \Rightarrow\ v^\top J = (12,\ 24,\ 30).$$
"""

# %% id=jac-forward doc=003:59
# x is the input, z the output we start backward from
x = torch.tensor([1., 2., 3.], requires_grad=True)
y = x + 2
z = y * y * 2

# %% display id=draw-jac
gradviz.draw(z)

# %% [markdown]
r"""
We can also let autograd fill in $J$ one row at a time: backward with $v = (1, 0, 0)$ gives the
first row, $(0, 1, 0)$ the second, and so on. Each pass uses a fresh `x` so that nothing adds up
(lesson 7 explains why that matters).
"""

# %% id=jac-rows
for i in range(3):
    xi = torch.tensor([1., 2., 3.], requires_grad=True)
    zi = (xi + 2) * (xi + 2) * 2
    zi.backward(torch.eye(3)[i])
    print("row", i, ":", xi.grad)

# %% id=jac-v doc=003:60
v = torch.tensor([1., 1.5, 1.5], dtype=torch.float32)
z.backward(v)
print(x.grad)

# %% [markdown]
r"""
## Backward from the middle of a network

`v` has a second meaning. Suppose `y` is a hidden layer and the loss $L$ is computed later from
it. Then `y.backward(v)` with $v = \partial L / \partial y$ (one number per entry of `y`) gives
exactly $\partial L / \partial x$: the chain rule, with the downstream part handed in by you.

We reuse the doubling loop of lesson 2. There $y = 2^k x$ for some count $k$, so $J = 2^k I$ and
`x.grad` should be $2^k v$.
"""

# %% id=mid-forward
torch.manual_seed(4)
x = torch.randn(3, requires_grad = True)
y = x*2
while y.data.norm()<1000:
    y = y*2
y

# %% id=mid-backward doc=001:20
# y is a vector, so backward gets one weight per entry of y
gradients = torch.tensor([0.1,1.0,0.001], dtype=torch.float)
y.backward(gradients)
x.grad

# %% id=mid-check
factor = (y / x).detach()  # 2**k in every entry
print(factor)
print(factor * gradients)

# %% [markdown]
r"""
## Try it

Let $x = (1, 2)$, $z = x \cdot x$ (entry by entry) and $v = (1, -1)$. Predict `x.grad` after
`z.backward(v)`. (Hint: $J$ is diagonal with entries $2x_i$.)
"""

# %% id=try-guess
my_guess = None  # two numbers, e.g. [1.0, 2.0]

# %% id=try-reveal
x = torch.tensor([1., 2.], requires_grad=True)
z = x * x
z.backward(torch.tensor([1., -1.]))

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    print("your guess:", torch.tensor(my_guess, dtype=torch.float))
    print("autograd:  ", x.grad)
    print("All right!" if torch.allclose(torch.tensor(my_guess, dtype=torch.float), x.grad) else "Not quite: compare the two lines.")
