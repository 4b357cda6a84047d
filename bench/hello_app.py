"""The framework floor for bench/pages.py: a bare Flask route, served like the portal."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    """The cheapest page Flask can serve."""
    return "hello"
