"""Text as Tagline stores it: decoding, normalisation, sentences, article metadata."""
