"""Everything below the window: data, preprocessing, models, training, metrics.

Imports torch, torchvision, numpy and PIL only — never Qt — so it can be used and tested headless.
"""
