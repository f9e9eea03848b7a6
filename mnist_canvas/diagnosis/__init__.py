"""Diagnosis: evaluating models on data sets through the app's own path."""
