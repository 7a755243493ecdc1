"""Neurons, layers, losses, optimizers and model files on top of autograd (micrograd's nn)."""

from nn import datasets, init, optim
from nn.files import load, save
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l1_loss,
    mse_loss,
)
from nn.modules import MLP, Layer, Module, Neuron
from nn.optim import SGD, Adam, AdamW
from nn.train import History, fit

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "datasets",
    "fit",
    "hinge_loss",
    "init",
    "l1_loss",
    "load",
    "mse_loss",
    "optim",
    "save",
]
