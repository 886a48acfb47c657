# Lesson 11 source. Build with: python tools/build_lessons.py 11  (format: see that script)

# %% [markdown]
r"""
# Lesson 11 · Write your own op: a forward, a backward, and a check

**In this lesson**
- every operation autograd knows is a pair: a *forward* that computes the value and a
  *backward* that turns the gradient of the output into gradients of the inputs;
- you write such a pair yourself with `torch.autograd.Function`;
- your op shows up in the graph like a built-in one;
- `torch.autograd.gradcheck` compares your backward with finite differences, and catches a
  wrong rule;
- gradients of gradients: second derivatives with `create_graph=True`, and a Hessian.
"""

# %% id=import
import gradviz as torch
import gradviz

# %% [markdown]
r"""
## What a built-in op looks like from the outside

`x.exp()` records a node called `ExpBackward0`. The node remembers what its backward rule will
need. For $y = e^x$ the derivative is $e^x$ again, so it is enough to keep the *result*.
"""

# %% id=builtin-exp
x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
y = x.exp()
print(y)
y.sum().backward()
print(x.grad)

# %% [markdown]
r"""
## The same op, written by hand

A `torch.autograd.Function` subclass has two static methods:

- `forward(ctx, ...)` receives tensors and returns the result. It runs with tracking switched
  off: inside it you compute, you do not build a graph. `ctx.save_for_backward(...)` stores what
  the backward rule will need.
- `backward(ctx, grad_output)` receives $\partial L/\partial y$, the gradient arriving from
  above, and returns one gradient per input of `forward`: here
  $\partial L/\partial x = \partial L/\partial y \cdot e^x$.

You call it with `.apply`, never by calling `forward` yourself.
"""

# %% id=myexp-class
class MyExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return grad_output * result

# %% id=myexp-use
x = torch.tensor([0.0, 1.0, 2.0], requires_grad=True)
y = MyExp.apply(x)
print(y)
print(type(y.grad_fn).__name__)
y.sum().backward()
print(x.grad)

# %% [markdown]
r"""
Same values, same gradient as the built-in `exp`. The node is named after your class, with
`Backward` appended.

## Your op in the graph

Draw the graph: `MyExpBackward` sits where `ExpBackward0` sat. The backward animation walks
through it and shows the gradient it hands to `x`.
"""

# %% display id=draw-myexp
z = MyExp.apply(x) * 3
gradviz.draw(z.sum(), names={"x": x})

# %% display id=animate-myexp
gradviz.animate((MyExp.apply(x) * 3).sum(), names={"x": x})

# %% [markdown]
r"""
## Is my backward right? Ask `gradcheck`

A backward rule is easy to get slightly wrong. `torch.autograd.gradcheck` nudges each input by a
tiny $\varepsilon$, measures how the output moves (finite differences), and compares that with
what your backward returns. It wants double precision inputs (`dtype=torch.float64`), because in
single precision the nudged differences are too noisy to compare.
"""

# %% id=gradcheck-good
x64 = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
print(torch.autograd.gradcheck(MyExp.apply, (x64,)))

# %% [markdown]
r"""
Now a classic slip: forgetting to multiply by the incoming gradient. For `y.sum()` that incoming
gradient is all ones, so the slip would go unnoticed there; `gradcheck` tests with every
direction and finds it.
"""

# %% id=myexp-wrong
class WrongExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        result = x.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        (result,) = ctx.saved_tensors
        return result  # forgot "grad_output *"

def triple_exp(t):
    return WrongExp.apply(t) * 3

try:
    torch.autograd.gradcheck(triple_exp, (x64,))
except RuntimeError as err:
    print(type(err).__name__)
    print(str(err).splitlines()[0])

# %% [markdown]
r"""
## Gradients of gradients

The backward pass is made of ordinary operations too. With `create_graph=True`, autograd records
them, so the gradient is itself a tensor with a `grad_fn`, and you can differentiate it again.

For $y = x^3$: $\;dy/dx = 3x^2 = 12$ at $x = 2$, and $\;d^2y/dx^2 = 6x = 12$ as well.
"""

# %% id=second-derivative
x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
(dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
print(dy_dx)
(d2y_dx2,) = torch.autograd.grad(dy_dx, x)
print(d2y_dx2)

# %% [markdown]
r"""
For a function of several inputs, all the second derivatives together form the **Hessian**
matrix. For $f(t) = t_1^3 + t_2^3$ it is diagonal, with $6 t_i$ on the diagonal:
"""

# %% id=hessian
def f(t):
    return (t ** 3).sum()

print(torch.autograd.functional.hessian(f, torch.tensor([1.0, 2.0])))

# %% [markdown]
r"""
## Try it

Here is `MySquare`, $y = x^2$, with its backward rule left for you: replace `None` by the
gradient of the input. Then predict what `gradcheck` will say about your rule, and run it.
(A second exercise for later: `MySigmoid`. Its derivative needs only the result,
$\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$, so it can save the result, as `MyExp` does.)
"""

# %% id=try-guess
class MySquare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return None  # your rule here: the gradient with respect to x

my_guess = None  # what will gradcheck say: True, or an error?

# %% id=try-reveal
if my_guess is None:
    print("Write your rule and your prediction above, run that cell, then run this one again.")
else:
    try:
        verdict = torch.autograd.gradcheck(MySquare.apply, (x64,))
    except RuntimeError as err:
        verdict = str(err).splitlines()[0]
    print("your guess:", my_guess)
    print("gradcheck: ", verdict)
