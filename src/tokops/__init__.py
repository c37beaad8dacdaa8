"""tokops — warehouse-native toolkit for selling through TikTok."""

__version__ = "0.1.0"

__all__ = ["__version__"]
