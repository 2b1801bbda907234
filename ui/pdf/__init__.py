"""The PDF view: a result's page rendered with its quote marked (render: pypdfium2 and Pillow, bounded
work for any page; locate: where the quote's characters are; view: the Streamlit part)."""
