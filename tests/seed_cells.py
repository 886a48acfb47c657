"""The code cells of the five tutorial documents, in order, as the tests run them.

Copied from the documents (cell numbers are theirs). Two adaptations only: the
tests import gradviz under the name torch, and each document starts with
torch.manual_seed(0) so its random numbers are reproducible.
"""

DOCS: dict[str, list[tuple[int, str]]] = {
    "000": [
        (1, "import torch"),
        (2, "x = torch.rand(3)\nx"),
        (3, "x = torch.rand(3, requires_grad=True)\nx"),
        (4, "y = x + 2\ny"),
        (5, "z = y*y*2\nz"),
        (6, "z = z.mean()\nz"),
        (7, "z.backward()"),
        (8, "x.grad"),
        (9, "x = torch.rand(3, requires_grad=True)\ny = x + 2\nz = y*y*2"),
        (10, "v = torch.tensor([.01, .4, .6])"),
        (11, "z.backward(v)"),
        (12, "x.grad"),
        (13, "# 1st method\nx = torch.rand(3, requires_grad=True)\nprint(x)\n\nx.requires_grad_(False)\nprint(x)"),
        (14, "# 2nd method\n\nx = torch.rand(3, requires_grad=True)\nprint(x)\n\n"
             "y = x.detach() # creates new variable with requres_grad=False\nprint(y)"),
        (15, "# 3rd way\n\nx = torch.rand(3, requires_grad=True)\nprint(x)\n\n"
             "with torch.no_grad():\n    y = x + 2\n    print(y)"),
        (16, "weights = torch.ones(3, requires_grad=True)\n\nfor epoch in range(3):\n"
             "    model_output = (weights + 3).sum()\n    model_output.backward()\n    print(weights.grad)"),
        (17, "weights = torch.ones(3, requires_grad=True)\n\nfor epoch in range(3):\n"
             "    model_output = (weights + 3).sum()\n    model_output.backward()\n    print(weights.grad)\n"
             "    weights.grad.zero_()"),
    ],
    "001": [
        (1, "import torch\nx = torch.ones(2, 2, requires_grad=True)\nx"),
        (2, "y = x+2\ny"),
        (3, "y.grad_fn"),
        (4, "z = y * y * y * 3\nout = z.mean()\nprint(z, out)"),
        (5, "z.grad_fn"),
        (6, "out.grad_fn"),
        (7, "a = torch.randn(3,3)\na = ((a/2)/(a*3))\na"),
        (8, "a.requires_grad"),
        (9, "a.requires_grad_(True)"),
        (10, "a.requires_grad"),
        (11, "b = (a*a).sum()\nb.grad_fn"),
        (12, '"""\nout in 4th block.\n"""\nout.backward() '),
        (13, '"""\nResult produced after differentiation of x using y = x+2 and z = y*y*y*3\n"""\nx.grad'),
        (14, "# Norm\nx = torch.randn(3, requires_grad = True)\nx"),
        (15, "y = x*2\ny"),
        (16, "y.data"),
        (17, "# Default is L2 Norm\ny.data.norm()"),
        (18, "while y.data.norm()<1000:\n    y = y*2\ny"),
        (19, "y.grad_fn"),
        (20, '"""\nIn here, y is a vector, not a scalar.\n"""\n\n'
             "gradients = torch.tensor([0.1,1.0,0.001], dtype=torch.float)\ny.backward(gradients)\nx.grad"),
        (21, "# To stop tracking history on Tensors\nx.requires_grad"),
        (22, "(x**2).requires_grad"),
        (23, "with torch.no_grad():\n    print((x/2).requires_grad)"),
    ],
    "002": [
        (1, "import torch"),
        (2, "a = torch.tensor([2.0, 3.0], requires_grad=True)\nprint(a)"),
        (3, "b = torch.tensor([6.0, 4.0], requires_grad=True)\nprint(b)"),
        (4, "Q = 3*a**3 - b**2\nprint(Q)"),
        (5, "external_grad = torch.tensor([1., 1.])\nQ.backward(gradient=external_grad)"),
        (6, "#Gradients are now deposited in a.grad and b.grad\n# check if collected gradients are correct\n"
            "print(a.grad)\nprint(b.grad)\n\nprint(9*a**2 == a.grad)\nprint(-2*b == b.grad)"),
        (7, "shape = (3,1)\nx = torch.randn(shape, requires_grad=True)\nprint(x)"),
        (8, "y = x+1\nprint(y)\nprint(y.requires_grad)\nprint(y.grad_fn)"),
        (9, "z = y**2 + 3\nprint(z)\nprint(z.requires_grad)\nprint(z.grad_fn)\nprint(z.grad_fn.next_functions)\n"
            "print(z.grad_fn.next_functions[0][0].next_functions)"),
        (10, 'x = torch.rand(5, 5)\ny = torch.rand(5, 5)\nz = torch.rand((5, 5), requires_grad=True)\n\na = x + y\n'
             'print(f"Does `a` require gradients? : {a.requires_grad}")\nb = x + z\n'
             'print(f"Does `b` require gradients?: {b.requires_grad}")'),
        (11, "# Disabling Gradient Tracking\n# ---------------------------"),
        (12, "with torch.no_grad():\n    c = x + z\nprint(c.requires_grad)"),
        (13, "# Another way to achieve the same result is to use the ``detach()`` method on the tensor:"),
        (14, "d = x + z\nd_detached = d.detach()\nprint(d_detached.requires_grad)"),
        (15, "sample_size = 2\nnumber_features = 3\n\n"
             "x = torch.arange(sample_size*number_features).reshape(sample_size, number_features) * 1.0\nprint(x)\n\n"
             "target = torch.arange(2, sample_size+2).reshape(sample_size, 1) * 1.0\nprint(target)"),
        (16, "w = torch.ones((3,1), requires_grad=True)\nprint(w)\nprint(w.grad)"),
        (17, "output = x.matmul(w)\nprint(output)\nprint(output.grad_fn)"),
        (18, "loss = ((output - target)**2).mean()\nprint(loss)"),
        (19, "loss.backward()"),
        (20, "print(w.grad)"),
        (21, "def update_parameter(w, learning_rate=0.1):\n    with torch.no_grad():\n"
             "        w.add_(w.grad, alpha=-1*learning_rate)"),
        (22, "update_parameter(w, 0.01)"),
        (23, "print(w)"),
        (24, "# In many cases, we have a scalar loss function"),
        (25, "a = torch.tensor([2.0, 3.0], requires_grad=True)\nb = torch.tensor([6.0, 4.0], requires_grad=True)\n"
             "Q = 3*a**3 - b**2\nprint(Q)"),
        (26, "external_grad = torch.tensor([1., 1.])\nQ.backward(gradient=external_grad)\nprint(a.grad)"),
        (27, "a.grad.zero_()"),
        (29, "#Q.sum().backward(retain_graph=True)\n#print(a.grad)"),
    ],
    "003": [
        (52, "import torch"),
        (53, "x = torch.tensor([1., 2., 3.], requires_grad=True)\nprint(x)"),
        (54, "# grad_fn=<AddBackward0>\ny = x + 2 \nprint(y)"),
        (55, "# grad_fn=<MulBackward0>\nz = y * y * 2\nprint(z)"),
        (56, "# grad_fn=<MeanBackward0>\nz = z.mean()\nprint(z)"),
        (57, "z.backward() # dz / dx\nprint(x.grad)"),
        (59, "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x + 2 \nz = y * y * 2"),
        (60, "v = torch.tensor([1., 1.5, 1.5], dtype=torch.float32)\nz.backward(v)\nprint(x.grad)"),
        (62, "x = torch.randn(3, requires_grad=True)\nprint(x)\nx.requires_grad_(False)\nprint(x)"),
        (70, "x = torch.randn(3, requires_grad=True)\nprint(x)\ny = x.detach()\nprint(y)"),
        (71, "x = torch.randn(3, requires_grad=True)\nprint(x)\ny = x + 2\nprint(y)"),
        (68, "x = torch.randn(3, requires_grad=True)\nprint(x)\nwith torch.no_grad():\n    y = x + 2\n    print(y)"),
        (100, "weights = torch.ones(4, requires_grad=True)\n\nfor epoch in range(3):\n"
              "    model_output = (weights * 3).sum()\n    # print(model_output)\n    model_output.backward()\n"
              "    \n    print(weights.grad)\n    weights.grad.zero_()"),
        (107, "weights = torch.ones(4, requires_grad=True)\n\n# 初始化optimizer\n"
              "optimizer = torch.optim.SGD([weights], lr=0.01)\n# optimizer运行一步\noptimizer.step()\n"
              "# 清空梯度，以免下次`loss.backward()`时，梯度叠加\noptimizer.zero_grad()"),
    ],
    "004": [
        (68, "import torch\n\nx = torch.randn(3, requires_grad=True)\nprint(x)  "),
        (69, "y = x + 2\nprint(y)"),
        (70, "# Similarly,\n\nz = y*y*2\nprint(z)"),
        (71, "z = z.mean()\nprint(z)"),
        (72, "# Now, let's backpropagate\nz.backward() # dz/dx\nprint(x)\nprint(x.grad)"),
        (73, "# Suppose we didnt specify requires_grad=True, then\nx = torch.randn(3, requires_grad=False)\n"
             "y = x + 2\nz = y*y*2\nz = z.mean()\nz.backward() # dz/dx\nprint(x.grad)"),
        (75, "x = torch.randn(3, requires_grad=True)\ny = x + 2\nz = y*y*2\nprint(z)\n"
             "v = torch.tensor([0.1, 1.0, 0.001], dtype=torch.float32)\nz.backward() # dz/dx"),
        (76, "v = torch.tensor([0.1, 1.0, 0.001], dtype=torch.float32)\nz.backward(v) # dz/dx\nprint(x.grad)"),
        (77, "# We might be updating the weights of the model in the training phase"),
        (78, "# Method 1\nx = torch.randn(3, requires_grad=True)\nprint(x.requires_grad)\ny = x.detach()\n"
             "print(y.requires_grad)"),
        (79, "# Method 2\nx = torch.randn(3, requires_grad=True)  \nprint(x.requires_grad)\n\n"
             "x.requires_grad_(False)\nprint(x.requires_grad)"),
        (80, "# Method 3\nx = torch.randn(3, requires_grad=True)\nprint(x.requires_grad)\nwith torch.no_grad():\n"
             "    y = x + 2\n    print(y.requires_grad) "),
        (81, "import torch\n\nweights = torch.ones(4, requires_grad=True)\n\nfor epoch in range(1):\n"
             "    model_output = (weights*3).sum()\n    model_output.backward()\n    print(weights.grad)"),
        (82, "import torch\n\nweights = torch.ones(4, requires_grad=True)\n\nfor epoch in range(2):\n"
             "    model_output = (weights*3).sum()\n    model_output.backward()\n    print(weights.grad)\n    "),
        (83, "import torch\n\nweights = torch.ones(4, requires_grad=True)\n\nfor epoch in range(3):\n"
             "    model_output = (weights*3).sum()\n    model_output.backward()\n    print(weights.grad)"),
        (84, "import torch\n\nweights = torch.ones(4, requires_grad=True)\n\nfor epoch in range(3):\n"
             "    model_output = (weights*3).sum()\n    model_output.backward()\n    print(weights.grad)\n"
             "    weights.grad.zero_()"),
    ],
}
