"""Compression: quantize, prune, distill and export one real model, measuring each step."""
