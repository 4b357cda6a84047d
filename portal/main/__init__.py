"""Home page, language switch, and the pages about the portal (privacy, help, accessibility, terms)."""
