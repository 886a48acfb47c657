# Lesson 8 source. Build with: python tools/build_lessons.py 08  (format: see that script)

# %% [markdown]
r"""
# Lesson 8 · A linear model, trained by hand

**In this lesson**
- a tiny model: two samples with three features each, one weight per feature;
- its prediction `x.matmul(w)`, and the mean squared error (MSE) loss;
- the gradient of the loss, checked against the formula;
- one step of gradient descent, done by hand inside `torch.no_grad()`.
"""

# %% id=import
import gradviz as torch
import gradviz

# %% [markdown]
r"""
## The data

`x` holds the samples, one per row: 2 samples, 3 features. `target` holds the number we would
like the model to predict for each sample. (`* 1.0` turns the whole numbers that `arange` makes
into floating-point numbers.)
"""

# %% id=data doc=002:15
sample_size = 2
number_features = 3

x = torch.arange(sample_size*number_features).reshape(sample_size, number_features) * 1.0
print(x)

target = torch.arange(2, sample_size+2).reshape(sample_size, 1) * 1.0
print(target)

# %% [markdown]
r"""
## The weights

One weight per feature, all starting at 1. They are the numbers we want to learn, so they ask
for gradients. Before any `backward()`, `w.grad` is `None`.
"""

# %% id=weights doc=002:16
w = torch.ones((3,1), requires_grad=True)
print(w)
print(w.grad)

# %% [markdown]
r"""
## Prediction and loss

The prediction for each sample is a weighted sum of its features: the matrix product $Xw$.
Row 1: $0 + 1 + 2 = 3$; row 2: $3 + 4 + 5 = 12$. The node is `MmBackward0` (matrix-matrix
multiply).
"""

# %% id=predict doc=002:17
output = x.matmul(w)
print(output)
print(output.grad_fn)

# %% [markdown]
r"""
The loss measures how far off we are, as the mean of the squared errors:

$$L = \frac{1}{N}\sum_{n=1}^{N} (\hat y_n - t_n)^2, \qquad \hat y = Xw .$$

Here the errors are $3 - 2 = 1$ and $12 - 3 = 9$, so $L = (1 + 81)/2 = 41$.
"""

# %% id=loss doc=002:18
loss = ((output - target)**2).mean()
print(loss)

# %% [markdown]
r"""
Drawn as a computation graph, this is a single *neuron* with a loss attached: the data `x` and
the weights `w` go into a matrix product, the target is subtracted, the errors are squared and
averaged. Grey boxes are plain data; the blue box is the only tensor that asks for gradients.
"""

# %% display id=draw-loss-computation
gradviz.draw(loss, view="computation")

# %% [markdown]
r"""
Autograd keeps only the part that leads back to `w`: `x` and `target` need no gradient, so they
do not appear in its graph at all.
"""

# %% display id=draw-loss
gradviz.draw(loss)

# %% display id=animate-loss
gradviz.animate(loss, names={"w": w})

# %% id=backward doc=002:19
loss.backward()

# %% [markdown]
r"""
## The gradient

By the chain rule,

$$\frac{\partial L}{\partial w} = \frac{2}{N}\, X^\top (Xw - t)
= \frac{2}{2}\begin{pmatrix}0 & 3\\ 1 & 4\\ 2 & 5\end{pmatrix}\begin{pmatrix}1\\ 9\end{pmatrix}
= \begin{pmatrix}27\\ 37\\ 47\end{pmatrix}.$$
"""

# %% id=grad doc=002:20
print(w.grad)

# %% id=grad-check
with torch.no_grad():
    print(2 / sample_size * x.t().matmul(output - target))

# %% [markdown]
r"""
## One step downhill

The gradient points in the direction in which the loss grows fastest, so we move the weights a
little the other way: $w \leftarrow w - \eta\, \partial L / \partial w$, with a small
*learning rate* $\eta$.

The update happens inside `torch.no_grad()` for two reasons: the update is not part of the
model, so it must not be recorded; and PyTorch refuses an in-place change (`add_`) to a leaf that
requires gradients while recording is on. `w.add_(g, alpha=-lr)` adds $-\eta \cdot g$ to `w` in
place.
"""

# %% id=update-def doc=002:21
def update_parameter(w, learning_rate=0.1):
    with torch.no_grad():
        w.add_(w.grad, alpha=-1*learning_rate)

# %% id=update doc=002:22
update_parameter(w, 0.01)

# %% [markdown]
r"""
$1 - 0.01 \cdot 27 = 0.73$, $1 - 0.01 \cdot 37 = 0.63$, $1 - 0.01 \cdot 47 = 0.53$:
"""

# %% id=updated doc=002:23
print(w)

# %% [markdown]
r"""
Did it help? The loss with the new weights, computed under `no_grad` (we only want to look).
`.item()` turns a one-number tensor into a plain Python number.
"""

# %% id=new-loss
with torch.no_grad():
    new_loss = ((x.matmul(w) - target)**2).mean()
print(f"loss before the step: {loss.item():.2f}, after: {new_loss.item():.2f}")

# %% [markdown]
r"""
Before a second step you would clear `w.grad` (lesson 7), recompute the loss and call
`backward()` again. Lesson 9 lets an optimizer do this bookkeeping.

## Try it

Suppose the targets were exactly what the model with all-ones weights predicts, $t = (3, 12)$.
Predict `w.grad` for those targets, then run the reveal cell.
"""

# %% id=try-guess
my_guess = None  # three numbers, e.g. [1.0, 2.0, 3.0]

# %% id=try-reveal
w2 = torch.ones((3, 1), requires_grad=True)
perfect = torch.tensor([[3.], [12.]])
loss2 = ((x.matmul(w2) - perfect)**2).mean()
loss2.backward()

if my_guess is None:
    print("Write your prediction in my_guess above, run that cell, then run this one again.")
else:
    guess = torch.tensor(my_guess, dtype=torch.float).reshape(3, 1)
    print("your guess:", guess.reshape(3))
    print("autograd:  ", w2.grad.reshape(3))
    print("All right!" if torch.allclose(guess, w2.grad) else "Not quite: compare the two lines.")
