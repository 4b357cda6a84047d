"""Home page, language switch and the privacy notice."""
