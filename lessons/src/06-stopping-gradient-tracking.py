# Lesson 6 source. Build with: python tools/build_lessons.py 06  (format: see that script)

# %% [markdown]
r"""
# Lesson 6 · Stopping autograd from tracking

**In this lesson**
- which results join the graph and which stay out of it;
- three ways to keep work out of the graph: `with torch.no_grad():`, `.detach()` and
  `.requires_grad_(False)`, and when to use each.

Recording every operation costs time and memory. When you only *use* a model (to predict, to
evaluate it, or to change its weights by hand) you do not want gradients, so you switch the
recording off.
"""

# %% id=import
import gradviz as torch

# %% [markdown]
r"""
## Who joins the graph?

A result is tracked when at least one input is tracked. Below, `x` and `y` are plain tensors and
`z` asks for gradients.
"""

# %% id=who doc=002:10
torch.manual_seed(6)
x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)

a = x + y
print(f"Does `a` require gradients? : {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")

# %% [markdown]
r"""
`x + z` would normally be tracked. Two ways to get its value without the tracking:

- compute it inside a `with torch.no_grad():` block;
- compute it normally, then call `.detach()` on the result.
"""

# %% id=who-nograd doc=002:11 doc=002:12
# inside the block nothing is recorded
with torch.no_grad():
    c = x + z
print(c.requires_grad)

# %% id=who-detach doc=002:13 doc=002:14
# detach() hands back the numbers without the history
d = x + z
d_detached = d.detach()
print(d_detached.requires_grad)

# %% [markdown]
r"""
Now each way in turn, with a few more examples.

## Way 1: `with torch.no_grad():`

Everything computed inside the `with` block is left out of the graph, even when an input asks
for gradients. This is the usual choice for a whole block of code: evaluating a model, or
updating weights (lesson 8).

The next two cells use the same seed, so `x` is identical; only the first `y` gets a `grad_fn`.
"""

# %% id=nograd-off doc=003:71
torch.manual_seed(7)
x = torch.randn(3, requires_grad=True)
print(x)
y = x + 2
print(y)

# %% id=nograd-on doc=003:68
torch.manual_seed(7)
x = torch.randn(3, requires_grad=True)
print(x)
with torch.no_grad():
    y = x + 2
    print(y)

# %% id=nograd-rand doc=000:15
# the same with rand

torch.manual_seed(8)
x = torch.rand(3, requires_grad=True)
print(x)

with torch.no_grad():
    y = x + 2
    print(y)

# %% id=nograd-flag doc=004:80
# only the flags this time
torch.manual_seed(9)
x = torch.randn(3, requires_grad=True)
print(x.requires_grad)
with torch.no_grad():
    y = x + 2
    print(y.requires_grad)

# %% [markdown]
r"""
The block affects the *results* computed inside it, not the inputs: `x` itself still asks for
gradients, and outside the block new results are tracked again.
"""

# %% id=nograd-x
torch.manual_seed(4)
x = torch.randn(3, requires_grad = True)

# %% id=nograd-x-flag doc=001:21
# x still asks for gradients
x.requires_grad

# %% id=nograd-square doc=001:22
(x**2).requires_grad

# %% id=nograd-half doc=001:23
with torch.no_grad():
    print((x/2).requires_grad)

# %% [markdown]
r"""
## Way 2: `.detach()`

`x.detach()` gives a **new** tensor with the same numbers (it even shares their memory) but with
no history and `requires_grad=False`. The original `x` is not changed. Use it when you need one
tensor's values without its history, for example to print, plot or store them.
"""

# %% id=detach-rand doc=000:14
# way 2

torch.manual_seed(10)
x = torch.rand(3, requires_grad=True)
print(x)

y = x.detach() # a new tensor, requires_grad=False
print(y)

# %% id=detach-randn doc=003:70
torch.manual_seed(11)
x = torch.randn(3, requires_grad=True)
print(x)
y = x.detach()
print(y)

# %% id=detach-flag doc=004:77 doc=004:78
# the flags before and after detach()
torch.manual_seed(12)
x = torch.randn(3, requires_grad=True)
print(x.requires_grad)
y = x.detach()
print(y.requires_grad)

# %% [markdown]
r"""
## Way 3: `.requires_grad_(False)`

This switches the flag off on the tensor **itself** (in place, hence the underscore). It works on
leaves, the tensors you created, and is how you "freeze" a weight so training stops changing it.
"""

# %% id=flag-off-rand doc=000:13
# way 3
torch.manual_seed(13)
x = torch.rand(3, requires_grad=True)
print(x)

x.requires_grad_(False)
print(x)

# %% id=flag-off-randn doc=003:62
torch.manual_seed(14)
x = torch.randn(3, requires_grad=True)
print(x)
x.requires_grad_(False)
print(x)

# %% id=flag-off-flag doc=004:79
# way 3, flags only
torch.manual_seed(15)
x = torch.randn(3, requires_grad=True)  
print(x.requires_grad)

x.requires_grad_(False)
print(x.requires_grad)

# %% [markdown]
r"""
## Which one when?

| | changes | typical use |
|---|---|---|
| `with torch.no_grad():` | every result computed inside the block | evaluating a model; updating weights by hand |
| `t.detach()` | nothing: returns a new, history-free tensor | taking values out of the graph |
| `t.requires_grad_(False)` | the leaf `t` itself, from now on | freezing a parameter |

## Try it

Predict `requires_grad` for `p1`, `p2` and `p3`, then run the reveal cell.

```python
w = torch.ones(2, requires_grad=True)
with torch.no_grad():
    p1 = w * 2
p2 = w.detach() * 2
p3 = w * 2
```
"""

# %% id=try-guess
my_guess = None  # your prediction for [p1, p2, p3], e.g. [True, True, False]

# %% id=try-reveal
w = torch.ones(2, requires_grad=True)
with torch.no_grad():
    p1 = w * 2
p2 = w.detach() * 2
p3 = w * 2
answer = [p1.requires_grad, p2.requires_grad, p3.requires_grad]

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    print("your guess:", my_guess)
    print("autograd:  ", answer)
    print("All right!" if list(my_guess) == answer else "Not quite: compare the two lines.")
