"""Test harness: a real Streamlit server and a headless Chromium page."""
