"""The Streamlit pages of Ymateb: a shell over `rag` (each page module has one `render()`)."""
