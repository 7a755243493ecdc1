"""The tour in English: every text it prints or draws, by key (the default language)."""

__all__ = ["TEXTS"]

TEXTS: dict[str, str] = {
    # -- the tour as a whole (demos/__main__.py, demos/common.py)
    "tour.intro": "Backpropagation / Fehlerrückführung: a tour in {chapters} chapters, with pictures.",
    "tour.out": "Pictures go to {out}/",
    "tour.quick": " (quick mode: fewer points and steps)",
    "picture": "  picture: {path}",
    "worksheet": "  worksheet (print it from a browser): {path}",
    "tour.summary": "Summary ({seconds:.0f} s, {pictures} pictures in {out}/: {figures} figures"
    " and {frames} frames of the backward pass)",
    "tour.summary_1": "  1. Fehler: total error of model A = {a:g}, of model B = {b:g}"
    " (the lecture: 3 and 2)",
    "tour.summary_2": "  2. Loss-Funktion: loss at w1 = 0 is {at_0:g}, at the best weights {best:g}",
    "tour.summary_3": "  3. Fehlerberg: lowest loss on the grid = {lowest:g}",
    "tour.summary_4": "  4. Gradientenabstieg: loss after {steps} steps: too small rate"
    " {small:.3g}, good {good:.1e}, too large {large:.3g}",
    "tour.summary_5": "  5. Backpropagation: by hand vs backward(), largest difference = {diff:.1e}",
    "tour.summary_6": "  6. Training: training accuracy {percent:.0f}% after {epochs:g} epochs",
    # -- chapter 1, Fehler
    "ch1.heading": "1. Fehler (error): how far is each prediction from its label?",
    "ch1.ingredients": "  The lecture's ingredients (Zutaten) of an error:\n"
    "    1. Beobachtung → Label: the observation gives the label\n"
    "    2. Vorhersage ← Merkmale: the model's prediction comes from the features\n"
    "    3. Fehlergröße → |Beobachtung − Vorhersage|: the error size",
    "ch1.model": "model {model}",
    "ch1.model_rows": "  {model}\n    prediction  {predictions}\n    label       {labels}\n"
    "    error       {errors}\n    total error (Fehler) = {total:g}",
    "ch1.verdict": "  Model A misses {a_wrong} of the {count} labels (by {a_sizes}), model B misses {b_wrong} (by {b_sizes}).\n"
    "  Summing |label - prediction| gives one number per model, {a:g} and {b:g}, and ranks\n"
    "  model {best} first: one number per model is what a loss function is.",
    "ch1.legend_label": "label (Beobachtung → Label)",
    "ch1.legend_prediction": "prediction (Vorhersage ← Merkmale)",
    "ch1.panel_title": "model {model}: total error (Fehler) = {total:g}",
    "ch1.row_prediction": "prediction",
    "ch1.row_label": "label",
    "ch1.row_error": "error",
    "ch1.column": "obs. {i}",
    "ch1.y_axis": "class label",
    "ch1.title": "Fehler: error size = |label - prediction|, summed over all observations",
    # -- chapter 2, Loss-Funktion
    "ch2.worksheet": "Worksheet: the sum of errors of one neuron, on three observations",
    "ch2.heading": "2. Loss-Funktion (loss function): the sum of all errors depends on the weights",
    "ch2.data": "  Datensatz (data set): features (x1, x2) -> label",
    "ch2.observation": "    observation {i}: ({x1}, {x2}) -> {y}",
    "ch2.network": "  Neuronales Netz: one neuron, prediction = w1 * x1 + w2 * x2, w2 held at {w2}\n"
    "  Gewichte einstellen -> feed forward -> Bewertung (judge), for a few settings of w1:",
    "ch2.tried": "    w1 = {w:3.1f}: errors {errors} sum = {loss:4.1f}   dL/dw1 = {slope:+g}",
    "ch2.verdict": "  The sum is smallest, {lowest:g}, at w1 = {best:g}: there the neuron predicts every label.\n"
    "  Left of it the loss falls as w1 grows (dL/dw1 < 0), right of it the loss rises.\n"
    "  (At the kink itself backward() says 0: PyTorch's convention for d|e|/de at e = 0.)",
    "ch2.legend_loss": "loss L(w1) = sum of all errors",
    "ch2.legend_slope_negative": "slope dL/dw1 < 0 (from backward())",
    "ch2.legend_slope_positive": "slope dL/dw1 > 0 (from backward())",
    "ch2.x_axis": "weight w1 (Gewicht)   [w2 held at {w2}]",
    "ch2.y_axis": "loss: sum of |label - prediction|",
    "ch2.left_title": "Turning one weight changes the loss",
    "ch2.legend_error": "error of obs. {i}",
    "ch2.legend_error_zero": "error of obs. {i} (always 0 here)",
    "ch2.right_y_axis": "loss = sum of the {count} errors",
    "ch2.right_title": "Each bar: the {count} errors stacked (Summe aller Fehler)",
    "ch2.title": "Loss-Funktion: one neuron, prediction = w1·x1 + w2·x2, judged on {count} observations",
    # -- chapter 3, Fehlerberg
    "ch3.heading": "3. Fehlerberg (error mountain): the loss over the plane of two weights",
    "ch3.grid": "  We fed forward {settings} settings of (w1, w2) per loss: the weights span the\n"
    "  plane, the loss gives the height (die Werte der Loss-Funktion ergeben die Höhe).",
    "ch3.range": "    {name} from {low:6.2f} up to {high:6.2f}",
    "ch3.verdict": "  Both valleys bottom out at (w1, w2) = ({w1:g}, {w2:g}), loss {lowest:g}: the weights of chapter 2.\n"
    "  The sum of errors is a faceted mountain with sharp creases (|e| has a kink at e = 0,\n"
    "  and its slope is always +-1, near the valley or far from it). Squaring the errors\n"
    "  rounds the valley floor: the slope shrinks as we near the bottom, which is why\n"
    "  chapter 4 descends the squared-error mountain.",
    "ch3.errors": "sum of errors",
    "ch3.squares": "sum of squared errors",
    "ch3.valley_3d": "valley (Tal), loss 0",
    "ch3.valley_legend": "valley (Tal): w = {best}, loss 0",
    "ch3.w1": "weight w1",
    "ch3.w2": "weight w2",
    "ch3.height": "loss (height)",
    "ch3.colour_bar": "loss (height of the mountain)",
    "ch3.title_3d": "Fehlerberg: the weights span the plane, the loss gives the height"
    " (y = label, p = prediction = w1·x1 + w2·x2)",
    "ch3.title_maps": "The same mountains seen from above: each contour line joins weights of"
    " equal loss\n(y = label, p = prediction = w1·x1 + w2·x2)",
    # -- chapter 4, Gradientenabstieg
    "ch4.heading": "4. Gradientenabstieg (gradient descent): der schnellste Weg ins Tal",
    "ch4.gradient": "  At (w1, w2) = {start} the loss is {loss:g}; backward()\n"
    "  gives the gradient (dL/dw1, dL/dw2) = ({g1:g}, {g2:g}). It points uphill, the\n"
    "  steepest ascent (steilster Aufstieg); minus the gradient is the steepest descent.",
    "ch4.descent": "  Gradient descent: w <- w - learning_rate * gradient, {steps} steps per path.",
    "ch4.hiker": "    from {start} -> ({w1:.4f}, {w2:.4f}), loss {first:6.2f} -> {last:.2e}",
    "ch4.rates": "  The learning rate decides the step length:",
    "ch4.rate": "    {name} ({rate}): loss {first:g} -> {last:.3g}",
    "ch4.verdict": "  Too small: every step is safe but the valley is still far after {steps} steps.\n"
    "  Too large: each step jumps across the valley and lands higher up: the loss grows.",
    "ch4.too_small": "too small",
    "ch4.good": "good",
    "ch4.too_large": "too large",
    "ch4.valley": "valley (Tal)",
    "ch4.arrows": "gradient direction (uphill)",
    "ch4.arrows_title": "The gradient points uphill, across the contour lines",
    "ch4.start": "start ({w1:g}, {w2:g})",
    "ch4.hikers_title": "{steps} steps against the gradient, learning rate {rate}",
    "ch4.title_arrows": "Gradientenabstieg: der schnellste Weg ins Tal (squared-error mountain)",
    "ch4.start_marker": "start",
    "ch4.rate_title": "{name}: rate {rate}\nloss {first:.3g} -> {last:.3g} after {steps} steps",
    "ch4.step_axis": "gradient descent step",
    "ch4.loss_axis": "loss (log scale)",
    "ch4.curves_title": "Loss after each step",
    "ch4.learning_rate": "learning rate",
    "ch4.title_rates": "The learning rate sets the step length (all {count} start at {start})",
    # -- chapter 5, Backpropagation
    "ch5.heading": "5. Backpropagation (Fehlerrückführung) through a neuron: by hand and by the"
    " engine",
    "ch5.worksheet": "Worksheet: the lecture's neuron, o = tanh(x1*w1 + x2*w2 + b)",
    "ch5.forward": "  Forward: x = {x} -> h_j = tanh(u_j * x + c_j) -> o = w1*h1 + w2*h2 + b = {o:.6f};\n"
    "  label y = {y}, loss L = (o - y)^2 = {loss:.6f}",
    "ch5.engine": "  The engine's backward pass (autograd.backward_steps), one step per op, {ops} in"
    " all;\n  the {leaves} leaves ({names}) only receive their gradient:",
    "ch5.by_hand": "  The same by hand, as in the lecture:",
    "ch5.step1": "  Step 1, the output: dL/do = loss_grad(o, y) = 2 * (o - y)\n"
    "    = 2 * ({o:.6f} - {y:g}) = {do:.6f}",
    "ch5.step2": "  Step 2, the output neuron's weights and bias: dL/dw_j = h_j * dL/do, dL/db = dL/do",
    "ch5.step2_weight": "    dL/dw{j} = h{j} * dL/do = {h:.6f} * {do:.6f} = {dw:.6f}",
    "ch5.step2_bias": "    dL/db  = dL/do = {db:.6f}",
    "ch5.step3": "  Step 3, the previous layer: dL/dh_j = w_j * dL/do, through tanh: dL/dz_j =\n"
    "  (1 - h_j^2) * dL/dh_j, then again input times gradient: dL/du_j = x * dL/dz_j,\n"
    "  dL/dc_j = dL/dz_j",
    "ch5.step3_neuron": "    neuron {j}: dL/dh{j} = {dh:.6f}, dL/dz{j} = {dz:.6f}, dL/du{j} = {du:.6f},"
    " dL/dc{j} = {dc:.6f}",
    "ch5.gradient": "gradient",
    "ch5.hand": "by hand",
    "ch5.difference": "difference",
    "ch5.abs_difference": "|difference|",
    "ch5.largest": "  Largest difference: {diff:.1e}: the same chain rule; the engine's tanh and its slope are\n  "
    "correctly rounded, math.tanh and 1 - h**2 by hand can be off in the last bit.",
    "ch5.no_dot": "  (no graph pictures: {error})\n  DOT text: {source}",
    "ch5.frames": "  {frames} frames of the backward pass in {dir}/\n"
    "  (open backward.html there to step through them)",
    "ch5.legend_hand": "by hand (the lecture's formulas)",
    "ch5.legend_engine": "backward() (the engine)",
    "ch5.legend_negative": "negative gradient",
    "ch5.legend_positive": "positive gradient",
    "ch5.band1": "step 1: output",
    "ch5.band2": "step 2: output neuron",
    "ch5.band3": "step 3: previous layer",
    "ch5.x_axis": "gradient value",
    "ch5.bars_title": "Output first, then the output neuron, then the previous layer",
    "ch5.table_title": "Largest difference: {diff:.1e} (we require at most 1e-12)",
    "ch5.title": "Backpropagation: the lecture's manual derivation next to the engine's gradients",
    # -- chapter 6, Training
    "ch6.heading": "6. Training over many epochs (Epochen): an MLP separates two moons",
    "ch6.setup": "  Data: {points} points in two classes (-1 and +1). Network: nn.MLP({nin}, {nouts}),\n"
    "  activation {activation} in the hidden layers, {output} at the output; {weights} weights and\n"
    "  biases. Each epoch: forward over all points,\n"
    "  hinge loss + {l2} * sum(w^2), zero_grad, backward(), one SGD step.",
    "ch6.result": "  Loss {first_loss:.4f} -> {last_loss:.4f}; training accuracy"
    " {first_percent:.0f}% -> {percent:.0f}%.",
    "ch6.first_full": "  Every training point is on the right side from epoch {epoch} on.",
    "ch6.colour_bar": "model score (sign = predicted class)",
    "ch6.class": "class {cls:+d}",
    "ch6.boundary": "decision boundary (score 0)",
    "ch6.x1": "feature x1",
    "ch6.x2": "feature x2",
    "ch6.boundary_title": "Two moons: training accuracy {percent:.0f}% on {points} points",
    "ch6.epoch": "epoch",
    "ch6.loss_axis": "loss (hinge + L2), log scale",
    "ch6.loss_title": "The loss falls over the epochs (with bumps: big steps)",
    "ch6.accuracy_axis": "training accuracy (%)",
    "ch6.accuracy_title": "Share of points on the right side of the boundary",
    "ch6.title": "Training over epochs: gradient descent on all weights at once",
}
