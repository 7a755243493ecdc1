"""The lecture tour, ``python -m demos``: backpropagation told in six chapters with pictures.

1. ``fehler``: the lecture's table of errors (3 and 2); 2. ``loss_funktion``: the sum of errors
as a function of the weights; 3. ``fehlerberg``: the loss surface; 4. ``gradientenabstieg``:
gradient descent into the valley; 5. ``backprop_neuron``: backpropagation by hand and by the
engine; 6. ``training``: an MLP trained over epochs on two moons. Each runs alone too:
``python -m demos.fehlerberg --out DIR``.
"""

__all__: list[str] = []
