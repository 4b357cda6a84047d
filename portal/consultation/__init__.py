"""The consultation's reading pages: a draft policy and a position record, each
composed from the articles or fields and from every kind of input on them."""
