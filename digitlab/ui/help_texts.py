"""What each view is for, in a few sentences: the text behind its "?" button and F1.

Data, not code: one `HelpText` per view id of `views.VIEWS` (a test checks there is one for
every registered view and none for an unknown id). Each has three short parts, so a reader finds
the same things in the same place in every view: what it shows, how to read its colours and
scales, and one thing to try. The parts are HTML fragments (<b>, <i>), shown in a rich-text box.
Written from the views' code: when a view changes its colours or controls, change its text here.
"""

from __future__ import annotations

from typing import NamedTuple


class HelpText(NamedTuple):
    what: str  # what the view shows
    reading: str  # how to read its colours, scales and marks
    try_: str  # one thing to try


HELP: dict[str, HelpText] = {
    "pad": HelpText(
        what="Where you draw a digit for the net to read. Every stroke reaches the model at "
        "once, and the views that follow the drawing (Prediction, What the net sees, "
        "Activations, Evidence, Drawing offsets) update with it.",
        reading="Light ink on black, as in MNIST (<i>Black on white</i> only changes the "
        "display: the net always gets light ink on dark). The pad is 280 × 280 pixels, ten "
        "to one MNIST pixel. <i>Pen</i> sets the stroke width of the whole drawing; the "
        "offset says how many MNIST pixels the drawing has been moved. Keys: Ctrl+Z undo, "
        "Esc or Delete clear, the arrow keys or a right-drag move the drawing.",
        try_="Draw a 7, then drag the Pen slider from thin to thick while watching the "
        "Prediction bars: at which width does the answer change? A digit double-clicked (or "
        "dragged) in the Confusion, Mistakes or Dataset galleries lands here to edit.",
    ),
    "prediction": HelpText(
        what="The answering model's output for the drawing: one bar per class it knows (the "
        "digits 0–9, or only those it was trained on), and above them the answer in words.",
        reading="A bar's height is the softmax probability of its class, 0 to 100 %; the bars "
        "add up to 100 %. The highest bar is drawn in the accent blue, the others in grey. "
        "A tall bar is the net's confidence, not a guarantee: nets are often confidently "
        "wrong on drawings unlike their training digits. An empty pad shows no bars.",
        try_="Draw a digit halfway between a 4 and a 9, then close or open its top stroke by "
        "stroke: watch the two bars trade places.",
    ),
    "model": HelpText(
        what="Which net reads the drawing: a shipped one (the robust 3-layer 784→400→200→10, "
        "the 2-layer 784→256→10, the 1-layer 784→10), the net being trained (<i>Training run "
        "(live)</i>, once a run has sent its first weights), or a model file (<i>Open model "
        "file…</i>, Ctrl+O).",
        reading="The grey line below the list describes the chosen net: its layers, its "
        "activation and its test accuracy. Every view that shows a model (prediction, "
        "weights, hidden units, confusion, mistakes…) follows this choice.",
        try_="Keep one drawing and switch between the 1-layer and the robust 3-layer net: "
        "compare the Prediction bars, then the Weights view of each.",
    ),
    "preview": HelpText(
        what="The 28 × 28 image the net actually gets, made from the pad the way the MNIST "
        "digits were made: <i>Fit 20 px</i> crops to the ink and scales its longer side to "
        "20 pixels, <i>Centre</i> moves the ink's centre of mass to the middle.",
        reading="Grey levels on a fixed scale, black for 0 to white for full ink, so faint ink "
        "looks faint. The dashed square is the 20 px box MNIST digits fill, the + the centre "
        "they are moved to, and the blue dot this image's own centre of mass. Where there is "
        "room, two small images show the steps: the pad as drawn, and after Fit 20 px. With "
        "both switches off, the digit keeps the size and place it had on the pad.",
        try_="Switch off Fit 20 px and Centre, draw a small digit in a corner of the pad and "
        "choose the 1-layer model: it fails, because it only ever saw centred digits. That "
        "is what the preprocessing is for.",
    ),
    "training": HelpText(
        what="The settings of the next training run: the data (dataset, classes, "
        "augmentation), the network (hidden layer sizes, activation), the optimiser "
        "(optimizer, learning rate, schedule, penalties) and the run itself (batch size, "
        "epochs, seed, how often the views redraw).",
        reading="Hover a field to read what it does. A field that does not parse turns red, "
        "the reason shows at the top, and Start waits until it is fixed. The form is "
        "read-only while a run goes. <i>Hidden layers</i>: 100 means 784→100→10, 100,100 two "
        "hidden layers, 2 a 2-D bottleneck, and empty the 1-layer net 784→10.",
        try_="Set Hidden layers to 2 and press Start under Run, then open the 2-D bottleneck "
        "view: the ten classes pull apart in the plane of those two units as the net trains.",
    ),
    "run": HelpText(
        what="Starts, pauses, stops and resets the training run set up in Training settings, "
        "sets its pace, and shows how it goes: epochs and images done, loss, train and test "
        "accuracy, speed and time left.",
        reading="Loss and train accuracy are averages over the latest training batches; test "
        "accuracy is measured on the held-out test set at the end of each epoch. Stop keeps "
        "the weights (Save… writes them to a file, Ctrl+S) and Start then reads "
        "<i>Continue</i>; Reset forgets them, so the next run starts from new random "
        "weights. A failed run says why, in red. Space starts or pauses.",
        try_="Set the batch size to 2 in Training settings and Pace to 3 steps/s, then "
        "press Start and watch the Weights view: each step imprints its two digits on the "
        "weights.",
    ),
    "curves": HelpText(
        what="The training run's story: the training loss, and the accuracy, against epochs "
        "(one epoch is one pass over the training images). The axis spans the whole run "
        "from its start.",
        reading="Loss is the cross-entropy averaged over the latest batches: lower is better, "
        "and about 2.3 is a net guessing among ten classes. In the accuracy plot the amber "
        "line is the accuracy on the training batches and the green dots the accuracy on the "
        "test set at the end of each epoch. Test dots falling below a still rising training "
        "line are the sign of overfitting.",
        try_="Train twice with the learning rate ten times higher, then ten times lower, than "
        "the default: compare how fast and how smoothly the loss falls.",
    ),
    "weights": HelpText(
        what="Every weight of the answering model. The first layer is a mosaic of 28 × 28 "
        "images, one per hidden unit (or one template per class for a 1-layer net): the "
        "weight each unit gives each pixel. <i>Show</i> picks the 32 units the answer listens "
        "to most (the largest outgoing weights; the default, large enough to read) or all of "
        "them. Later layers are heatmaps, one row per unit or class. While the net trains, "
        "each layer's change since the last redraw sits beside it.",
        reading="Red is a positive weight, blue a negative one, and zero the neutral middle "
        "(white on a light theme). The colour bar gives the scale ±L: <i>Robust</i> sets L "
        "at the 99th percentile of |w| so a few large weights do not wash out the rest, "
        "<i>Maximum</i> at the largest |w|, <i>Each unit</i> scales every unit to its own "
        "largest weight. The change panels have their own scale. Hover a weight to read it; "
        "click a unit to see it large.",
        try_="Empty Hidden layers in Training settings (the 1-layer net) and train: watch ten "
        "blurred digit templates form, red where the class wants ink, blue where ink speaks "
        "against it.",
    ),
    "activations": HelpText(
        what="What each hidden unit receives for the drawing: one bar per unit, one plot per "
        "hidden layer, following the pen. The line above counts the units that are on.",
        reading="A bar is the unit's input (its weighted sum plus bias). Here blue is "
        "positive: the unit is on and passes its input on. Red is negative: a ReLU unit "
        "outputs 0, so red bars are the units this drawing switches off. (Note: the "
        "opposite of the weight colours.) Each layer has its own scale, symmetric around 0.",
        try_="Draw a 1, then a 0, and compare how many units each turns on, and whether the "
        "same ones.",
    ),
    "compare": HelpText(
        what="Two nets side by side. A is the model reading the drawing; B is the second net of "
        "a side-by-side run (tick <i>Train B beside the run</i>, set its hidden layers, press "
        "Start: both train on the same batches in the same order, each in its own process) or "
        "any model chosen under <i>Compare with</i>. While a B is chosen, Confusion shows A − B, "
        "Mistakes can list the digits right in one and wrong in the other, Evidence shows both.",
        reading="The sentence gives each net's test accuracy, how many digits only A gets right "
        "and only B, how often they answer the same, and McNemar's test (p below 0.05: the "
        "difference is unlikely to be chance). The bars: per class, digits right only in A "
        "(blue, up) and right only in B (orange, down). Below, B's first-layer weights in the "
        "Weights view's colours. The Curves view draws B's curves dashed.",
        try_="Set A to no hidden layer (Training settings), B to 100, tick Train B beside the "
        "run and press Start: which digits does the hidden layer win, and does any class go the "
        "other way?",
    ),
    "lab": HelpText(
        what="Act on the answering model: switch the selected hidden unit off (its output is "
        "0 for every input) or clamp it to a value, and see what that does. The edits make an "
        "edited model that answers at once: the prediction, the confusion matrix and every "
        "other view follow it, and it can be saved or swept like any model.",
        reading="The list holds the edits in force (Undo takes the last back, Clear all every "
        "one). Below: the edited model's test accuracy against the original's, and per class "
        "the change in points, green up, red down.",
        try_="Click a unit in Hidden units, switch it off, and look for the class whose bar "
        "drops; then switch off the units whose votes strip is tallest for 7 and watch the "
        "7 row of the Confusion matrix.",
    ),
    "flip": HelpText(
        what="For the drawing and a class: the pixel change that pushes the net toward that "
        "class, a slider that adds that much of it, and the 8 training digits nearest to the "
        "drawing, in pixels and as the net sees them (its last hidden layer).",
        reading="The map is the exact local gradient of the chosen class's logit minus the "
        "answer's: red is ink to add, blue ink to take away, scaled so the strongest pixel is "
        "±1. At 100 % one full unit of ink is added at that pixel (the image stays in 0…1). "
        "The line above says what the net answers at the amount chosen, and where it flips.",
        try_="Draw a 4, push toward 9, and slide until it flips: how little ink does it take, "
        "and where? Then compare the two rows of nearest digits.",
    ),
    "patching": HelpText(
        what="Activation patching: keep one drawing as A, draw another, B, and run B with the "
        "activations of a hidden layer (or of the selected unit) copied from A's forward pass. "
        "How far B's answer moves says how much of the answer that layer or unit carries.",
        reading="Three bars per class: A's answer (grey), B's (gold) and B patched (blue), "
        "each a softmax probability from 0 to 1. The line above names the three answers.",
        try_="Keep a 4 as A, draw a 9 as B, and copy the whole hidden layer: B reads 4. Then "
        "copy only the selected unit, and look for a unit that moves B's answer on its own.",
    ),
    "pruning": HelpText(
        what="Magnitude pruning: the slider removes that share of the answering model's "
        "weights, the smallest first, in each layer alike (per layer) or wherever they are in "
        "the net (global). The pruned model answers at once, so every view follows it; "
        "Restore brings the original back. Retrain survivors trains the weights left for a "
        "few epochs as the training run's model, the removed ones held at zero.",
        reading="The green curve is the original's test accuracy with each share removed, "
        "without retraining; the blue line and dot are where the slider is and the pruned "
        "model's accuracy; the gold star is the retrained survivors'. After retraining the "
        "slider prunes the retrained net further.",
        try_="Slide to 90 % per layer, then switch to global: which keeps more accuracy, and "
        "why? Then retrain the survivors for one epoch and see how much comes back.",
    ),
    "units": HelpText(
        what="One card per hidden unit of the chosen layer: its filter (its incoming weights, "
        "28 × 28 for the first layer) and, for the last hidden layer, a strip of its votes "
        "for each class. Click a card for the unit large: its filter and votes with their "
        "numbers, the 16 test images that excite it most, and a histogram of its input over "
        "the test set.",
        reading="Filters in the weight colours: red positive, blue negative, on one scale for "
        "the layer (the 99th percentile of |w|). In the votes strip a red bar up votes for "
        "that class, a blue bar down against it. Faded, crossed-out cards are dead units, "
        "never on for any test image. <i>Sort</i> by index, by importance (the size of the "
        "unit's outgoing weights) or by how often it fires on the test set.",
        try_="Sort by importance and compare the first cards with the last; then train with a "
        "much too high learning rate and count the dead units in the line above.",
    ),
    "bottleneck": HelpText(
        what="For every layer exactly two units wide, the 10 000 test digits as points in "
        "that layer's plane, live while the net trains; the drawing is the large star. For "
        "a net trained on two classes the output is such a plane too.",
        reading="One colour per class (see the legend). The x and y axes are the values of "
        "the layer's two units: <i>before</i> is their input, <i>after</i> their output "
        "past the activation (a ReLU folds everything into the positive quadrant, so the "
        "classes crowd against the axes). Classes in separate regions are what the next "
        "layer needs to tell them apart.",
        try_="Set Hidden layers to 2 in Training settings, train, and watch the clouds pull "
        "apart; then try 2,2,2,2 and see which layer still separates them.",
    ),
    "probes": HelpText(
        what="Is the digit easier to read in deeper layers? <i>Run probes</i> fits a linear "
        "read-out to each layer's activations (the pixels, each hidden layer, the output) on "
        "10 000 training images, and measures it on the test set. Beside it, the test "
        "digits on two principal components of one layer.",
        reading="Bar height and the number above it are the probe's test accuracy, 0 to "
        "100 %. In the scatter plot each point is a test digit, coloured by class; the axes "
        "are the chosen principal components (1 is the direction of largest variance), in "
        "the layer's own units.",
        try_="Probe the shipped 2-layer net: how much does a linear read-out of the pixels "
        "alone already get, and how much does the hidden layer add?",
    ),
    "robustness": HelpText(
        what="Where each model breaks: the accuracy of the ticked models on the test digits "
        "as they are turned, scaled, drawn thinner or thicker, made noisy and shifted, with "
        "the window's MNIST preprocessing on and off.",
        reading="One colour per model. Solid lines with the preprocessing, dashed without; "
        "the y axis is accuracy in %. Pen is pixels added (+) or removed (−) on each side of "
        "the strokes; noise is the σ of added Gaussian noise. The heatmaps show one model's "
        "accuracy for every shift (rows: up/down, columns: left/right), green near 100 %, "
        "yellow at 90 %, red at 60 % and below, with the percentage in each cell.",
        try_="Tick the 1-layer and the robust model, choose preprocessing on and off, and run "
        "the sweep: in the raw heatmap, how many pixels of shift does each net survive, and "
        "what does centring change?",
    ),
    "experiments": HelpText(
        what="The classic small-net experiments, each a question the folklore answers (does "
        "depth help? do nets memorise random labels?), run here to see whether it holds. "
        "Pick one to read its question and method; Run shows its figure, its table and a "
        "conclusion.",
        reading="The verdict is green when the result agrees with the folklore, red when it "
        "does not, amber when mixed. In the figures each line has its own colour, measured "
        "data are points, and a coloured background is a classifier's decision regions. "
        "<i>Quick</i> runs a smaller version (seconds rather than minutes); the same seed "
        "gives the same numbers. Earlier runs are kept and listed.",
        try_="Run <i>Memorisation</i> in Quick mode: can a net fit random labels, and how "
        "much longer does it take than with the true ones?",
    ),
    "offsets": HelpText(
        what="How far the drawing can move before the answer flips: the answering model's "
        "digit with the drawing moved by every offset up to 6 MNIST pixels each way, read "
        "exactly as the window reads it.",
        reading="Each cell is one move (x: right, y: down; the middle cell is the drawing "
        "where it is) and shows the digit read there. Green cells give the same digit as the "
        "drawing where it is, orange another; the brighter the cell, the more confident the "
        "net. The line above says within how many pixels the answer holds.",
        try_="With Fit 20 px and Centre on (What the net sees) moving changes almost nothing; "
        "switch both off and watch the green region shrink to a few pixels.",
    ),
    "evidence": HelpText(
        what="Which pixels of the drawing speak for the answer and which for another class: "
        "three maps, each pixel's push on the answer's logit, on a second class's logit "
        "(the runner-up unless you pick one) and their difference.",
        reading="Red pixels push the logit up, blue ones down, the neutral middle colour not "
        "at all; the three maps share the colour bar's scale. Below, the totals: the pixels "
        "plus the bias make each logit exactly, and the larger logit wins.",
        try_="Draw a 5 small in a corner. If the net reads another digit, choose 5 under "
        "<i>Compare with</i>: the third map shows which pixels favour that digit over 5.",
    ),
    "mydigits": HelpText(
        what="Your own test set: drawings kept with the digit you meant, shown by class, each "
        "with the answering model's reading, and the model's accuracy on them all. They are "
        "PNG files in your user data folder, one folder per digit.",
        reading="A caption says <i>label → answer</i>; a wrong answer is marked ✗. The line "
        "above counts the right answers of the model chosen now; a model without some digits "
        "(a '0 vs 1' net) is scored on the digits it knows.",
        try_="Keep ten of your own 7s (draw, press 7), then switch models: does the one with "
        "the best MNIST score read your hand best? Right-click a tile to relabel or delete it.",
    ),
    "confusion": HelpText(
        what="The answering model on every test digit: rows are the true class, columns the "
        "predicted one, with each class's accuracy beside. Click a cell for its test images, "
        "the most confident first.",
        reading="The diagonal (right answers) is blue, darker for a larger share of its row. "
        "The other cells are red, scaled to the largest mistake, so a handful of mistakes "
        "still stands out next to a thousand right answers; empty cells stay blank. The "
        "numbers are counts, or each row's shares, or (<i>Top image per cell</i>) each "
        "cell's most confident image.",
        try_="Click the darkest red cell and look at its images: how many would you have read "
        "the net's way? Double-click one to edit it on the pad.",
    ),
    "mistakes": HelpText(
        what="The answering model's most confident mistakes on the test set: a mistake made "
        "with 99 % confidence says more than one it nearly got right.",
        reading="Each digit's caption reads true→answer and the net's confidence, e.g. "
        "7→1 98%; hover it for the probability the true class got. Filter by the true "
        "class, the answer, or both (7s read as 1).",
        try_="Look through the first row: how many are badly written, or wrongly labelled in "
        "the data set itself? Double-click one to put it on the pad and fix it stroke by "
        "stroke.",
    ),
    "dataset": HelpText(
        what="The digits the nets learn from: how many of each class in the training or test "
        "split, what the average one looks like, and every image of a class.",
        reading="Bars count the images of each class (the chosen class in the accent blue); "
        "the row under them is each class's average image, white where most digits have "
        "ink. Click a bar or an average to choose the class; the gallery below holds all its "
        "images.",
        try_="Compare the average 1 with the average 8, then scroll through the 1s for the "
        "ones written with a base and a flag.",
    ),
}


def help_html(view_id: str, title: str = "") -> str:
    """The help of one view as rich text: a title, then its three parts."""
    text = HELP[view_id]
    heading = f"<h3>{title}</h3>" if title else ""
    return (
        f"{heading}<p><b>What it shows.</b> {text.what}</p>"
        f"<p><b>Reading it.</b> {text.reading}</p>"
        f"<p><b>Try.</b> {text.try_}</p>"
    )
