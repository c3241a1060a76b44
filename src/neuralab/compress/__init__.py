"""Compression: quantize, prune, distil and export one real model, measuring each step."""
