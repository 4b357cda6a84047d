"""Themes: group contributions into readable themes (TF-IDF over stemmed text, then NMF).

Pure computation: no database, no Flask. `engine.compute` is the one entry point.
"""
