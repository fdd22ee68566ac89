"""The embedded demo: builds a plausible copy of the platform's database from Taiyuan's real structure."""
