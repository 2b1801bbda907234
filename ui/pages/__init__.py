"""The app's pages, one module each with `render(ctx)`: search, basket, documents, evaluation."""
