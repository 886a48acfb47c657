# Lesson 9 source. Build with: python tools/build_lessons.py 09  (format: see that script)

# %% [markdown]
r"""
# Lesson 9 · Let an optimizer do the update: `torch.optim.SGD`

**In this lesson**
- `torch.optim.SGD` keeps a list of parameters and a learning rate;
- `optimizer.step()` does the update of lesson 8, $w \leftarrow w - \eta\, w.\text{grad}$, for
  every parameter;
- `optimizer.zero_grad()` clears their gradients (lesson 7);
- a complete training loop.
"""

# %% id=import
import gradviz as torch
import gradviz

# %% [markdown]
r"""
## The three calls

Make an optimizer for a list of parameters, then: `step()` to update, `zero_grad()` to clear.
"""

# %% id=sgd-basic doc=003:107
weights = torch.ones(4, requires_grad=True)

# make the optimizer: which tensors to update, and how big a step
optimizer = torch.optim.SGD([weights], lr=0.01)
# one update step
optimizer.step()
# clear the gradients, so the next backward() starts from nothing
optimizer.zero_grad()

# %% [markdown]
r"""
Nothing happened to the weights: there was no gradient yet, and `step()` skips parameters whose
`.grad` is `None`.
"""

# %% id=sgd-nothing
print(weights)
print(weights.grad)

# %% [markdown]
r"""
## One real step

Now with a gradient. For $\sum_i 3w_i$ the gradient is 3 everywhere, so with $\eta = 0.01$ each
weight should move from $1$ to $1 - 0.01 \cdot 3 = 0.97$.
"""

# %% id=sgd-loss
model_output = (weights * 3).sum()

# %% display id=animate-sgd
gradviz.animate(model_output, names={"weights": weights})

# %% id=sgd-step
model_output.backward()
print(weights.grad)
optimizer.step()
print(weights)

# %% [markdown]
r"""
`zero_grad()` does more than fill `.grad` with zeros: by default it sets it back to `None`.
Either way, the next `backward()` starts from nothing.
"""

# %% id=sgd-zero
optimizer.zero_grad()
print(weights.grad)

# %% [markdown]
r"""
## A training loop

The linear model of lesson 8, trained for 50 steps. Each step: clear the old gradient, compute
the loss, `backward()`, `step()`. The loss falls quickly at first, then more slowly.
"""

# %% id=train
x = torch.arange(6).reshape(2, 3) * 1.0
target = torch.arange(2, 4).reshape(2, 1) * 1.0
w = torch.ones((3, 1), requires_grad=True)
optimizer = torch.optim.SGD([w], lr=0.01)

for step in range(50):
    optimizer.zero_grad()
    loss = ((x.matmul(w) - target)**2).mean()
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step:2d}  loss {loss.item():8.4f}")

# %% id=train-result
with torch.no_grad():
    print(x.matmul(w))
    print(((x.matmul(w) - target)**2).mean())

# %% [markdown]
r"""
## Try it

With `lr=0.1` instead of `0.01`, where does one step take weights that start at 1, for the
output $\sum_i 3w_i$? Predict the new value of each weight.
"""

# %% id=try-guess
my_guess = None  # one number (all four weights move the same way), e.g. 0.5

# %% id=try-reveal
v = torch.ones(4, requires_grad=True)
opt = torch.optim.SGD([v], lr=0.1)
(v * 3).sum().backward()
opt.step()

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    print("your guess:", my_guess)
    print("autograd:  ", v)
    print("All right!" if torch.allclose(v, torch.full((4,), float(my_guess))) else "Not quite: compare the two lines.")
