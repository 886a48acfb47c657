# Lesson 2 source. Build with: python tools/build_lessons.py 02  (format: see that script)

# %% [markdown]
r"""
# Lesson 2 · `grad_fn` and the dynamic graph

**In this lesson**
- every operation on a tracked tensor leaves a node behind: the result's `.grad_fn`;
- the nodes link up into a graph, which `gradviz.draw` shows and `next_functions` lets you walk;
- the graph is built while your Python code runs, so loops and `if`s shape it.
"""

# %% id=import
import gradviz as torch
import gradviz

# %% [markdown]
r"""
## Every operation leaves a node

We start from the same `x` as in lesson 1 (same seed, same numbers).
"""

# %% id=x-again
torch.manual_seed(0)
x = torch.rand(3, requires_grad=True)
x

# %% [markdown]
r"""
Now add 2. The result prints with `grad_fn=<AddBackward0>`: autograd has recorded that `y` came
from an addition. Read the name in three parts: *Add* (the operation), *Backward* (this object
knows how to send a gradient back through an addition) and *0* (PyTorch numbers the versions of
each backward formula).
"""

# %% id=y-add doc=000:4
y = x + 2
y

# %% [markdown]
r"""
`y*y*2` is computed left to right as `(y*y)*2`: two multiplications. The printout names only the
**last** operation, `MulBackward0`; the earlier one is still in the graph, one step further back.
"""

# %% id=z-mul doc=000:5
z = y*y*2
z

# %% [markdown]
r"""
Taking the mean turns three numbers into one. We reuse the name `z`; the old `z` is not lost, it
is still a node of the graph that the new `z` points back to.
"""

# %% id=z-mean doc=000:6
z = z.mean()
z

# %% [markdown]
r"""
Here is the whole record, drawn by `gradviz.draw`. Read it from top to bottom, the way the
forward pass went: the leaf `x` (blue, its node is called `AccumulateGrad`), then `AddBackward0`
which made `y`, two `MulBackward0`s, and finally `MeanBackward0`, which made `z` (green). There are
two arrows into the first multiplication because `y*y` uses `y` twice. Each box also shows the
shape, the data type and the values. (`backward()` will later walk the same arrows the other way,
from `z` back to `x`.)
"""

# %% display id=draw-z
gradviz.draw(z)

# %% [markdown]
r"""
## The graph of `y = x + 2`

Now with numbers we choose ourselves. The simplest graph: one input tensor, one operation.
"""

# %% id=x-123
x = torch.tensor([1., 2., 3.], requires_grad=True)

# %% id=y-add-123 doc=003:54
# The printout will end with grad_fn=<AddBackward0>.
y = x + 2
print(y)

# %% [markdown]
r"""
First as a *computation graph*: the data and the operation are both nodes. The inputs `x` and `2`
go into the operation `+`, and out comes `y`. (`view="computation"` asks for this picture.)
"""

# %% display id=draw-y-123
gradviz.draw(y, view="computation")

# %% [markdown]
r"""
And as autograd stores it: only what the backward pass needs. The constant `2` has disappeared,
because nothing has to be differentiated with respect to it. What is left is `y`'s node,
`AddBackward0`, joined to the node of the leaf `x`.
"""

# %% display id=draw-y-123-autograd
gradviz.draw(y)

# %% id=z-mul-123 doc=003:55
# Two multiplications; the printout names the last one, MulBackward0.
z = y * y * 2
print(z)

# %% [markdown]
r"""
## `grad_fn` is an object you can hold

So far we saw `grad_fn` only inside a printout. It is an ordinary Python object. Let us build a
graph from a 2 × 2 tensor of ones and look at the node objects themselves.
"""

# %% id=ones-again
x = torch.ones(2, 2, requires_grad=True)

# %% id=ones-add doc=001:2
y = x+2
y

# %% id=ones-add-fn doc=001:3
y.grad_fn

# %% [markdown]
r"""
Every entry of `y` is 3, so each entry of $z = 3y^3$ is $3 \cdot 27 = 81$, and so is their mean.
"""

# %% id=ones-cube doc=001:4
z = y * y * y * 3
out = z.mean()
print(z, out)

# %% id=ones-cube-fn doc=001:5
z.grad_fn

# %% id=ones-mean-fn doc=001:6
out.grad_fn

# %% [markdown]
r"""
## Walking the graph by hand: `next_functions`

Each node knows the nodes that produced *its* inputs, in `.next_functions`: a tuple with one
entry per input, each entry a pair *(node, index)*. We build $z = (x + 1)^2 + 3$ on a column of
three random numbers.
"""

# %% id=col-x doc=002:7
torch.manual_seed(3)
shape = (3,1)
x = torch.randn(shape, requires_grad=True)
print(x)

# %% id=col-y doc=002:8
y = x+1
print(y)
print(y.requires_grad)
print(y.grad_fn)

# %% [markdown]
r"""
In the next cell, `z.grad_fn` is the addition of 3. Its `next_functions` has two entries: the
power node that made `y**2`, and `None` for the constant `3`, which has no history. One more step
back from the power node we reach the `AddBackward0` that made `y`.
"""

# %% id=col-z doc=002:9
z = y**2 + 3
print(z)
print(z.requires_grad)
print(z.grad_fn)
print(z.grad_fn.next_functions)
print(z.grad_fn.next_functions[0][0].next_functions)

# %% [markdown]
r"""
One step further still and we reach the leaf `x`. Its node is called `AccumulateGrad`: that is
where `backward()` will finally *store* a gradient, in `x.grad`.
"""

# %% id=col-leaf
print(y.grad_fn.next_functions)

# %% display id=draw-col-z
gradviz.draw(z)

# %% [markdown]
r"""
## The graph is built as the code runs

PyTorch does not compile your function first. The graph is simply the list of operations that
actually happened. That is why plain Python control flow works: below, a `while` loop doubles `y`
until it is large, and **how many** multiplications end up in the graph depends on the random
numbers in `x`.
"""

# %% id=loop-x doc=001:14
torch.manual_seed(4)
x = torch.randn(3, requires_grad = True)
x

# %% id=loop-y doc=001:15
y = x*2
y

# %% [markdown]
r"""
`y.data` is the same numbers without the autograd bookkeeping (no `grad_fn` in the printout).
`.norm()` is the length of the vector, $\sqrt{y_1^2 + y_2^2 + y_3^2}$. Using `.data` in the loop
condition keeps the test itself out of the graph.
"""

# %% id=loop-data doc=001:16
y.data

# %% id=loop-norm doc=001:17
# the Euclidean length (the "L2 norm") of y
y.data.norm()

# %% id=loop-while doc=001:18
while y.data.norm()<1000:
    y = y*2
y

# %% id=loop-fn doc=001:19
y.grad_fn

# %% [markdown]
r"""
Let us count the doublings by walking back through the graph until we leave the chain of
`MulBackward0` nodes (`.name()` gives a node's name as a string).
"""

# %% id=loop-count
count = 0
node = y.grad_fn
while node.name() == "MulBackward0":
    count += 1
    node = node.next_functions[0][0]
print(count, "multiplications, then", node.name())

# %% [markdown]
r"""
(`name()` gives the leaf node its full internal name, `torch::autograd::AccumulateGrad`; the
printed objects above call it just `AccumulateGrad`.) Each doubling multiplied `y` by 2, so after
9 of them $y = 2^9 x = 512\,x$. With another seed, the loop would run a different number of
times and the graph would have a different length.
"""

# %% display id=draw-loop
gradviz.draw(y)

# %% [markdown]
r"""
## Try it

Take `u = (x - 1) ** 2` with the `x` above. Predict the name of `u.grad_fn` and of the node one
step back (`u.grad_fn.next_functions[0][0]`). Write both names as strings, e.g.
`["AddBackward0", "MulBackward0"]`, then run the reveal cell.
"""

# %% id=try-guess
my_guess = None  # e.g. ["AddBackward0", "MulBackward0"]

# %% id=try-reveal
u = (x - 1) ** 2
answer = [u.grad_fn.name(), u.grad_fn.next_functions[0][0].name()]

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    print("your guess:", my_guess)
    print("autograd:  ", answer)
    print("All right!" if list(my_guess) == answer else "Not quite: compare the two lines.")
