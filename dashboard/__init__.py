"""新时代文明实践指挥调度大屏 (Streamlit dashboard package)."""
