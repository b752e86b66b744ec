"""Labelled image folders (``labelled``) and the accuracy checker's image preprocessing (``steps``,
``preprocessing``): shared by accuracy, quantization calibration and the digits training."""
