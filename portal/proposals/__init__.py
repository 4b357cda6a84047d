"""Draft policies (rancangan kebijakan): versions, articles (Pasal), the
consultation workflow and links to the position records they affect."""
