"""Die Tour auf Deutsch: jeder Text, den sie ausgibt oder zeichnet, nach Schlüssel (``--lang de``)."""

__all__ = ["TEXTS"]

TEXTS: dict[str, str] = {
    # -- die Tour als Ganzes (demos/__main__.py, demos/common.py)
    "tour.intro": "Backpropagation / Fehlerrückführung: eine Tour in {chapters} Kapiteln, mit Bildern.",
    "tour.out": "Die Bilder kommen nach {out}/",
    "tour.quick": " (Schnellmodus: weniger Punkte und Schritte)",
    "picture": "  Bild: {path}",
    "worksheet": "  Arbeitsblatt (im Browser drucken): {path}",
    "tour.summary": "Zusammenfassung ({seconds:.0f} s, {pictures} Bilder in {out}/: {figures}"
    " Abbildungen und {frames} Einzelbilder der Rückwärtsrechnung)",
    "tour.summary_1": "  1. Fehler: Gesamtfehler von Modell A = {a:g}, von Modell B = {b:g}"
    " (in der Vorlesung: 3 und 2)",
    "tour.summary_2": "  2. Loss-Funktion: Loss bei w1 = 0 ist {at_0:g}, bei den besten Gewichten"
    " {best:g}",
    "tour.summary_3": "  3. „Fehlerberg“: kleinster Loss auf dem Gitter = {lowest:g}",
    "tour.summary_4": "  4. Gradientenabstieg: Loss nach {steps} Schritten: zu kleine Lernrate"
    " {small:.3g}, gute {good:.1e}, zu große {large:.3g}",
    "tour.summary_5": "  5. Backpropagation: von Hand gegen backward(), größte Abweichung = {diff:.1e}",
    "tour.summary_6": "  6. Training: Trainingsgenauigkeit {percent:.0f} % nach {epochs:g} Epochen",
    # -- Kapitel 1, Fehler
    "ch1.heading": "1. Fehler: Wie weit liegt jede Vorhersage von ihrem Label entfernt?",
    "ch1.ingredients": "  Zutaten eines Fehlers, wie in der Vorlesung:\n"
    "    1. Beobachtung → Label\n"
    "    2. Vorhersage ← Merkmale\n"
    "    3. Fehlergröße → |Beobachtung − Vorhersage|",
    "ch1.model": "Modell {model}",
    "ch1.model_rows": "  {model}\n    Vorhersage  {predictions}\n    Label       {labels}\n"
    "    Fehlergröße {errors}\n    Gesamtfehler (Fehler) = {total:g}",
    "ch1.verdict": "  Modell A verfehlt {a_wrong} der {count} Labels (um {a_sizes}), Modell B verfehlt {b_wrong} (um {b_sizes}).\n"
    "  Die Summe aus allen Fehlern |Label − Vorhersage| ergibt eine Zahl pro Modell, {a:g} und\n"
    "  {b:g}, und setzt Modell {best} nach vorn: Genau das ist eine Loss-Funktion.",
    "ch1.legend_label": "Beobachtung → Label",
    "ch1.legend_prediction": "Vorhersage ← Merkmale",
    "ch1.panel_title": "Modell {model}: Gesamtfehler (Fehler) = {total:g}",
    "ch1.row_prediction": "Vorhersage",
    "ch1.row_label": "Label",
    "ch1.row_error": "Fehlergröße",
    "ch1.column": "Beob. {i}",
    "ch1.y_axis": "Klassenlabel",
    "ch1.title": "Fehler: Fehlergröße = |Beobachtung − Vorhersage|, summiert über alle Beobachtungen",
    # -- Kapitel 2, Loss-Funktion
    "ch2.worksheet": "Arbeitsblatt: die Summe der Fehler eines Neurons, an drei Beobachtungen",
    "ch2.heading": "2. Loss-Funktion: Die Summe aller Fehler hängt von den Gewichten ab",
    "ch2.data": "  Datensatz: Merkmale (x1, x2) -> Label",
    "ch2.observation": "    Beobachtung {i}: ({x1}, {x2}) -> {y}",
    "ch2.network": "  Neuronales Netz: ein Neuron, Vorhersage = w1 * x1 + w2 * x2, w2 fest bei {w2}\n"
    "  Gewichte einstellen -> Feed forward -> Bewertung, für einige Werte von w1:",
    "ch2.tried": "    w1 = {w:3.1f}: Fehler {errors}  Summe = {loss:4.1f}   dL/dw1 = {slope:+g}",
    "ch2.verdict": "  Die Summe ist am kleinsten, {lowest:g}, bei w1 = {best:g}: Dort sagt das Neuron jedes Label"
    " richtig vorher.\n"
    "  Links davon fällt der Loss, wenn w1 wächst (dL/dw1 < 0), rechts davon steigt er.\n"
    "  (Am Knick selbst liefert backward() 0: die Konvention von PyTorch für d|e|/de bei"
    " e = 0.)",
    "ch2.legend_loss": "Loss L(w1) = Summe aller Fehler",
    "ch2.legend_slope_negative": "Steigung dL/dw1 < 0 (aus backward())",
    "ch2.legend_slope_positive": "Steigung dL/dw1 > 0 (aus backward())",
    "ch2.x_axis": "Gewicht w1   [w2 fest bei {w2}]",
    "ch2.y_axis": "Loss: Summe von |Label − Vorhersage|",
    "ch2.left_title": "Dreht man an einem Gewicht, ändert sich der Loss",
    "ch2.legend_error": "Fehler von Beob. {i}",
    "ch2.legend_error_zero": "Fehler von Beob. {i} (hier immer 0)",
    "ch2.right_y_axis": "Loss = Summe der {count} Fehler",
    "ch2.right_title": "Jeder Balken: die {count} Fehler übereinander",
    "ch2.title": "Loss-Funktion: ein Neuron, Vorhersage = w1·x1 + w2·x2, bewertet an {count}"
    " Beobachtungen",
    # -- Kapitel 3, „Fehlerberg“
    "ch3.heading": "3. „Fehlerberg“: der Loss über der Fläche aus zwei Gewichten",
    "ch3.grid": "  Wir haben {settings} Einstellungen von (w1, w2) pro Loss durchgerechnet: Die Werte der\n"
    "  Gewichte bilden eine Fläche, die Werte der Loss-Funktion ergeben die Höhe.",
    "ch3.range": "    {name} von {low:6.2f} bis {high:6.2f}",
    "ch3.verdict": "  Beide Täler reichen hinab bis (w1, w2) = ({w1:g}, {w2:g}), Loss {lowest:g}: die Gewichte aus Kapitel 2.\n"
    "  Die Summe der Fehler ist ein kantiger Berg mit scharfen Graten (|e| hat bei e = 0\n"
    "  einen Knick, und seine Steigung ist immer ±1, nah am Tal wie weit weg). Quadrierte\n"
    "  Fehler runden den Talboden: Die Steigung wird kleiner, je näher wir dem Grund kommen.\n"
    "  Darum steigt Kapitel 4 den Berg der quadrierten Fehler hinab.",
    "ch3.errors": "Summe der Fehler",
    "ch3.squares": "Summe der quadrierten Fehler",
    "ch3.valley_3d": "Tal, Loss 0",
    "ch3.valley_legend": "Tal: w = {best}, Loss 0",
    "ch3.w1": "Gewicht w1",
    "ch3.w2": "Gewicht w2",
    "ch3.height": "Loss (Höhe)",
    "ch3.colour_bar": "Loss (Höhe des Berges)",
    "ch3.title_3d": "„Fehlerberg“: Die Gewichte bilden die Fläche, der Loss ergibt die Höhe"
    " (y = Label, p = Vorhersage = w1·x1 + w2·x2)",
    "ch3.title_maps": "Dieselben Berge von oben: Jede Höhenlinie verbindet Gewichte mit gleichem"
    " Loss\n(y = Label, p = Vorhersage = w1·x1 + w2·x2)",
    # -- Kapitel 4, Gradientenabstieg
    "ch4.heading": "4. Gradientenabstieg: „Der schnellste Weg ins Tal“",
    "ch4.gradient": "  Bei (w1, w2) = {start} ist der Loss {loss:g}; backward()\n"
    "  liefert den Gradienten (dL/dw1, dL/dw2) = ({g1:g}, {g2:g}). Er zeigt bergauf, in die\n"
    "  Richtung des steilsten Aufstiegs; der negative Gradient zeigt den steilsten Abstieg.",
    "ch4.descent": "  Gradientenabstieg: w <- w - Lernrate * Gradient, {steps} Schritte pro Weg.",
    "ch4.hiker": "    von {start} -> ({w1:.4f}, {w2:.4f}), Loss {first:6.2f} -> {last:.2e}",
    "ch4.rates": "  Die Lernrate bestimmt die Schrittlänge:",
    "ch4.rate": "    {name} ({rate}): Loss {first:g} -> {last:.3g}",
    "ch4.verdict": "  Zu klein: Jeder Schritt ist sicher, aber nach {steps} Schritten ist das Tal noch"
    " weit.\n"
    "  Zu groß: Jeder Schritt springt über das Tal und landet weiter oben: Der Loss wächst.",
    "ch4.too_small": "zu klein",
    "ch4.good": "gut",
    "ch4.too_large": "zu groß",
    "ch4.valley": "Tal",
    "ch4.arrows": "Richtung des Gradienten (bergauf)",
    "ch4.arrows_title": "Der Gradient zeigt bergauf, quer zu den Höhenlinien",
    "ch4.start": "Start ({w1:g}, {w2:g})",
    "ch4.hikers_title": "{steps} Schritte gegen den Gradienten, Lernrate {rate}",
    "ch4.title_arrows": "Gradientenabstieg: „Der schnellste Weg ins Tal“ (Berg der quadrierten"
    " Fehler)",
    "ch4.start_marker": "Start",
    "ch4.rate_title": "{name}: Lernrate {rate}\nLoss {first:.3g} -> {last:.3g} nach {steps}"
    " Schritten",
    "ch4.step_axis": "Schritt des Gradientenabstiegs",
    "ch4.loss_axis": "Loss (logarithmische Skala)",
    "ch4.curves_title": "Loss nach jedem Schritt",
    "ch4.learning_rate": "Lernrate",
    "ch4.title_rates": "Die Lernrate bestimmt die Schrittlänge (alle {count} starten bei {start})",
    # -- Kapitel 5, Backpropagation
    "ch5.heading": "5. Backpropagation (Fehlerrückführung) durch ein Neuron: von Hand und mit"
    " backward()",
    "ch5.worksheet": "Arbeitsblatt: das Neuron der Vorlesung, o = tanh(x1*w1 + x2*w2 + b)",
    "ch5.forward": "  Vorwärts: x = {x} -> h_j = tanh(u_j * x + c_j) -> o = w1*h1 + w2*h2 + b ="
    " {o:.6f};\n  Label y = {y}, Loss L = (o - y)^2 = {loss:.6f}",
    "ch5.engine": "  Die Rückwärtsrechnung der Engine (autograd.backward_steps), ein Schritt pro"
    " Operation,\n  {ops} insgesamt; die {leaves} Blätter ({names}) erhalten nur ihren Gradienten:",
    "ch5.by_hand": "  Dasselbe von Hand, wie in der Vorlesung:",
    "ch5.step1": "  Schritt 1, der Output: dL/do = loss_grad(o, y) = 2 * (o - y)\n"
    "    = 2 * ({o:.6f} - {y:g}) = {do:.6f}",
    "ch5.step2": "  Schritt 2, Gewichte und Bias des Output-Neurons: dL/dw_j = h_j * dL/do,"
    " dL/db = dL/do",
    "ch5.step2_weight": "    dL/dw{j} = h{j} * dL/do = {h:.6f} * {do:.6f} = {dw:.6f}",
    "ch5.step2_bias": "    dL/db  = dL/do = {db:.6f}",
    "ch5.step3": "  Schritt 3, die vorige Schicht: dL/dh_j = w_j * dL/do, durch tanh: dL/dz_j =\n"
    "  (1 - h_j^2) * dL/dh_j, dann wieder Eingabe mal Gradient: dL/du_j = x * dL/dz_j,\n"
    "  dL/dc_j = dL/dz_j (Kettenregel)",
    "ch5.step3_neuron": "    Neuron {j}: dL/dh{j} = {dh:.6f}, dL/dz{j} = {dz:.6f}, dL/du{j} = {du:.6f},"
    " dL/dc{j} = {dc:.6f}",
    "ch5.gradient": "Gradient",
    "ch5.hand": "von Hand",
    "ch5.difference": "Abweichung",
    "ch5.abs_difference": "|Abweichung|",
    "ch5.largest": "  Größte Abweichung: {diff:.1e}: dieselbe Kettenregel; tanh und seine Steigung rechnet die\n  "
    "Engine korrekt gerundet, math.tanh und 1 - h**2 von Hand weichen im letzten Bit ab.",
    "ch5.no_dot": "  (keine Graphbilder: {error})\n  DOT-Text: {source}",
    "ch5.frames": "  {frames} Einzelbilder der Rückwärtsrechnung in {dir}/\n"
    "  (zum Durchblättern dort backward.html öffnen)",
    "ch5.legend_hand": "von Hand (Formeln der Vorlesung)",
    "ch5.legend_engine": "backward() (die Engine)",
    "ch5.legend_negative": "negativer Gradient",
    "ch5.legend_positive": "positiver Gradient",
    "ch5.band1": "Schritt 1: Output",
    "ch5.band2": "Schritt 2: Output-Neuron",
    "ch5.band3": "Schritt 3: vorige Schicht",
    "ch5.x_axis": "Wert des Gradienten",
    "ch5.bars_title": "Erst der Output, dann das Output-Neuron, dann die vorige Schicht",
    "ch5.table_title": "Größte Abweichung: {diff:.1e} (erlaubt: höchstens 1e-12)",
    "ch5.title": "Backpropagation: die Herleitung von Hand aus der Vorlesung neben den Gradienten"
    " der Engine",
    # -- Kapitel 6, Training
    "ch6.heading": "6. Training über viele Epochen: Ein MLP trennt zwei Monde",
    "ch6.setup": "  Daten: {points} Punkte in zwei Klassen (-1 und +1). Netz: nn.MLP({nin}, {nouts}),\n"
    "  Aktivierung {activation} in den verborgenen Schichten, {output} am Output; {weights} Gewichte\n"
    "  und Biases. Jede Epoche: Feed forward über alle Punkte,\n"
    "  Hinge-Loss + {l2} * Summe(w^2), zero_grad, backward(), ein SGD-Schritt.",
    "ch6.result": "  Loss {first_loss:.4f} -> {last_loss:.4f}; Trainingsgenauigkeit"
    " {first_percent:.0f} % -> {percent:.0f} %.",
    "ch6.first_full": "  Ab Epoche {epoch} liegt jeder Trainingspunkt auf der richtigen Seite.",
    "ch6.colour_bar": "Ausgabe des Modells (Vorzeichen = vorhergesagte Klasse)",
    "ch6.class": "Klasse {cls:+d}",
    "ch6.boundary": "Entscheidungsgrenze (Ausgabe 0)",
    "ch6.x1": "Merkmal x1",
    "ch6.x2": "Merkmal x2",
    "ch6.boundary_title": "Zwei Monde: Trainingsgenauigkeit {percent:.0f} % auf {points} Punkten",
    "ch6.epoch": "Epoche",
    "ch6.loss_axis": "Loss (Hinge + L2), logarithmisch",
    "ch6.loss_title": "Der Loss fällt über die Epochen (mit Buckeln: große Schritte)",
    "ch6.accuracy_axis": "Trainingsgenauigkeit in %",
    "ch6.accuracy_title": "Anteil der Punkte auf der richtigen Seite der Grenze",
    "ch6.title": "Training über Epochen: Gradientenabstieg auf allen Gewichten zugleich",
}
