"""Reproducible random draws: the same seed and candidates always give the same result."""

import random
import secrets


def new_seed() -> str:
    return secrets.token_hex(8)


def draw(candidate_ids: list[int], size: int, seed: str) -> list[int]:
    """Draw `size` of the candidates (all of them when fewer), in draw order."""
    ordered = sorted(candidate_ids)
    return random.Random(seed).sample(ordered, min(size, len(ordered)))
